/**
 * What the stereo output of the near-object scene shows, read from one decoded output frame: the
 * near object's parallax relative to the far wall, how flat the wall is, and which second's marker
 * the frame carries.
 */
import type { OutputMode } from '@stereo-spot/shared-types';
import { horizontalShift, type Region } from './block-matching';
import { eyeViews, type EyeViews, type GrayImage } from './eye-views';
import { nearObjectScene, type NearObjectSceneFile } from './near-object-scene';
import { decodeRgbFrames, type RgbFrame } from './rgb-frames';

export interface SceneParallax {
  /** Output frame index. */
  readonly frame: number;
  readonly mode: OutputMode;
  /** x_left − x_right of the object block, in source pixels (positive = crossed). */
  readonly object: number;
  /** x_left − x_right of each wall block (left to right), in source pixels. */
  readonly wall: readonly number[];
  /** object − median(wall): > 0 when the object is in front of the wall. */
  readonly relative: number;
  /** Largest distance of a wall block's shift from the wall's median, in source pixels. */
  readonly wallDeviation: number;
  /** Lowest block-matching correlation among the blocks (a low one means a doubtful match). */
  readonly weakestCorrelation: number;
  /** Mean level (0..255) of the marker box in the left eye. */
  readonly marker: number;
}

/**
 * Measures one output frame of `mode` made from the near-object scene. `maxShift` (source pixels)
 * bounds the search; keep it above the largest parallax the conversion can produce.
 */
export function measureSceneParallax(frame: RgbFrame, mode: OutputMode, maxShift = 16): SceneParallax {
  const eyes = eyeViews(frame, mode);
  const measure = (region: Region) => {
    const match = horizontalShift(
      eyes.left,
      eyes.right,
      toEye(region, eyes),
      Math.ceil(maxShift / eyes.scaleX),
    );
    return { shift: match.shift * eyes.scaleX, correlation: match.correlation };
  };
  const object = measure(nearObjectScene.objectBlock);
  const wall = nearObjectScene.wallBlocks.map(measure);
  const wallMedian = median(wall.map((block) => block.shift));
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    frame: frame.index,
    mode,
    object: round(object.shift),
    wall: wall.map((block) => round(block.shift)),
    relative: round(object.shift - wallMedian),
    wallDeviation: round(Math.max(...wall.map((block) => Math.abs(block.shift - wallMedian)))),
    weakestCorrelation: round(Math.min(object.correlation, ...wall.map((block) => block.correlation))),
    marker: Math.round(mean(eyes.left, toEye(nearObjectScene.markerBlock, eyes))),
  };
}

/** A region of the source picture in the coordinates of the (possibly squeezed) eye pictures. */
function toEye(region: Region, eyes: EyeViews): Region {
  return {
    x: Math.round(region.x / eyes.scaleX),
    y: Math.round(region.y / eyes.scaleY),
    width: Math.round(region.width / eyes.scaleX),
    height: Math.round(region.height / eyes.scaleY),
  };
}

function mean(image: GrayImage, region: Region): number {
  let sum = 0;
  for (let y = region.y; y < region.y + region.height; y++) {
    for (let x = region.x; x < region.x + region.width; x++) sum += image.data[y * image.width + x] ?? 0;
  }
  return sum / (region.width * region.height);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Decodes one frame from the middle of each second of a converted near-object scene (the one
 * frame of an image) and measures it.
 */
export async function measureSceneOutput(
  file: string,
  mode: OutputMode,
  scene: NearObjectSceneFile,
): Promise<SceneParallax[]> {
  const indices =
    scene.frames === 1
      ? [0]
      : Array.from({ length: scene.seconds }, (_, second) => second * scene.fps + (scene.fps >> 1));
  const frames = await decodeRgbFrames(file, indices);
  return frames.map((frame) => measureSceneParallax(frame, mode));
}

/**
 * Limits for `sceneStereoDefects`, in source pixels at `nearObjectScene.divergence` (5: the
 * engine shifts each eye by (depth − convergence) · 8 px, so object − wall = 16 px · (depth of
 * the object − depth of the wall)).
 *
 * Measured with the builtin engine on 2026-12-04 (depth grid at its default resolution; every
 * mode, video and image): object − wall 1.6 to 3.1 px (the lowest for half-tb videos), wall
 * blocks within 0.44 px of their median, weakest block correlation 0.83. Swapped eyes give the
 * same values negated, the source in both eyes 0 ± 0.02 px. (With a 64-cell depth grid the same
 * engine gave between 1 px behind and 0.7 px in front: keep the default grid for these checks.)
 */
export const SCENE_STEREO_LIMITS = {
  /**
   * The object must stand at least this far in front of the wall (crossed): a quarter of the 16 px
   * parallax range these conversions use (divergence 5). With the figure/ground depth the engine
   * gives 6.8–9 px here (the estimator before it gave 1.6–3.1 px); eyes swapped give negative
   * values and identical eyes about 0. The wall's own spread stays under 0.5 px.
   */
  minRelativeParallax: 4,
  /** The flat wall must have one parallax: each block within ±1 px of the wall's median. */
  maxWallDeviation: 1,
  /**
   * Below this, a block did not find itself in the other eye (random textures of this size
   * correlate by about 0.2 at the best wrong shift) and its shift means nothing.
   */
  minCorrelation: 0.5,
  /** A marker level further than this from every level the scene uses cannot be read. */
  markerTolerance: 30,
} as const;

/**
 * What is wrong with the 3D in the measured frames of one output, as readable sentences (empty
 * when nothing is): the near object not in front of the wall (eyes swapped or identical, or a
 * depth estimate that does not see it as near), a wall that is not flat, doubtful matches, and
 * frames whose marker shows another second than their own (segments joined out of order).
 */
export function sceneStereoDefects(
  measured: readonly SceneParallax[],
  limits = SCENE_STEREO_LIMITS,
): string[] {
  const defects: string[] = [];
  const levels = Array.from({ length: nearObjectScene.maxSeconds }, (_, second) =>
    nearObjectScene.markerLevel(second),
  );
  measured.forEach((m, second) => {
    const at = `${m.mode} frame ${m.frame}`;
    if (m.weakestCorrelation < limits.minCorrelation) {
      defects.push(
        `${at}: a block matched its other eye with correlation ${m.weakestCorrelation} only (< ${limits.minCorrelation}), so the eyes do not show the same scene`,
      );
    }
    if (!(m.relative >= limits.minRelativeParallax)) {
      defects.push(
        `${at}: the near object's parallax relative to the wall is ${m.relative} px (object ${m.object}, wall ${m.wall.join(' / ')}); ` +
          `expected crossed, x_left − x_right ≥ ${limits.minRelativeParallax} px`,
      );
    }
    if (m.wallDeviation > limits.maxWallDeviation) {
      defects.push(`${at}: the flat wall has different parallaxes at one height (${m.wall.join(' / ')} px)`);
    }
    const nearest = levels.reduce(
      (best, level, i) => (Math.abs(level - m.marker) < Math.abs((levels[best] ?? 0) - m.marker) ? i : best),
      0,
    );
    if (Math.abs((levels[nearest] ?? 0) - m.marker) > limits.markerTolerance) {
      defects.push(`${at}: the marker's level ${m.marker} is none of the scene's (${levels.join(', ')})`);
    } else if (nearest !== second) {
      defects.push(
        `${at}: shows the marker of source second ${nearest} in output second ${second} (content out of order)`,
      );
    }
  });
  return defects;
}
