/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array loops: indices in range by construction */
// `npm run eval:pictures [folder]`: for each real photograph of the eval, one PNG with the source,
// the engine's depth (white = near) and the red-cyan anaglyph side by side, for the docs
// (default folder docs/images/depth). The photographs come from Debian packages (see
// real/debian-data.ts); nothing here is committed but the pictures.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { resolveFfmpegPath } from '../src/ffmpeg/binaries';
import { frameLayout, gbrpFromRgb, rgbFromGbrp } from '../src/frame/planar';
import { StereoRenderer } from '../src/stereo/renderer';
import { allFiles, MEASURED_DEPTH_CASES, SUBJECT_CASES } from './real/cases';
import { locate } from './real/debian-data';
import { decode, engineDepth } from './real/evaluate';

const folder = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', '..', 'docs', 'images', 'depth'));
const TILE_WIDTH = 320;

function main(): void {
  mkdirSync(folder, { recursive: true });
  const where = locate(allFiles());
  const photos = [
    ...MEASURED_DEPTH_CASES.map((c) => ({ name: c.name, file: where.get(c.left)! })),
    ...SUBJECT_CASES.map((c) => ({ name: c.name, file: where.get(c.image)! })),
  ];
  for (const photo of photos) {
    const picture = decode(photo.file);
    const { width, height } = picture;
    const layout = frameLayout('gbrp', width, height);
    const frame = gbrpFromRgb(picture.rgb, width, height).data;
    const { field, grid, depth } = engineDepth(layout, frame);
    const renderer = new StereoRenderer(layout, grid, {
      mode: 'anaglyph',
      divergence: 2,
      convergence: 0.5,
      anaglyphMethod: 'dubois',
      edgeDilation: 2,
      zeroParallaxBorder: 0,
      keepSourceEye: undefined,
    });
    const anaglyph = new Uint8Array(renderer.outputLayout.byteLength);
    renderer.render(frame, field, anaglyph);
    const gray = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) gray.fill(Math.round(depth[i]! * 255), 3 * i, 3 * i + 3);
    const strip = Buffer.concat([picture.rgb, gray, rgbFromGbrp({ layout: renderer.outputLayout, data: anaglyph })]);
    const slug = photo.name.toLowerCase().replace(/\(.*?\)/g, '').trim().replace(/[^a-z0-9]+/g, '-');
    const out = path.join(folder, `${slug}.png`);
    const tileHeight = Math.round((height * TILE_WIDTH) / width / 2) * 2;
    const tile = (k: number, label: string): string =>
      `[${label}]crop=${width}:${height}:0:${k * height},scale=${TILE_WIDTH}:${tileHeight}[${label}${k}]`;
    const graph = `[0]split=3[s][d][g];${tile(0, 's')};${tile(1, 'd')};${tile(2, 'g')};[s0][d1][g2]hstack=3`;
    execFileSync(resolveFfmpegPath(), [
      '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-video_size', `${width}x${height * 3}`, '-i', 'pipe:0',
      '-filter_complex', graph, '-frames:v', '1', out,
    ], { input: strip });
    console.log(out);
  }
}

main();
