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
async function lintMessages(fileInProject: string, source: string): Promise<LintMessage[]> {
  const run = spawnSync(
    process.execPath,
    [eslintBin, '--format', 'json', '--stdin', '--stdin-filename', path.join(workspaceRoot, fileInProject)],
    { cwd: workspaceRoot, input: source, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } },
  );
  if (run.status !== 0 && run.status !== 1) throw new Error(`eslint failed: ${run.stderr}`);
  const [result] = JSON.parse(run.stdout) as { messages: LintMessage[] }[];
  return result?.messages ?? [];
}

async function ruleErrors(ruleId: string, fileInProject: string, source: string): Promise<string[]> {
  const messages = await lintMessages(fileInProject, source);
  return messages.filter((message) => message.ruleId === ruleId).map((message) => message.message);
}

const boundaryErrors = (fileInProject: string, source: string) =>
  ruleErrors('@nx/enforce-module-boundaries', fileInProject, source);

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
    expect(errors.join('\n')).toMatch(
      /tagged with "type:app" can only depend on libs tagged with "type:core", "type:contract", "type:adapter"/,
    );
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

  it('refuses `export *` in an index: a public surface names its exports', async () => {
    const errors = await ruleErrors(
      'no-restricted-syntax',
      'packages/pipeline/src/index.ts',
      "export * from './ports/clock';\n",
    );
    expect(errors.join('\n')).toContain('`export *` is not allowed');
  });

  it('allows named exports in an index', async () => {
    const errors = await ruleErrors(
      'no-restricted-syntax',
      'packages/pipeline/src/index.ts',
      "export { systemClock, type Clock } from './ports/clock';\n",
    );
    expect(errors).toEqual([]);
  });

  it.each([
    ['an app', 'apps/cli/src/commands/boundary-probe.ts'],
    ['an adapter', 'packages/local-adapters/src/boundary-probe.ts'],
    ['a core package', 'packages/stereo-engine/src/boundary-probe.ts'],
  ])('refuses the test helpers in production code of %s', async (_kind, file) => {
    const errors = await boundaryErrors(
      file,
      "import { makeTempDir } from '@stereo-spot/testing';\nexport const probe = makeTempDir;\n",
    );
    expect(errors.join('\n')).toMatch(/can only depend on libs tagged with (?!.*type:testing)/);
  });

  it.each([
    ['a unit test', 'packages/local-adapters/test/boundary-probe.test.ts'],
    ['an e2e suite', 'apps/cli/e2e/boundary-probe.e2e.ts'],
  ])('allows the test helpers in %s', async (_kind, file) => {
    const errors = await boundaryErrors(
      file,
      "import { makeTempDir } from '@stereo-spot/testing';\nexport const probe = makeTempDir;\n",
    );
    expect(errors).toEqual([]);
  });

  it('lets infra start the AWS emulator but import no other adapter', async () => {
    const emulator = await boundaryErrors(
      'packages/aws-infra/src/boundary-probe.ts',
      "import { startMotoServer } from '@stereo-spot/aws-emulator';\nexport const probe = startMotoServer;\n",
    );
    const adapter = await boundaryErrors(
      'packages/aws-infra/src/boundary-probe.ts',
      "import { createAwsPlatform } from '@stereo-spot/aws-adapters';\nexport const probe = createAwsPlatform;\n",
    );
    expect(emulator).toEqual([]);
    expect(adapter.join('\n')).toMatch(/can only depend on libs tagged with/);
  });

  it("refuses a package's test entry in production code, by name or by path", async () => {
    const byName = await ruleErrors(
      'no-restricted-imports',
      'apps/media-worker/src/boundary-probe.ts',
      "import { memoryPlatform } from '@stereo-spot/pipeline/testing';\nexport const probe = memoryPlatform;\n",
    );
    const byPath = await ruleErrors(
      'no-restricted-imports',
      'packages/pipeline/src/use-cases/boundary-probe.ts',
      "import { memoryPlatform } from '../testing';\nexport const probe = memoryPlatform;\n",
    );
    expect(byName.join('\n')).toContain('Test helpers are for test code only');
    expect(byPath.join('\n')).toContain('Test helpers are for test code only');
  });

  it("allows a package's test entry in a test", async () => {
    const errors = await ruleErrors(
      'no-restricted-imports',
      'apps/media-worker/test/boundary-probe.test.ts',
      "import { memoryPlatform } from '@stereo-spot/pipeline/testing';\nexport const probe = memoryPlatform;\n",
    );
    expect(errors).toEqual([]);
  });

  it("refuses a test importing its own project's index instead of the module by path", async () => {
    const errors = await ruleErrors(
      'no-restricted-imports',
      'packages/pipeline/test/boundary-probe.test.ts',
      "import { systemClock } from '../src';\nexport const probe = systemClock;\n",
    );
    expect(errors.join('\n')).toContain('Import the module by its path in src');
  });
});
