/**
 * A synthetic scene whose 3D is known, for tests that read the stereo output: a strongly textured,
 * sharp, saturated object standing on the ground in the lower middle of the frame (it touches the
 * bottom edge and rises above the horizon) in front of a flat, evenly textured, paler, slightly
 * blurred far wall. Any sensible monocular depth estimate puts the object in front of the wall:
 * it stands on the ground nearer than the wall's foot, occludes the wall, and is the sharp,
 * saturated, salient thing in the picture. Both surfaces carry aperiodic texture (a hash of the
 * pixel position, no repeats within the matching range) so block matching can measure their
 * shift in each eye.
 *
 * Each second of a video has a marker: a grey box in the top-left corner whose brightness steps
 * up every second (`nearObjectScene.markerLevel(second)`), so the order of the seconds (and of the
 * segments cut from them) can be read back from the output.
 *
 * Made with ffmpeg's lavfi sources at 320x180: nothing is checked in.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ffmpegPath } from '../fixtures/test-clip';
import type { Region } from './block-matching';

const run = promisify(execFile);

const WIDTH = 320;
const HEIGHT = 180;
/** The wall fills the rows above, the ground the rows from here down. */
const HORIZON = 100;
const OBJECT = { x: 112, y: 52, width: 96, height: HEIGHT - 52 } as const;
const MARKER = { x: 8, y: 8, width: 48, height: 32 } as const;
/** Texture cell sizes in pixels: cells of a few pixels survive 4:2:0 chroma, x264 and squeezing. */
const WALL_CELL = 4;
const OBJECT_CELL = 8;
const MARKER_LEVELS = [40, 100, 160, 220] as const;

export const nearObjectScene = {
  width: WIDTH,
  height: HEIGHT,
  horizon: HORIZON,
  /** Where the object is drawn. */
  object: OBJECT as Region,
  /**
   * Where to measure the object's shift: its part above the horizon (in front of the wall), 16 px
   * inside its left and right edges so neither eye's occlusion fringe reaches the block.
   */
  objectBlock: { x: 128, y: 60, width: 64, height: 32 } as Region,
  /** Blocks of the far wall at the same height as `objectBlock`, two on each side, 16 px clear of the object. */
  wallBlocks: [
    { x: 12, y: 60, width: 36, height: 32 },
    { x: 60, y: 60, width: 36, height: 32 },
    { x: 224, y: 60, width: 36, height: 32 },
    { x: 272, y: 60, width: 36, height: 32 },
  ] as readonly Region[],
  /** The inside of the marker box (12 px and 8 px clear of its edges, which the eyes shift). */
  markerBlock: {
    x: MARKER.x + 12,
    y: MARKER.y + 8,
    width: MARKER.width - 24,
    height: MARKER.height - 16,
  } as Region,
  /**
   * The divergence to convert the scene with (parallax range 16 px at 320 px wide): the thresholds
   * of `sceneStereoDefects` were measured with it.
   */
  divergence: 5,
  /** The longest video the marker can number. */
  maxSeconds: MARKER_LEVELS.length,
  /** The marker's grey level (0..255) during second `second` of the video. */
  markerLevel(second: number): number {
    const level = MARKER_LEVELS[second];
    if (level === undefined)
      throw new RangeError(`the scene's marker numbers seconds 0..${MARKER_LEVELS.length - 1}`);
    return level;
  },
} as const;

export interface NearObjectSceneOptions {
  /** Folder to write into. */
  readonly dir: string;
  /** `.png` (or another image extension) for a still image of second 0; otherwise an H.264 video. */
  readonly fileName: string;
  /** Video length, 1..4 s; default 3. */
  readonly seconds?: number;
  /** Default 24. */
  readonly fps?: number;
  /** A 440 Hz AAC track; default false. */
  readonly audio?: boolean;
}

export interface NearObjectSceneFile {
  readonly path: string;
  readonly frames: number;
  readonly fps: number;
  readonly seconds: number;
}

