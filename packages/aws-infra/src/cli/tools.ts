/** Finding and running the external tools the deploy commands need (terraform, docker, aws, git). */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { AwsInfraError } from '../errors';

export type Env = NodeJS.ProcessEnv;

/** The executable's path on PATH, or undefined. */
export function findExecutable(name: string, env: Env = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const MIN_TERRAFORM = [1, 6] as const;
/** S3-native state locking (`use_lockfile`) arrived in Terraform 1.10. */
export const MIN_TERRAFORM_FOR_LOCKFILE = [1, 10] as const;

const older = (
  [major = 0, minor = 0]: readonly number[],
  [needMajor = 0, needMinor = 0]: readonly number[],
) => major < needMajor || (major === needMajor && minor < needMinor);

/** Path of a usable terraform, or an AwsInfraError that says how to get one. */
export function requireTerraform(env: Env = process.env, options: { lockfile?: boolean } = {}): string {
  const terraform = findExecutable('terraform', env);
  if (!terraform) {
    throw new AwsInfraError(
      'TERRAFORM_NOT_FOUND',
      'terraform was not found on PATH. Install Terraform 1.10 or newer ' +
        '(https://developer.hashicorp.com/terraform/install), then run this again. ' +
        '`nx run aws-infra:synth` works without it.',
    );
  }
  const probe = spawnSync(terraform, ['version', '-json'], { env, encoding: 'utf8' });
  const version = /"terraform_version":\s*"(\d+)\.(\d+)/.exec(probe.stdout ?? '');
  if (probe.status !== 0 || !version) {
    throw new AwsInfraError(
      'TERRAFORM_NOT_FOUND',
      `${terraform} does not answer \`terraform version -json\``,
    );
  }
  const found = [Number(version[1]), Number(version[2])];
  const needed = options.lockfile ? MIN_TERRAFORM_FOR_LOCKFILE : MIN_TERRAFORM;
  if (older(found, needed)) {
    throw new AwsInfraError(
      'TERRAFORM_NOT_FOUND',
      `terraform ${found.join('.')} is too old: ${needed.join('.')} or newer is needed` +
        (options.lockfile
          ? ' for S3 state locking (or set state_lockfile=false and state_dynamodb_table)'
          : ''),
    );
  }
  return terraform;
}

/** Runs a tool with inherited stdio; a non-zero exit becomes an AwsInfraError. */
export function run(
  command: string,
  args: readonly string[],
  options: SpawnSyncOptions & { what?: string } = {},
): void {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) {
    throw new AwsInfraError(
      'COMMAND_FAILED',
      `${options.what ?? command} could not start: ${result.error.message}`,
    );
  }
  if (result.status !== 0) {
    throw new AwsInfraError(
      'COMMAND_FAILED',
      `${options.what ?? `${path.basename(command)} ${args[0] ?? ''}`} failed (exit ${result.status ?? result.signal}); see its output above`,
    );
  }
}

/** Runs a tool and returns its stdout; a non-zero exit becomes an AwsInfraError with stderr's tail. */
export function capture(command: string, args: readonly string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error || result.status !== 0) {
    const stderr = String(result.stderr ?? '')
      .trim()
      .split('\n')
      .slice(-5)
      .join('\n');
    throw new AwsInfraError(
      'COMMAND_FAILED',
      `${path.basename(command)} ${args.join(' ')} failed: ${result.error?.message ?? stderr}`,
    );
  }
  return String(result.stdout);
}
