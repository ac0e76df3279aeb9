/**
 * What every `stereo-spot ops` subcommand shares: the platform opened from the `ops` role's
 * configuration (embedded or AWS), a line printer, and the confirmation rule (ask on a terminal,
 * refuse without one unless `--yes`). Subcommands return an exit code: 0 done, 2 refused, 1 error.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { loadConfig, type AwsPlatformConfig, type Env } from '@stereo-spot/config';
import { createLocalPlatform, DATABASE_FILE } from '@stereo-spot/local-adapters';
import type { PipelinePorts } from '@stereo-spot/pipeline';
import { AWS_INFRA_ENV_FILE, readEnvFile } from './aws-env';

export const EXIT_DONE = 0;
export const EXIT_ERROR = 1;
export const EXIT_REFUSED = 2;

export interface OpsPlatform extends PipelinePorts {
  readonly kind: 'local' | 'aws';
  /** The embedded platform's home folder (logs live under it). */
  readonly home?: string;
  /** The AWS configuration (region, endpoint), for the commands that call other AWS services. */
  readonly aws?: AwsPlatformConfig;
  /** The environment ops resolved (the shell's plus the env file's), for deployment names. */
  readonly env?: Env;
  close(): Promise<void>;
}

export interface OpsIo {
  out(line: string): void;
  /** True when the operator agreed (or passed --yes). */
  confirm(question: string): Promise<boolean>;
}

/** Which deployment `ops` looks at, and where that came from. */
export interface OpsTarget {
  readonly env: Env;
  /** The env file read (undefined: the environment only). */
  readonly envFile?: string;
}

/** A refusal before anything is opened: the deployment to look at is not the one asked for. */
export class OpsTargetError extends Error {}

/**
 * The environment `ops` runs with: the env file's variables (the `--env-file` given, else
 * `packages/aws-infra/.env` when it exists) under the shell's own, like `set -a; . file` would
 * give them, except that a file given explicitly wins. A file that names AWS resources means the
 * AWS platform unless it says otherwise.
 */
export function resolveOpsTarget(
  env: Env,
  explicitFile: string | undefined,
  defaultFile = AWS_INFRA_ENV_FILE,
): OpsTarget {
  const file = explicitFile ?? (existsSync(defaultFile) ? defaultFile : undefined);
  if (file === undefined) return { env };
  if (!existsSync(file)) throw new OpsTargetError(`--env-file ${file} does not exist`);
  const fromFile: Record<string, string> = readEnvFile(file);
  if (fromFile.STEREO_SPOT_PLATFORM === undefined && fromFile.JOBS_TABLE_NAME !== undefined) {
    fromFile.STEREO_SPOT_PLATFORM = 'aws';
  }
  const merged = explicitFile !== undefined ? { ...env, ...fromFile } : { ...fromFile, ...env };
  return { env: merged, envFile: path.resolve(file) };
}

/** The one line every `ops` run starts with: which platform and which deployment. */
export function describeTarget(target: OpsTarget): string {
  const config = loadConfig('ops', target.env);
  const from = target.envFile !== undefined ? ` (from ${target.envFile})` : ' (from the environment)';
  if (config.platform.kind === 'local') {
    return `ops: embedded platform at ${path.resolve(config.platform.home)}${from}`;
  }
  const tables = config.platform.resources.JOBS_TABLE_NAME ?? '?';
  const prefix = target.env.NAME_PREFIX ?? tables.replace(/-jobs$/, '');
  return (
    `ops: AWS deployment ${prefix} in ${config.platform.region}` +
    ` at ${config.platform.endpointUrl ?? 'the AWS endpoints'}${from}`
  );
}

export async function openOpsPlatform(env: Env): Promise<OpsPlatform> {
  const config = loadConfig('ops', env);
  if (config.platform.kind === 'local') {
    const database = path.join(path.resolve(config.platform.home), DATABASE_FILE);
    if (!existsSync(database)) {
      // Never create an empty embedded platform and report "not found" from it: the operator
      // most likely meant another deployment.
      throw new OpsTargetError(
        `no embedded platform at ${path.resolve(config.platform.home)} (no ${DATABASE_FILE}); ` +
          'set STEREO_SPOT_HOME, or for AWS pass --env-file <file> (up-aws-emulated prints its file; ' +
          'a deployment writes packages/aws-infra/.env)',
      );
    }
    const local = createLocalPlatform({
      home: config.platform.home,
      publicBaseUrl: 'http://127.0.0.1',
      maxReceiveCount: config.platform.maxReceiveCount,
      visibilityTimeoutSeconds: config.platform.queueVisibilityTimeoutSeconds,
    });
    return { ...local, kind: 'local', env };
  }
  // Loaded only on AWS: the SDK clients take a while to load.
  const { createAwsPlatform } = await import('@stereo-spot/aws-adapters');
  // Keys from an env file are not in this process's environment, where the SDK's default chain
  // looks: hand them over. Without them the default chain (profile, role) is used.
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  const aws = await createAwsPlatform(
    config.platform,
    accessKeyId !== undefined && secretAccessKey !== undefined
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken !== undefined ? { sessionToken } : {}) } }
      : {},
  );
  return { ...aws, kind: 'aws', aws: config.platform, env, close: () => aws.close() };
}

export function consoleIo(yes: boolean | undefined): OpsIo {
  return {
    out: (line) => console.log(line),
    async confirm(question) {
      if (yes) return true;
      if (!process.stdin.isTTY) {
        console.log('not asking for confirmation: stdin is not a terminal; pass --yes');
        return false;
      }
      const prompt = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
      } finally {
        prompt.close();
      }
    },
  };
}

let selectedEnvFile: string | undefined;

/** Where `up-aws-emulated` writes its env file by default (while it runs). */
export const EMULATED_ENV_FILE = path.join('.stereo-spot', 'aws-emulated.env');

/** `ops --env-file <file>`, set by the `ops` command before its subcommand runs. */
export function selectEnvFile(file: string | undefined): void {
  selectedEnvFile = file;
}

/**
 * Runs one subcommand against the selected deployment and sets the process's exit code. The
 * first line (on stderr, so the output stays parseable) says which platform and deployment.
 */
export async function runOps(
  yes: boolean | undefined,
  action: (platform: OpsPlatform, io: OpsIo) => Promise<number>,
): Promise<void> {
  let platform: OpsPlatform;
  try {
    const target = resolveOpsTarget(process.env, selectedEnvFile);
    process.stderr.write(`${describeTarget(target)}\n`);
    const emulated = path.resolve(EMULATED_ENV_FILE);
    if (target.envFile === undefined && target.env.STEREO_SPOT_PLATFORM !== 'aws' && existsSync(emulated)) {
      process.stderr.write(`ops: an up-aws-emulated deployment is running here; for it pass --env-file ${emulated}\n`);
    }
    platform = await openOpsPlatform(target.env);
  } catch (error) {
    if (!(error instanceof OpsTargetError)) throw error;
    process.stderr.write(`refused: ${error.message}\n`);
    process.exitCode = EXIT_REFUSED;
    return;
  }
  try {
    process.exitCode = await action(platform, consoleIo(yes));
  } finally {
    await platform.close();
  }
}
