import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DepthEstimator } from '../src/depth/estimator';
import { resolveConvertOptions, renderOptionsOf } from '../src/convert/options';
import { createFrameRenderer } from '../src/convert/render-pool';
import type { RenderSetup } from '../src/convert/render-protocol';
import {
  RENDER_WORKER_ENTRIES,
  bundleIsCurrent,
  workerLaunchFor,
  type WorkerEntries,
  type WorkerLaunch,
} from '../src/convert/worker-launch';
import { frameLayout } from '../src/frame/planar';

const ROOT = path.join(__dirname, '..', '..', '..');

/** A copy of the package's sources and the bundle, so a test can edit a source or the record. */
function copiedEntries(dir: string): WorkerEntries {
  const packageDir = path.join(dir, 'stereo-engine');
  cpSync(path.join(RENDER_WORKER_ENTRIES.packageDir, 'src'), path.join(packageDir, 'src'), { recursive: true });
  mkdirSync(path.join(packageDir, 'dist', 'convert'), { recursive: true });
  const bundle = path.join(packageDir, 'dist', 'convert', 'render-worker.cjs');
  const manifest = path.join(packageDir, 'dist', 'convert', 'render-worker.inputs.json');
  cpSync(RENDER_WORKER_ENTRIES.bundle, bundle);
  cpSync(RENDER_WORKER_ENTRIES.manifest, manifest);
  return {
    bundle,
    manifest,
    packageDir,
    compiled: path.join(packageDir, 'src', 'convert', 'render-worker.js'),
    source: path.join(packageDir, 'src', 'convert', 'render-worker.ts'),
  };
}

/**
 * Renders `frames` through `threads` workers started by `launch` (0: inline); per frame, in order,
 * the SHA-256 of its packed output and depth bytes.
 */
async function renderAll(setup: RenderSetup, frames: Uint8Array[], threads: number, launch?: WorkerLaunch): Promise<string[]> {
  const renderer = createFrameRenderer(setup, threads, () => launch);
  const estimator = new DepthEstimator(setup.layout, { refreshInterval: 2 });
  try {
    const outputs: string[] = [];
    for (const frame of frames) {
      const slot = renderer.take();
      slot.frame.set(frame);
      const done = await renderer.render(slot, estimator.estimate(slot.frame));
      outputs.push(createHash('sha256').update(done.output).update(done.depth ?? new Uint8Array()).digest('hex'));
      renderer.release(done);
    }
    return outputs;
  } finally {
    await renderer.close();
  }
}

describe('render worker launch', () => {
  let dir: string;

  beforeAll(() => {
    // The project's own build step (the bootstrap runs it); a no-op when the bundle is current.
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-bundles.mjs'), '--strict']);
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'worker-launch-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts the bundle, without a TypeScript loader, while its sources are unchanged', () => {
    const launch = workerLaunchFor(RENDER_WORKER_ENTRIES);

    expect(launch).toEqual({ kind: 'bundle', file: RENDER_WORKER_ENTRIES.bundle, execArgv: [] });
    const recorded = Object.keys((JSON.parse(readFileSync(RENDER_WORKER_ENTRIES.manifest, 'utf8')) as { inputs: object }).inputs);
    expect(recorded).toEqual(expect.arrayContaining(['src/convert/render-worker.ts', 'src/stereo/renderer.ts', 'src/stereo/kernels.ts']));
  });

  it('falls back to the TypeScript worker through tsx when a source changed after the bundle was built', () => {
    const entries = copiedEntries(dir);
    expect(bundleIsCurrent(entries)).toBe(true);
    const warp = path.join(entries.packageDir, 'src', 'stereo', 'warp.ts');

    writeFileSync(warp, `${readFileSync(warp, 'utf8')}\n// edited\n`);

    expect(bundleIsCurrent(entries)).toBe(false);
    const launch = workerLaunchFor(entries);
    expect(launch?.kind).toBe('typescript');
    expect(launch?.file).toBe(entries.source);
    expect(launch?.execArgv).toEqual(['--require', require.resolve('tsx/cjs')]);
  });

  it('falls back when the bundle or its record is missing or unreadable', () => {
    const noBundle = copiedEntries(path.join(dir, 'a'));
    rmSync(noBundle.bundle);
    const badRecord = copiedEntries(path.join(dir, 'b'));
    writeFileSync(badRecord.manifest, '{ not json');
    const emptyRecord = copiedEntries(path.join(dir, 'c'));
    writeFileSync(emptyRecord.manifest, '{"inputs":{}}');

    expect(workerLaunchFor(noBundle)?.kind).toBe('typescript');
    expect(workerLaunchFor(badRecord)?.kind).toBe('typescript');
    expect(workerLaunchFor(emptyRecord)?.kind).toBe('typescript');
  });

  it('renders the same bytes from the bundled worker, the TypeScript worker and the main thread', async () => {
    // Small frames of patterned noise, strong parallax (divergence 8), the depth bytes too.
    const layout = frameLayout('yuv420p', 322, 182);
    const frames = [0, 1, 2].map((k) => {
      const frame = new Uint8Array(layout.byteLength);
      for (let i = 0; i < frame.length; i++) frame[i] = (i * 7 + ((i * 2654435761) >>> 27) + k * 13) & 255;
      return frame;
    });
    const estimator = new DepthEstimator(layout);
    const setup: RenderSetup = {
      layout,
      grid: estimator.size,
      withDepth: true,
      options: renderOptionsOf(resolveConvertOptions({ input: 'in.mp4', output: 'out.mp4', mode: 'sbs', divergence: 8 }), 'sbs'),
    };
    const bundled = workerLaunchFor(RENDER_WORKER_ENTRIES);
    const typescript = workerLaunchFor({ ...RENDER_WORKER_ENTRIES, manifest: path.join(dir, 'missing.json') });
    expect(bundled?.kind).toBe('bundle');
    expect(typescript?.kind).toBe('typescript');

    const inline = await renderAll(setup, frames, 0);
    const fromBundle = await renderAll(setup, frames, 2, bundled);
    const fromTypeScript = await renderAll(setup, frames, 2, typescript);

    expect(fromBundle).toEqual(inline);
    expect(fromTypeScript).toEqual(inline);
  });
});
