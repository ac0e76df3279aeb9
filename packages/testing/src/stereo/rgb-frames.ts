/**
 * Decoded pixels of a video or image file, as a viewer would see them: ffmpeg decodes the chosen
 * frames to raw RGB (8 bits per channel). For tests that look at the picture itself.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ffmpegPath } from '../fixtures/test-clip';

const run = promisify(execFile);

export interface RgbFrame {
  /** Index of the frame in decoding order (0 for an image). */
  readonly index: number;
  readonly width: number;
  readonly height: number;
  /** rgb24: R, G, B per pixel, row after row. */
  readonly data: Uint8Array;
}

function ffprobePath(): string {
  return process.env.FFPROBE_PATH?.trim() || 'ffprobe';
}

/**
 * Decodes the frames with the given indices (in order, 0-based) of `file` to RGB. An image is one
 * frame, index 0. Throws when a requested frame does not exist.
 */
export async function decodeRgbFrames(file: string, indices: readonly number[]): Promise<RgbFrame[]> {
  const wanted = [...new Set(indices)].sort((a, b) => a - b);
  if (wanted.length === 0) return [];
  const { stdout: size } = await run(ffprobePath(), [
    ...[
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=width,height',
      '-of',
      'csv=p=0',
      file,
    ],
  ]);
  const [width, height] = size.trim().split(',').map(Number) as [number, number];
  const select = wanted.map((n) => `eq(n\\,${n})`).join('+');
  const { stdout } = await run(
    ffmpegPath(),
    [
      ...['-hide_banner', '-v', 'error', '-nostdin', '-i', file, '-map', '0:v:0'],
      ...[
        '-vf',
        `select='${select}'`,
        '-fps_mode',
        'passthrough',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        '-',
      ],
    ],
    { encoding: 'buffer', maxBuffer: wanted.length * width * height * 3 + 1024 },
  );
  const frameBytes = width * height * 3;
  const decoded = Math.floor(stdout.length / frameBytes);
  if (decoded !== wanted.length) {
    throw new Error(`${file}: asked for frames ${wanted.join(', ')} but ffmpeg decoded ${decoded} of them`);
  }
  return wanted.map((index, i) => ({
    index,
    width,
    height,
    data: new Uint8Array(stdout.buffer, stdout.byteOffset + i * frameBytes, frameBytes),
  }));
}
