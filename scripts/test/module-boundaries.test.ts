import { spawnSync } from 'node:child_process';
import path from 'node:path';

// The architecture rules of docs/architecture.md are enforced by lint. These tests lint
// imaginary files placed in real projects, so a change to eslint.config.mjs or to a project's
// tags that weakens the rules fails here.
const workspaceRoot = path.resolve(__dirname, '..', '..');
const eslintBin = path.join(workspaceRoot, 'node_modules', 'eslint', 'bin', 'eslint.js');

interface LintMessage {
  ruleId: string | null;
  message: string;
}

/** Runs the real ESLint CLI on `source` as if it were the file `fileInProject`. */
async function boundaryErrors(fileInProject: string, source: string): Promise<string[]> {
  const run = spawnSync(
    process.execPath,
    [eslintBin, '--format', 'json', '--stdin', '--stdin-filename', path.join(workspaceRoot, fileInProject)],
    { cwd: workspaceRoot, input: source, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } },
  );
  if (run.status !== 0 && run.status !== 1) throw new Error(`eslint failed: ${run.stderr}`);
  const [result] = JSON.parse(run.stdout) as { messages: LintMessage[] }[];
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === '@nx/enforce-module-boundaries')
    .map((message) => message.message);
}

jest.setTimeout(60_000);

describe('module boundaries', () => {
  it('refuses an adapter import in packages/pipeline', async () => {
    const errors = await boundaryErrors(
      'packages/pipeline/src/boundary-probe.ts',
      "import { createLocalPlatform } from '@stereo-spot/local-adapters';\nexport const probe = createLocalPlatform;\n",
    );
    // Adapters import the pipeline's ports, so Nx reports the cycle before the tag rule: either
    // refusal keeps use cases free of platform code.
    expect(errors.join('\n')).toMatch(/can only depend on libs tagged with "type:core"|Circular dependency/);
  });

  it('refuses an adapter import in any core package by its tag', async () => {
    const errors = await boundaryErrors(
      'packages/stereo-engine/src/boundary-probe.ts',
      "import { createLocalPlatform } from '@stereo-spot/local-adapters';\nexport const probe = createLocalPlatform;\n",
    );
    expect(errors.join('\n')).toMatch(/can only depend on libs tagged with "type:core"/);
  });

  it('refuses an app import in a package', async () => {
    const errors = await boundaryErrors(
      'packages/shared-types/src/boundary-probe.ts',
      "import { buildProgram } from '@stereo-spot/cli';\nexport const probe = buildProgram;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('refuses a platform SDK in packages/pipeline', async () => {
    const errors = await boundaryErrors(
      'packages/pipeline/src/boundary-probe.ts',
      "import { S3Client } from '@aws-sdk/client-s3';\nexport const probe = S3Client;\n",
    );
    expect(errors.join('\n')).toContain('@aws-sdk/client-s3');
  });

  it('allows the pipeline to import shared-types', async () => {
    const errors = await boundaryErrors(
      'packages/pipeline/src/boundary-probe.ts',
      "import { inputKey } from '@stereo-spot/shared-types';\nexport const probe = inputKey;\n",
    );
    expect(errors).toEqual([]);
  });

  it('refuses an app import in another app', async () => {
    const errors = await boundaryErrors(
      'apps/video-worker/src/boundary-probe.ts',
      "import { startInferenceServer } from '@stereo-spot/inference-server';\nexport const probe = startInferenceServer;\n",
    );
    expect(errors.join('\n')).toMatch(/tagged with "type:app" can only depend on libs tagged with "type:core", "type:contract", "type:adapter"/);
  });

  it('lets the composition root (the cli) import the apps it starts', async () => {
    const errors = await boundaryErrors(
      'apps/cli/src/boundary-probe.ts',
      "import { runVideoWorker } from '@stereo-spot/video-worker';\nexport const probe = runVideoWorker;\n",
    );
    expect(errors).toEqual([]);
  });

  it('refuses another adapter in a platform adapter', async () => {
    const errors = await boundaryErrors(
      'packages/local-adapters/src/boundary-probe.ts',
      "import { createAwsPlatform } from '@stereo-spot/aws-adapters';\nexport const probe = createAwsPlatform;\n",
    );
    expect(errors.join('\n')).toMatch(/can only depend on libs tagged with "type:core"/);
  });
});
