import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StereoEngineError } from '../../src/errors';

/** A temp folder per test file; `cleanup()` in afterAll. */
export function tempDir(prefix = 'stereo-engine-'): { dir: string; file: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, file: (name) => path.join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function ffmpegSync(args: readonly string[]): void {
  execFileSync(process.env.FFMPEG_PATH || 'ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

export function ffprobeJson(file: string, extra: readonly string[] = []): {
  streams: Array<Record<string, unknown>>;
  format: Record<string, unknown>;
} {
  const out = execFileSync(
    process.env.FFPROBE_PATH || 'ffprobe',
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...extra, file],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as { streams: Array<Record<string, unknown>>; format: Record<string, unknown> };
}

/** Exact decoded frame count (decodes the file: keep test clips small). */
export function countFrames(file: string): number {
  const out = execFileSync(
    process.env.FFPROBE_PATH || 'ffprobe',
    ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file],
    { encoding: 'utf8' },
  );
  return Number(out.trim());
}

/** The MD5 of each decoded video frame (ffmpeg's framemd5), in order. */
export function decodedFrames(file: string): string[] {
  const out = execFileSync(
    process.env.FFMPEG_PATH || 'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', file, '-map', '0:v:0', '-f', 'framemd5', '-'],
    { encoding: 'utf8' },
  );
  return out
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split(',').at(-1)!.trim());
}

export interface ClipSpec {
  readonly width?: number;
  readonly height?: number;
  readonly rate?: string | number;
  readonly seconds?: number;
  readonly audio?: boolean;
  /** Extra output options, e.g. codec choices. */
  readonly outputArgs?: readonly string[];
}

/** A testsrc2 clip (moving pattern) with an optional sine tone. */
export function makeClip(file: string, spec: ClipSpec = {}): string {
  const { width = 320, height = 180, rate = 25, seconds = 1, audio = false } = spec;
  const inputs = ['-f', 'lavfi', '-i', `testsrc2=s=${width}x${height}:r=${rate}:d=${seconds}`];
  if (audio) inputs.push('-f', 'lavfi', '-i', `sine=f=440:d=${seconds}`);
  const codec = spec.outputArgs ?? ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
  ffmpegSync([...inputs, ...codec, ...(audio ? ['-c:a', 'aac', '-shortest'] : []), file]);
  return file;
}

export function makeImage(file: string, width = 320, height = 180): string {
  ffmpegSync(['-f', 'lavfi', '-i', `testsrc2=s=${width}x${height}:r=1`, '-frames:v', '1', file]);
  return file;
}

/** The StereoEngineError a promise rejects with (fails the test when it resolves or rejects otherwise). */
export async function rejection(promise: Promise<unknown>): Promise<StereoEngineError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StereoEngineError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}
