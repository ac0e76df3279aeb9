import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// The bin's own helper, plain CommonJS (it runs before any TypeScript loader).
const { bundleIsCurrent, CLI_BUNDLE } = require('../bin/bundle.cjs') as {
  bundleIsCurrent(entries: { bundle: string; manifest: string; packageDir: string }): boolean;
  CLI_BUNDLE: { bundle: string; manifest: string; packageDir: string };
};

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.resolve(__dirname, '..', 'bin', 'stereo-spot.cjs');
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('which code the stereo-spot bin runs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cli-bundle-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A package with one source, its bundle and the bundle's record of that source. */
  function fixture(recordedSource: string): { bundle: string; manifest: string; packageDir: string } {
    mkdirSync(path.join(dir, 'src'));
    mkdirSync(path.join(dir, 'dist'));
    writeFileSync(path.join(dir, 'src', 'main.ts'), 'export const answer = 42;\n');
    writeFileSync(path.join(dir, 'dist', 'cli.cjs'), 'exports.answer = 42;\n');
    const manifest = path.join(dir, 'dist', 'cli.inputs.json');
    writeFileSync(manifest, JSON.stringify({ inputs: { 'src/main.ts': sha256(recordedSource) } }));
    return { bundle: path.join(dir, 'dist', 'cli.cjs'), manifest, packageDir: dir };
  }

  it('takes the bundle while every recorded source is unchanged', () => {
    // Prepare
    const entries = fixture('export const answer = 42;\n');

    // Act
    const current = bundleIsCurrent(entries);

    // Assess
    expect(current).toBe(true);
  });

  it('refuses a bundle whose source changed since it was built, or whose record is gone', () => {
    // Prepare
    const edited = fixture('export const answer = 41;\n');
    const unrecorded = { ...edited, manifest: path.join(dir, 'dist', 'missing.inputs.json') };

    // Act
    const results = [bundleIsCurrent(edited), bundleIsCurrent(unrecorded)];

    // Assess
    expect(results).toEqual([false, false]);
  });

  it('runs the built bundle in its own process, with no TypeScript loader', () => {
    // Prepare: the project's build step (the bootstrap runs it); a no-op when the bundle is current.
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-bundles.mjs'), '--strict']);
    const script = [
      `process.argv = [process.execPath, ${JSON.stringify(BIN)}, '--version'];`,
      // Registered first: `--version` exits from inside the command.
      `process.on('exit', () => console.error(JSON.stringify({ bundled: ${JSON.stringify(CLI_BUNDLE.bundle)} in require.cache,`,
      `  tsx: Object.keys(require.cache).some((file) => file.includes('node_modules/tsx')) })));`,
      `require(${JSON.stringify(BIN)});`,
    ].join('\n');

    // Act
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });

    // Assess
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(JSON.parse(run.stderr.trim().split('\n').pop() ?? '{}')).toEqual({ bundled: true, tsx: false });
  });
});
