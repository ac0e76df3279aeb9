import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OutputMode } from '@stereo-spot/shared-types';
import { resolveFfmpegPath } from '../src/ffmpeg/binaries';
import { availableKernelSet } from '../src/stereo/kernels';
import { measureKernelStages, testFrames } from './kernels';
import { measure, type Measured } from './process-tree';

/** A benchmark row: scripts/bench.ts runs the cases of every package and prints one table. */
export interface BenchmarkCase {
  readonly name: string;
  /** `runs`: engine runs, each between two plain transcodes (BENCH_RUNS, read by scripts/bench.ts). */
  run(options: { readonly runs: number }): Promise<Record<string, string | number>>;
}

interface EngineCase {
  readonly width: number;
  readonly height: number;
  readonly seconds: number;
  readonly mode: OutputMode;
  /** x264 preset for both sides; default the engine's. */
  readonly preset?: string;
}

/** Encoder settings shared by the engine and the plain transcode (the engine's defaults). */
const ENCODER = { codec: 'libx264', preset: 'veryfast', crf: 20 } as const;
const CLIP_DIR = path.join(os.tmpdir(), 'stereo-spot-bench');
const STEREO_SPOT_BIN = path.join(__dirname, '..', '..', '..', 'apps', 'cli', 'bin', 'stereo-spot.cjs');

/**
 * The engine against a plain ffmpeg transcode of the same clip to the same output size with the
 * same encoder settings, in the same run (plain and engine in turn, BENCH_RUNS engine runs; wall
 * and CPU time). Clips: testsrc2 (moving, textured) with a tone. 1080p runs at two lengths: peak
 * RSS must not grow with the length.
 */
export function benchmarkCases(): BenchmarkCase[] {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const cases: EngineCase[] = [
    { width: 1280, height: 720, seconds, mode: 'half-sbs' },
    { width: 1920, height: 1080, seconds: Math.max(2, Math.round(seconds / 2)), mode: 'half-sbs' },
    { width: 1920, height: 1080, seconds: seconds * 2, mode: 'half-sbs' },
    { width: 1280, height: 720, seconds, mode: 'sbs' },
    { width: 1280, height: 720, seconds, mode: 'anaglyph' },
    // For context: with x264's own default preset the encoder's share of the work is larger.
    { width: 1280, height: 720, seconds, mode: 'half-sbs', preset: 'medium' },
  ];
  return cases.map((c) => ({
    name: `stereo-engine ${c.mode} ${c.height}p ${c.seconds}s${c.preset ? ` ${c.preset}` : ''}`,
    run: ({ runs }) => runEngineCase(c, runs),
  }));
}

/**
 * Printed under the table: the per-stage CPU per frame of bench/kernels.ts (one thread, 640×720,
 * the working size of a 720p half-sbs conversion), for each kernel set this machine loads.
 */
export function benchmarkNotes(): string {
  const [width, height] = [640, 720];
  const stages = measureKernelStages(testFrames(width, height), width, height);
  const lines = stages.map((s) => `| ${s.stage} | ${s.kernelSet} | ${s.msPerFrame.toFixed(2)} |`);
  return [
    `stereo-engine per-stage CPU per ${width}x${height} frame, one thread (bench/kernels.ts, best of 5 batches):`,
    '',
    '| stage | kernels | ms/frame |',
    '| --- | --- | --- |',
    ...lines,
  ].join('\n');
}