// A hash of the pixel position in [0, 1): fract(|sin(x·a + y·b)|·c), evaluated by geq per pixel.
const hash = (a: number, b: number, c: number): string =>
  `st(0,abs(sin(X*${a}+Y*${b}))*${c});ld(0)-floor(ld(0))`;
const WALL_AND_GROUND = hash(12.9898, 78.233, 43758.5453);
const OBJECT_TEXTURE = hash(39.3468, 11.135, 24634.6345);

/** Writes the scene as a video (or a still image) with ffmpeg. */
export async function makeNearObjectScene(options: NearObjectSceneOptions): Promise<NearObjectSceneFile> {
  const fps = options.fps ?? 24;
  const image = /\.(png|jpe?g|webp|bmp|tiff?)$/i.test(options.fileName);
  const seconds = image ? 1 : (options.seconds ?? 3);
  if (seconds < 1 || seconds > nearObjectScene.maxSeconds) {
    throw new RangeError(`the scene lasts 1..${nearObjectScene.maxSeconds} s, not ${seconds}`);
  }
  const output = path.join(options.dir, options.fileName);
  // Surfaces are drawn on a coarse grid and enlarged without smoothing: cells of a few pixels
  // survive 4:2:0 chroma, x264 at ultrafast and half-width squeezing. Wall: pale blue-grey, lower
  // contrast, slightly blurred. Ground: darker, brown. Object: a sharp yellow/red pattern at full
  // saturation; its 8 px cells keep the object's block recognisable in both eyes even when an
  // estimator gives its yellow and red cells slightly different depths.
  const surface = (wall: number, ground: number) =>
    `'st(1,${WALL_AND_GROUND});if(lt(Y,${HORIZON / WALL_CELL}),${wall},${ground})+70*(ld(1)-0.5)'`;
  const objectChannel = (on: number, off: number) =>
    `'st(1,${OBJECT_TEXTURE});if(gt(ld(1),0.5),${on},${off})'`;
  const markers = Array.from({ length: seconds }, (_, second) => {
    const grey = nearObjectScene.markerLevel(second).toString(16).padStart(2, '0').repeat(3);
    const { x, y, width, height } = MARKER;
    return `drawbox=x=${x}:y=${y}:w=${width}:h=${height}:color=0x${grey}:t=fill:enable='gte(t,${second})*lt(t,${second + 1})'`;
  });
  const graph = [
    `[0]format=gbrp,geq=r=${surface(150, 95)}:g=${surface(155, 90)}:b=${surface(170, 70)},` +
      `scale=${WIDTH}x${HEIGHT}:flags=neighbor,gblur=sigma=0.7[background]`,
    `[1]format=gbrp,geq=r=${objectChannel(255, 200)}:g=${objectChannel(200, 40)}:b=${objectChannel(30, 0)},` +
      `scale=${OBJECT.width}x${OBJECT.height}:flags=neighbor[object]`,
    `[background][object]overlay=x=${OBJECT.x}:y=${OBJECT.y},${markers.join(',')},format=${image ? 'rgb24' : 'yuv420p'}[scene]`,
  ].join(';');
  const duration = `r=${fps}:d=${seconds}`;
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-f', 'lavfi', '-i', `nullsrc=s=${WIDTH / WALL_CELL}x${HEIGHT / WALL_CELL}:${duration}`],
    ...[
      '-f',
      'lavfi',
      '-i',
      `nullsrc=s=${OBJECT.width / OBJECT_CELL}x${OBJECT.height / OBJECT_CELL}:${duration}`,
    ],
    ...(options.audio && !image
      ? ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`]
      : []),
    ...['-filter_complex', graph, '-map', '[scene]'],
    ...(image
      ? ['-frames:v', '1']
      : [
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-g',
          String(fps),
          '-bf',
          '0',
          '-movflags',
          '+faststart',
        ]),
    ...(options.audio && !image ? ['-map', '2:a', '-c:a', 'aac', '-b:a', '64k', '-shortest'] : []),
    output,
  ];
  await run(ffmpegPath(), args);
  return { path: output, frames: image ? 1 : seconds * fps, fps, seconds };
}
