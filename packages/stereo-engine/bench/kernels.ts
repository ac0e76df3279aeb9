// `npx tsx packages/stereo-engine/bench/kernels.ts [frames.yuv WxH]`: times the engine's per-frame
// stages on one thread (grid reduction and rendering with each kernel set that loads, the depth
// estimate: full estimates and the reuse frames between them, over the frames in order), without
// ffmpeg, so a kernel change can be measured alone. Frames are yuv420p (sbs, half-sbs and the
// video anaglyph; the image anaglyph renders the same bytes as gbrp planes); without a file, a
// second of moving testsrc2 is made.
// `npm run bench` prints the same stages (measureKernelStages).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { OutputMode } from '@stereo-spot/shared-types';
import { DepthEstimator } from '../src/depth/estimator';
import { createAnalysisGrid, reduceToGrid } from '../src/depth/grid';
import { VIDEO_DEPTH_REFRESH } from '../src/convert/video';
import { frameLayout, type FrameLayout } from '../src/frame/planar';
import { availableKernelSet, type KernelSet } from '../src/stereo/kernels';
import { StereoRenderer } from '../src/stereo/renderer';
import { resolveFfmpegPath } from '../src/ffmpeg/binaries';

export interface KernelStage {
  readonly stage: string;
  readonly kernelSet: KernelSet;
  /** Best batch's CPU-bound wall time per frame on one thread, ms. */
  readonly msPerFrame: number;
  /** Output checksum: equal across kernel sets when they render the same bytes. */
  readonly checksum?: number;
}

/** Times the stages on `frames` (yuv420p, width × height); best of five batches of rounds/5. */
export function measureKernelStages(frames: Uint8Array[], width: number, height: number, rounds = 60): KernelStage[] {
  const layout = frameLayout('yuv420p', width, height);
  if (frames.length === 0) throw new Error(`no ${width}x${height} yuv420p frame in the input`);
  const frameAt = (i: number): Uint8Array => frames[i % frames.length] as Uint8Array;
  const time = (body: (frame: Uint8Array, index: number) => void): number => {
    for (let i = 0; i < 10; i++) body(frameAt(i), i); // warm-up
    const batch = Math.max(1, Math.round(rounds / 5));
    let best = Number.POSITIVE_INFINITY;
    for (let b = 0; b < 5; b++) {
      const start = performance.now();
      for (let i = 0; i < batch; i++) body(frameAt(i), i);
      best = Math.min(best, (performance.now() - start) / batch);
    }
    return best;
  };
  const stages: KernelStage[] = [];
  // Both kernel sets in the same run (same machine load), the TypeScript one as the reference.
  const kernelSets: KernelSet[] = availableKernelSet() === 'wasm-simd' ? ['typescript', 'wasm-simd'] : ['typescript'];
  const estimator = new DepthEstimator(layout, { pixelAspect: 2, refreshInterval: 1 });
  const grid = createAnalysisGrid(estimator.size);
  for (const kernelSet of kernelSets) {
    const msPerFrame = time((frame) => reduceToGrid(frame, layout, grid, kernelSet));
    const checksum = [grid.luma, grid.cb, grid.cr, grid.detail].reduce(
      (s, cells) => new Uint8Array(cells.buffer, cells.byteOffset, cells.byteLength).reduce((t, v, i) => (t + v * ((i % 251) + 1)) % 1_000_000_007, s), 0,
    );
    stages.push({ stage: 'reduceToGrid', kernelSet, msPerFrame, checksum });
  }
  // The whole depth estimate with each kernel set (its grids in the kernels' memory or not), over
  // the frames in order as a video conversion estimates them (re-estimated every other frame,
  // VIDEO_DEPTH_REFRESH): the full estimates and the frames between (the last fit reused, its
  // cells following what moved) timed apart, each the best of five passes over the sequence.
  for (const kernelSet of kernelSets) {
    const { full, reuse } = timeEstimates(frames, layout, kernelSet, Math.max(1, Math.round(rounds / frames.length)));
    const { a, b } = new DepthEstimator(layout, { pixelAspect: 2, refreshInterval: 1, kernelSet }).estimate(frameAt(0));
    const checksum = [a, b].reduce(
      (s, cells) => new Uint8Array(cells.buffer, cells.byteOffset, cells.byteLength).reduce((t, v, i) => (t + v * ((i % 251) + 1)) % 1_000_000_007, s), 0,
    );
    stages.push({ stage: 'estimate, full (incl. reduce)', kernelSet, msPerFrame: full, checksum });
    stages.push({ stage: 'estimate, reuse frame (incl. reduce)', kernelSet, msPerFrame: reuse });
    stages.push({ stage: 'estimate, mean at refresh 2', kernelSet, msPerFrame: (full + reuse) / 2 });
  }
  const field = estimator.estimate(frameAt(0));
  // Anaglyph works on gbrp frames: the same bytes as planes G = Y, B = Cb, R = Cr (chroma
  // repeated to full size), which is all timing needs.
  const gbrpLayout = frameLayout('gbrp', width, height);
  const gbrpFrames = frames.map((frame) => {
    const gbrp = new Uint8Array(gbrpLayout.byteLength);
    gbrp.set(frame.subarray(0, width * height));
    const chroma = layout.planes[1] as { width: number; offset: number };
    for (let plane = 1; plane <= 2; plane++) {
      const source = (layout.planes[plane] as { offset: number }).offset;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) gbrp[plane * width * height + y * width + x] = frame[source + (y >> 1) * chroma.width + (x >> 1)] as number;
      }
    }
    return gbrp;
  });
  const gbrpEstimator = new DepthEstimator(gbrpLayout, { refreshInterval: 1 });
  const gbrpField = gbrpEstimator.estimate(gbrpFrames[0] as Uint8Array);
  const modes: OutputMode[] = ['sbs', 'half-sbs', 'anaglyph'];
  for (const mode of modes) {
    const anaglyph = mode === 'anaglyph';
    for (const kernelSet of kernelSets) {
      const renderer = new StereoRenderer(anaglyph ? gbrpLayout : layout, anaglyph ? gbrpEstimator.size : estimator.size, {
        mode, divergence: 2, convergence: 0.5, anaglyphMethod: 'dubois',
        edgeDilation: 2, zeroParallaxBorder: 0, keepSourceEye: undefined,
      }, kernelSet);
      const out = new Uint8Array(renderer.outputLayout.byteLength);
      const msPerFrame = anaglyph
        ? time((_, i) => renderer.render(gbrpFrames[i % gbrpFrames.length] as Uint8Array, gbrpField, out))
        : time((frame) => renderer.render(frame, field, out));
      const checksum = out.reduce((s, v, i) => (s + v * ((i % 251) + 1)) % 1_000_000_007, 0);
      stages.push({ stage: anaglyph ? 'render anaglyph (gbrp)' : `render ${mode}`, kernelSet, msPerFrame, checksum });
    }
  }
  // A video anaglyph: the yuv420p frames themselves (chroma upsampled in the renderer).
  for (const kernelSet of kernelSets) {
    const renderer = new StereoRenderer(layout, estimator.size, {
      mode: 'anaglyph', divergence: 2, convergence: 0.5, anaglyphMethod: 'dubois',
      edgeDilation: 2, zeroParallaxBorder: 0, keepSourceEye: undefined, anaglyphSource: { matrix: 'bt709', fullRange: false },
    }, kernelSet);
    const out = new Uint8Array(renderer.outputLayout.byteLength);
    const msPerFrame = time((frame) => renderer.render(frame, field, out));
    const checksum = out.reduce((s, v, i) => (s + v * ((i % 251) + 1)) % 1_000_000_007, 0);
    stages.push({ stage: 'render anaglyph (yuv420p video)', kernelSet, msPerFrame, checksum });
  }
  return stages;
}