async function runEngineCase(c: EngineCase, runs: number): Promise<Record<string, string | number>> {
  mkdirSync(CLIP_DIR, { recursive: true });
  const clip = makeClip(c.width, c.height, c.seconds);
  const frames = c.seconds * 30;
  const plainOut = path.join(CLIP_DIR, 'plain.mp4');
  const engineOut = path.join(CLIP_DIR, 'engine.mp4');
  const outWidth = c.mode === 'sbs' ? 2 * c.width : c.width;
  const pixFmt = c.mode === 'anaglyph' ? 'yuv444p' : 'yuv420p';
  const encoder = { ...ENCODER, preset: c.preset ?? ENCODER.preset };

  const plainArgs = [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', clip,
    ...(outWidth !== c.width ? ['-vf', `scale=${outWidth}:${c.height}`] : []),
    '-c:v', encoder.codec, '-preset', encoder.preset, '-crf', String(encoder.crf), '-pix_fmt', pixFmt,
    '-c:a', 'copy', plainOut,
  ];
  // Plain, then engine and plain in turn: each engine run is set against the mean of the plain
  // runs on either side of it (the machine's speed drifts), and the medians of those ratios are
  // reported, so one disturbed run does not decide a row.
  const plainRun = async (): Promise<Measured> => {
    const plain = await measure(resolveFfmpegPath(), plainArgs);
    if (plain.code !== 0) throw new Error(`plain transcode failed: ${plain.stderr}`);
    return plain;
  };
  const plains = [await plainRun()];
  const pairs: Array<{ engine: Measured; plainSeconds: number; plainCpu: number | undefined }> = [];
  for (let run = 0; run < runs; run++) {
    // The engine as users run it: `stereo-spot convert` (the bin starts the bundled command when
    // it is current, as after the bootstrap; see scripts/build-bundles.mjs).
    const engine = await measure(process.execPath, [
      STEREO_SPOT_BIN, 'convert', clip, '-o', engineOut, '--mode', c.mode,
      '--codec', encoder.codec, '--preset', encoder.preset, '--crf', String(encoder.crf),
    ]);
    if (engine.code !== 0) throw new Error(`engine failed: ${engine.stderr}`);
    const [before, after] = [plains[plains.length - 1], await plainRun()];
    plains.push(after);
    pairs.push({
      engine,
      plainSeconds: ((before?.seconds ?? after.seconds) + after.seconds) / 2,
      plainCpu:
        before?.cpuSeconds !== undefined && after.cpuSeconds !== undefined ? (before.cpuSeconds + after.cpuSeconds) / 2 : undefined,
    });
  }
  const engines = pairs.map((pair) => pair.engine);
  const converted = /, (\d+) frames \(/.exec(engines[0]?.stdout ?? '');
  if (!converted) throw new Error(`engine printed no frame count: ${engines[0]?.stdout ?? ''}`);
  rmSync(plainOut, { force: true });
  rmSync(engineOut, { force: true });
  const wallRatios = pairs.map((pair) => pair.engine.seconds / pair.plainSeconds);
  const cpuRatios = pairs.flatMap((pair) =>
    pair.engine.cpuSeconds !== undefined && pair.plainCpu ? [pair.engine.cpuSeconds / pair.plainCpu] : [],
  );
  return {
    clip: `${c.width}x${c.height} ${c.seconds}s 30fps`,
    kernels: availableKernelSet(),
    frames: Number(converted[1]),
    runs,
    'engine fps': (frames / median(engines.map((m) => m.seconds))).toFixed(1),
    'ffmpeg fps': (frames / median(plains.map((m) => m.seconds))).toFixed(1),
    'wall ratio': `${median(wallRatios).toFixed(2)}${spread(wallRatios)}`,
    'CPU ratio': cpuRatios.length === runs ? `${median(cpuRatios).toFixed(2)}${spread(cpuRatios)}` : '–',
    'engine peak RSS MB': Math.round(Math.max(...engines.map((m) => m.peakRssMb))),
    'ffmpeg peak RSS MB': Math.round(Math.max(...plains.map((m) => m.peakRssMb))),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const [below, at] = [sorted[middle - 1] ?? NaN, sorted[middle] ?? NaN];
  return sorted.length % 2 ? at : (below + at) / 2;
}

/** ` (min–max)` of several runs; nothing for one. */
function spread(values: readonly number[]): string {
  return values.length > 1 ? ` (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})` : '';
}

function makeClip(width: number, height: number, seconds: number): string {
  const file = path.join(CLIP_DIR, `testsrc2-${width}x${height}-${seconds}s.mp4`);
  if (existsSync(file)) return file;
  execFileSync(resolveFfmpegPath(), [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-f', 'lavfi', '-i', `testsrc2=s=${width}x${height}:r=30:d=${seconds}`,
    '-f', 'lavfi', '-i', `sine=f=440:d=${seconds}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-c:a', 'aac', '-shortest', file,
  ]);
  return file;
}
