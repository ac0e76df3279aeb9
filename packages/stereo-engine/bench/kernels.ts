// `npx tsx packages/stereo-engine/bench/kernels.ts [frames.yuv WxH]`: times the engine's per-frame
// stages on one thread (grid reduction, depth estimation, rendering), without ffmpeg, so a
// kernel change can be measured alone. Frames are yuv420p; without a file, testsrc2 is made.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { DepthEstimator } from '../src/depth/estimator';
import { createAnalysisGrid, reduceToGrid } from '../src/depth/grid';
import { frameLayout } from '../src/frame/planar';
import { StereoRenderer } from '../src/stereo/renderer';
import { resolveFfmpegPath } from '../src';

const [file, size = '640x720'] = process.argv.slice(2);
const [width = 640, height = 720] = size.split('x').map(Number);
const layout = frameLayout('yuv420p', width, height);
const raw = file
  ? readFileSync(file)
  : execFileSync(resolveFfmpegPath(), [
      '-v', 'error', '-f', 'lavfi', '-i', `testsrc2=s=${width}x${height}:r=30:d=1`, '-frames:v', '8',
      '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1',
    ], { maxBuffer: 1 << 30 });
const frames: Uint8Array[] = [];
for (let o = 0; o + layout.byteLength <= raw.length; o += layout.byteLength) {
  frames.push(new Uint8Array(raw.subarray(o, o + layout.byteLength)));
}
const ROUNDS = Number(process.env.ROUNDS ?? 60);
if (frames.length === 0) throw new Error(`no ${size} yuv420p frame in the input`);
const frameAt = (i: number): Uint8Array => frames[i % frames.length] as Uint8Array;

/** Best of five batches: the least disturbed by whatever else the machine runs. */
function time(name: string, body: (frame: Uint8Array, i: number) => void): void {
  for (let i = 0; i < 10; i++) body(frameAt(i), i); // warm-up
  const batch = Math.max(1, Math.round(ROUNDS / 5));
  let best = Number.POSITIVE_INFINITY;
  for (let b = 0; b < 5; b++) {
    const start = performance.now();
    for (let i = 0; i < batch; i++) body(frameAt(i), i);
    best = Math.min(best, (performance.now() - start) / batch);
  }
  console.log(`${name.padEnd(28)} ${best.toFixed(2).padStart(7)} ms/frame (best of 5 × ${batch})`);
}

const estimator = new DepthEstimator(layout, { pixelAspect: 2, refreshInterval: 1 });
const grid = createAnalysisGrid(estimator.size);
time('reduceToGrid', (frame) => reduceToGrid(frame, layout, grid));
time('estimate (incl. reduce)', (frame) => estimator.estimate(frame));
const field = estimator.estimate(frameAt(0));
const renderer = new StereoRenderer(layout, estimator.size, {
  mode: 'sbs', divergence: 2, convergence: 0.5, anaglyphMethod: 'dubois',
  edgeDilation: 2, zeroParallaxBorder: 0, keepSourceEye: undefined,
});
const out = new Uint8Array(renderer.outputLayout.byteLength);
time('render sbs', (frame) => renderer.render(frame, field, out));
console.log(`checksum ${out.reduce((s, v, i) => (s + v * ((i % 251) + 1)) % 1_000_000_007, 0)}`);
