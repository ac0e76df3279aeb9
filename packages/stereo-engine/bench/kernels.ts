// `npx tsx packages/stereo-engine/bench/kernels.ts [frames.yuv WxH]`: times the engine's per-frame
// stages on one thread (grid reduction, depth estimation, rendering with each kernel set that
// loads), without ffmpeg, so a kernel change can be measured alone. Frames are yuv420p; without a
// file, testsrc2 is made. `npm run bench` prints the same stages (measureKernelStages).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { OutputMode } from '@stereo-spot/shared-types';
import { DepthEstimator } from '../src/depth/estimator';
import { createAnalysisGrid, reduceToGrid } from '../src/depth/grid';
import { frameLayout } from '../src/frame/planar';
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
  const time = (body: (frame: Uint8Array) => void): number => {
    for (let i = 0; i < 10; i++) body(frameAt(i)); // warm-up
    const batch = Math.max(1, Math.round(rounds / 5));
    let best = Number.POSITIVE_INFINITY;
    for (let b = 0; b < 5; b++) {
      const start = performance.now();
      for (let i = 0; i < batch; i++) body(frameAt(i));
      best = Math.min(best, (performance.now() - start) / batch);
    }
    return best;
  };
  const stages: KernelStage[] = [];
  // The depth stages have TypeScript kernels only.
  const estimator = new DepthEstimator(layout, { pixelAspect: 2, refreshInterval: 1 });
  const grid = createAnalysisGrid(estimator.size);
  stages.push({ stage: 'reduceToGrid', kernelSet: 'typescript', msPerFrame: time((frame) => reduceToGrid(frame, layout, grid)) });
  stages.push({ stage: 'estimate (incl. reduce)', kernelSet: 'typescript', msPerFrame: time((frame) => estimator.estimate(frame)) });
  const field = estimator.estimate(frameAt(0));
  // Both kernel sets in the same run (same machine load), the TypeScript one as the reference.
  const kernelSets: KernelSet[] = availableKernelSet() === 'wasm-simd' ? ['typescript', 'wasm-simd'] : ['typescript'];
  const modes: OutputMode[] = ['sbs', 'half-sbs'];
  for (const mode of modes) {
    for (const kernelSet of kernelSets) {
      const renderer = new StereoRenderer(layout, estimator.size, {
        mode, divergence: 2, convergence: 0.5, anaglyphMethod: 'dubois',
        edgeDilation: 2, zeroParallaxBorder: 0, keepSourceEye: undefined,
      }, kernelSet);
      const out = new Uint8Array(renderer.outputLayout.byteLength);
      const msPerFrame = time((frame) => renderer.render(frame, field, out));
      const checksum = out.reduce((s, v, i) => (s + v * ((i % 251) + 1)) % 1_000_000_007, 0);
      stages.push({ stage: `render ${mode}`, kernelSet, msPerFrame, checksum });
    }
  }
  return stages;
}

/** `count` testsrc2 frames, yuv420p. */
export function testFrames(width: number, height: number, count = 8): Uint8Array[] {
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
    console.log(`${`${s.stage} [${s.kernelSet}]`.padEnd(36)} ${s.msPerFrame.toFixed(2).padStart(7)} ms/frame${checksum}`);
  }
}
