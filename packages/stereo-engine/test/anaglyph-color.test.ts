import { execFileSync } from 'node:child_process';
import { convertFile } from '../src/convert/convert-file';
import { resolveFfmpegPath } from '../src/ffmpeg/binaries';
import { ffprobeJson, tempDir } from './support/media';
import { ANAGLYPH_MATRICES } from '../src/stereo/anaglyph';

// The colours of a video anaglyph, read from the decoded output: flat stripes of known RGB,
// encoded in each kind of source encoding, must come out as the anaglyph matrices predict
// (both eyes see the same flat colour away from the stripes' edges). Fails when the source's
// matrix or range is misread (BT.601 for BT.709 moves these colours by 5 to 20 levels) or the
// output is not BT.709 limited range as tagged.
jest.setTimeout(120_000);

const tmp = tempDir('stereo-anaglyph-color-');
afterAll(() => tmp.cleanup());

const HEIGHT = 48;
/** Four stripes, 64 pixels wide: saturated but inside the gamut of every matrix here. */
const STRIPES: ReadonlyArray<readonly [number, number, number]> = [
  [200, 60, 30],
  [40, 160, 220],
  [128, 128, 128],
  [230, 220, 50],
];

const ffmpeg = resolveFfmpegPath();

/** Encodes the stripes (RGB) as a 4:2:0 H.264 clip in the given YUV encoding and tags. */
function stripesClip(name: string, width: number, encoding: { matrix: string; range: 'tv' | 'pc'; tags: boolean }): string {
  const stripe = width / STRIPES.length;
  const rgb = new Uint8Array(width * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < width; x++) rgb.set(STRIPES[Math.floor(x / stripe)]!, 3 * (y * width + x));
  }
  const file = tmp.file(name);
  const frames = Buffer.concat(Array.from({ length: 5 }, () => Buffer.from(rgb)));
  execFileSync(ffmpeg, [
    '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-video_size', `${width}x${HEIGHT}`, '-framerate', '25', '-i', 'pipe:0',
    '-vf', `scale=out_color_matrix=${encoding.matrix}:out_range=${encoding.range},format=${encoding.range === 'pc' ? 'yuvj420p' : 'yuv420p'}`,
    ...(encoding.tags ? ['-colorspace', encoding.matrix === 'bt601' ? 'smpte170m' : encoding.matrix, '-color_range', encoding.range] : []),
    '-c:v', 'libx264', '-qp', '0', file,
  ], { input: frames });
  return file;
}

/** The output's middle row as RGB, decoded by ffmpeg as its tags say. */
function decodedRow(file: string, width: number): Uint8Array {
  const frame = execFileSync(ffmpeg, ['-v', 'error', '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
    maxBuffer: 1 << 24,
  });
  const row = HEIGHT >> 1;
  return frame.subarray(row * width * 3, (row + 1) * width * 3);
}

/** What the anaglyph matrices make of a flat colour (both eyes the same), as bytes. */
function predicted(method: keyof typeof ANAGLYPH_MATRICES, [r, g, b]: readonly [number, number, number]): number[] {
  const { left, right } = ANAGLYPH_MATRICES[method];
  return [0, 1, 2].map((row) => {
    const v = [r, g, b].reduce((sum, c, i) => sum + (left[3 * row + i]! + right[3 * row + i]!) * c, 0);
    return Math.round(Math.min(255, Math.max(0, v)));
  });
}

describe('the colours of a video anaglyph', () => {
  const SOURCES = [
    { name: 'bt709-tv', matrix: 'bt709', range: 'tv', tags: true },
    { name: 'bt601-tv', matrix: 'bt601', range: 'tv', tags: true },
    { name: 'bt709-pc', matrix: 'bt709', range: 'pc', tags: true },
    { name: 'bt601-pc', matrix: 'bt601', range: 'pc', tags: true },
    // Untagged and small (SD): read as BT.601, as players do (see docs/stereo-engine.md).
    { name: 'untagged-sd', matrix: 'bt601', range: 'tv', tags: false },
    // Untagged HD: read as BT.709.
    { name: 'untagged-hd', matrix: 'bt709', range: 'tv', tags: false, width: 1280 },
  ] as const;
  const METHODS = ['dubois', 'half-color'] as const;
  const CASES = SOURCES.flatMap((source) => METHODS.map((method) => ({ ...source, method })));

  it.each(CASES)('$name source, $method: the stripes have the colours the matrices predict, tagged BT.709 tv', async (spec) => {
    // Prepare
    const { name, matrix, range, tags, method } = spec;
    const width = 'width' in spec ? spec.width : 256;
    const stripe = width / STRIPES.length;
    const source = stripesClip(`${name}.mp4`, width, { matrix, range, tags });
    const output = tmp.file(`${name}-${method}.mkv`);

    // Act
    await convertFile({ input: source, output, mode: 'anaglyph', anaglyphMethod: method });

    // Assess: each stripe's centre (away from chroma and parallax at the edges) within 3 levels.
    const row = decodedRow(output, width);
    const measured = STRIPES.map((_, i) => {
      const x = i * stripe + stripe / 2;
      return Array.from(row.subarray(3 * x, 3 * x + 3));
    });
    const expected = STRIPES.map((colour) => predicted(method, colour));
    measured.forEach((colour, i) => {
      colour.forEach((level, c) => expect({ stripe: i, channel: c, off: Math.abs(level - expected[i]![c]!) <= 3 ? 'ok' : level - expected[i]![c]! }).toEqual({ stripe: i, channel: c, off: 'ok' }));
    });
    expect(ffprobeJson(output).streams[0]).toMatchObject({ pix_fmt: 'yuv444p', color_space: 'bt709', color_range: 'tv' });
  });
});