/**
 * Mean ms per full estimate and per reuse frame of a DepthEstimator re-estimating every other frame
 * over `frames` in order (a reuse frame leaves the diagnostics as they were); the best of five
 * passes of `passes` runs through the sequence each, after one to warm up.
 */
function timeEstimates(frames: Uint8Array[], layout: FrameLayout, kernelSet: KernelSet, passes: number): { full: number; reuse: number } {
  const estimator = new DepthEstimator(layout, { pixelAspect: 2, refreshInterval: VIDEO_DEPTH_REFRESH, kernelSet });
  let best = { full: Number.POSITIVE_INFINITY, reuse: Number.POSITIVE_INFINITY };
  for (let pass = 0; pass < 6; pass++) {
    const spent = { full: 0, reuse: 0 };
    const count = { full: 0, reuse: 0 };
    for (let run = 0; run < (pass === 0 ? 1 : passes); run++) {
      for (const frame of frames) {
        const before = estimator.lastDiagnostics;
        const start = performance.now();
        estimator.estimate(frame);
        const kind = estimator.lastDiagnostics === before ? 'reuse' : 'full';
        spent[kind] += performance.now() - start;
        count[kind]++;
      }
    }
    if (pass === 0) continue;
    best = { full: Math.min(best.full, spent.full / count.full), reuse: Math.min(best.reuse, spent.reuse / count.reuse) };
  }
  return best;
}

/** `count` testsrc2 frames (30 a second: a moving picture), yuv420p. */
export function testFrames(width: number, height: number, count = 30): Uint8Array[] {
  const raw = execFileSync(resolveFfmpegPath(), [
    '-v', 'error', '-f', 'lavfi', '-i', `testsrc2=s=${width}x${height}:r=30:d=1`, '-frames:v', String(count),
    '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1',
  ], { maxBuffer: 1 << 30 });
  return splitFrames(raw, width, height);
}

function splitFrames(raw: Uint8Array, width: number, height: number): Uint8Array[] {
  const bytes = frameLayout('yuv420p', width, height).byteLength;
  const frames: Uint8Array[] = [];
  for (let o = 0; o + bytes <= raw.length; o += bytes) frames.push(new Uint8Array(raw.subarray(o, o + bytes)));
  return frames;
}

if (require.main === module) {
  const [file, size = '640x720'] = process.argv.slice(2);
  const [width = 640, height = 720] = size.split('x').map(Number);
  const frames = file ? splitFrames(readFileSync(file), width, height) : testFrames(width, height);
  for (const s of measureKernelStages(frames, width, height, Number(process.env.ROUNDS ?? 60))) {
    const checksum = s.checksum === undefined ? '' : `  checksum ${s.checksum}`;
    console.log(`${`${s.stage} [${s.kernelSet}]`.padEnd(44)} ${s.msPerFrame.toFixed(2).padStart(7)} ms/frame${checksum}`);
  }
}
