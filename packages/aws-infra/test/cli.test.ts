import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The deploy commands as the Nx targets run them: `node --import tsx src/main.ts <command>`,
 * with a PATH and environment chosen per test. No terraform run reaches AWS here.
 */
const MAIN = path.join(__dirname, '..', 'src', 'main.ts');
const work = mkdtempSync(path.join(tmpdir(), 'aws-infra-cli-'));
const settingsFile = path.join(work, 'settings.json');
writeFileSync(settingsFile, '{}');

/** A bin folder with only node (tsx and cdktf's zip step run it), plus whatever a test adds. */
function binWith(tools: Record<string, string> = {}): string {
  const bin = mkdtempSync(path.join(work, 'bin-'));
  symlinkSync(process.execPath, path.join(bin, 'node'));
  for (const [name, script] of Object.entries(tools)) {
    writeFileSync(path.join(bin, name), script);
    chmodSync(path.join(bin, name), 0o755);
  }
  return bin;
}

function runCli(args: string[], options: { path: string; env?: Record<string, string> }) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: path.join(__dirname, '..'),
    encoding: 'utf8',
    env: {
      PATH: options.path,
      HOME: work,
      STEREO_SPOT_INFRA_SETTINGS: settingsFile,
      // No login of any kind: no profile files, no instance metadata.
      AWS_CONFIG_FILE: path.join(work, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(work, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...options.env,
    },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const STUB_TERRAFORM = `#!/bin/sh
if [ "$1" = "version" ]; then echo '{"terraform_version":"1.11.4"}'; exit 0; fi
echo "stub terraform must not be run past the checks: $*" >&2; exit 99
`;

describe('deploy commands', () => {
  // plan and destroy go through the same checks as deploy (commands.ts `prepare`); output has its own.
  it.each(['deploy', 'output'])(
    '%s without terraform on PATH: one clear line, exit 1, no stack trace',
    (command) => {
      // Act
      const result = runCli([command], { path: binWith() });

      // Assess
      expect(result.status).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^aws-infra: terraform was not found on PATH\. Install Terraform 1\.10 or newer/,
        ),
      ]);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('deploy without AWS credentials: says how to log in before terraform runs', () => {
    // Prepare: a terraform that answers its version and fails loudly if anything else runs.
    const bin = binWith({ terraform: STUB_TERRAFORM });

    // Act
    const result = runCli(['deploy'], { path: bin, env: { AWS_REGION: 'us-east-1' } });

    // Assess
    expect(result.status).toBe(1);
    // (Node 20 may also print the AWS SDK's Node version notice.)
    expect(result.stderr).toMatch(/^aws-infra: no AWS credentials found\. Log in first/m);
    expect(result.stderr).not.toContain('stub terraform');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a terraform too old for S3 state locking', () => {
    const bin = binWith({ terraform: STUB_TERRAFORM.replace('1.11.4', '1.5.7') });
    const result = runCli(['plan'], {
      path: bin,
      env: { STEREO_SPOT_STATE_BACKEND: 's3', STEREO_SPOT_STATE_BUCKET: 'acme-state' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/terraform 1\.5 is too old: 1\.10 or newer is needed for S3 state locking/);
  });

  it('reports invalid settings with every problem, without a stack trace', () => {
    const result = runCli(['synth'], {
      path: binWith(),
      env: { STEREO_SPOT_INFERENCE_BACKEND: 'gpu', STEREO_SPOT_ECS_VIDEO_WORKER_MAX_CAPACITY: '0' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('inference_backend');
    expect(result.stderr).toContain('ecs_video_worker_max_capacity');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects an unknown command with usage (exit 2)', () => {
    const result = runCli(['deplyo'], { path: binWith() });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown command "deplyo"');
  });

  it('synth refuses the open web UI of the default settings, naming the settings (exit 1)', () => {
    // Act
    const result = runCli(['synth', '--outdir', path.join(work, 'refused.out')], { path: binWith() });

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('refusing to synth: the web UI would be served over plain HTTP');
    expect(result.stderr).toContain('certificate_arn');
    expect(result.stderr).toContain('web_ui_auth_secret_arn');
    expect(result.stderr).toContain('allow_public_http_without_auth: true');
    expect(existsSync(path.join(work, 'refused.out', 'stacks', 'stereo-spot', 'cdk.tf.json'))).toBe(false);
  });

  it('synth needs neither terraform nor credentials and writes the stack and the Lambda zip', () => {
    // Prepare: a test stack, never deployed, accepts the open web UI explicitly
    const outdir = path.join(work, 'cdktf.out');
    mkdirSync(outdir);

    // Act
    const result = runCli(['synth', '--outdir', outdir], {
      path: binWith(),
      env: { STEREO_SPOT_ALLOW_PUBLIC_HTTP_WITHOUT_AUTH: 'true' },
    });

    // Assess
    expect(result.stderr).not.toContain('aws-infra:');
    expect(result.status).toBe(0);
    console.log(result.stdout.trim());
    const stackFile = path.join(outdir, 'stacks', 'stereo-spot', 'cdk.tf.json');
    const stack = JSON.parse(readFileSync(stackFile, 'utf8'));
    const lambda = Object.values(
      stack.resource.aws_lambda_function as Record<string, { filename: string }>,
    )[0]!;
    expect(existsSync(path.join(path.dirname(stackFile), lambda.filename))).toBe(true);
    expect(result.stdout).toMatch(
      /reassembly-trigger Lambda bundled from apps\/reassembly-trigger\/src\/(lambda|index)\.ts/,
    );
  });
});
