import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

describe('scripts/build-wasm.mjs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'build-wasm-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('removes the kernels of an earlier source when the current one does not compile', () => {
    // Prepare: a checkout whose kernels source is broken, with a build of an older source in place.
    mkdirSync(path.join(dir, 'scripts'));
    cpSync(path.join(ROOT, 'scripts', 'build-wasm.mjs'), path.join(dir, 'scripts', 'build-wasm.mjs'));
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const engine = path.join(dir, 'packages', 'stereo-engine');
    mkdirSync(path.join(engine, 'assembly'), { recursive: true });
    mkdirSync(path.join(engine, 'dist'));
    writeFileSync(path.join(engine, 'assembly', 'kernels.ts'), 'export function broken(): i32 { return undefinedName; }\n');
    writeFileSync(path.join(engine, 'dist', 'kernels.wasm'), 'an older build');
    writeFileSync(path.join(engine, 'dist', 'kernels.wasm.sha256'), 'an older stamp');

    // Act
    const run = spawnSync(process.execPath, [path.join(dir, 'scripts', 'build-wasm.mjs')], { encoding: 'utf8' });

    // Assess
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('could not build the WebAssembly kernels; the engine will use its TypeScript kernels');
    expect(existsSync(path.join(engine, 'dist', 'kernels.wasm'))).toBe(false);
    expect(existsSync(path.join(engine, 'dist', 'kernels.wasm.sha256'))).toBe(false);
  });
});
