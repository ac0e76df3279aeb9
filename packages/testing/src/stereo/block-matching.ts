/**
 * Horizontal block matching between the two eyes: how far a block of the left eye's picture has
 * moved in the right eye's picture. Zero-mean normalised cross-correlation, so the red and cyan
 * channels of an anaglyph (different gains for the same scene) still match.
 */
import type { GrayImage } from './eye-views';

/** A rectangle in pixels of the image it is applied to. */
export interface Region {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface BlockShift {
  /**
   * x in the left eye minus x in the right eye for the block's content, in pixels with a
   * sub-pixel refinement. Positive = crossed parallax (in front of the screen), negative =
   * uncrossed (behind it).
   */
  readonly shift: number;
  /** Correlation of the best match, −1..1; near 1 for a clean match. */
  readonly correlation: number;
}

/**
 * Finds the shift `d` in [−maxShift, maxShift] for which `left` over `region` best matches
 * `right` over the same region moved by −d, i.e. the content at x in the left eye sits at x − d
 * in the right eye.
 */
export function horizontalShift(
  left: GrayImage,
  right: GrayImage,
  region: Region,
  maxShift: number,
): BlockShift {
  const { x, y, width, height } = region;
  if (x < 0 || y < 0 || x + width > left.width || y + height > left.height || width < 2 || height < 2) {
    throw new RangeError(
      `block ${JSON.stringify(region)} is outside the ${left.width}x${left.height} eye picture`,
    );
  }
  const reference = normalisedBlock(left, x, y, width, height);
  const scores = new Map<number, number>();
  let best = { shift: 0, correlation: -Infinity };
  for (let d = -maxShift; d <= maxShift; d++) {
    const x2 = x - d;
    if (x2 < 0 || x2 + width > right.width) continue;
    const candidate = normalisedBlock(right, x2, y, width, height);
    let sum = 0;
    for (let i = 0; i < reference.length; i++) sum += (reference[i] ?? 0) * (candidate[i] ?? 0);
    scores.set(d, sum);
    if (sum > best.correlation) best = { shift: d, correlation: sum };
  }
  if (best.correlation === -Infinity) {
    throw new RangeError(
      `block ${JSON.stringify(region)} cannot move by up to ${maxShift} px inside the picture`,
    );
  }
  // Sub-pixel: the vertex of the parabola through the best score and its two neighbours.
  const before = scores.get(best.shift - 1);
  const after = scores.get(best.shift + 1);
  let offset = 0;
  if (before !== undefined && after !== undefined) {
    const curvature = before - 2 * best.correlation + after;
    if (curvature < 0) offset = (before - after) / (2 * curvature);
  }
  return { shift: best.shift + Math.max(-0.5, Math.min(0.5, offset)), correlation: best.correlation };
}

/** The block's pixels minus their mean, scaled to unit length (all zeros for a flat block). */
function normalisedBlock(
  image: GrayImage,
  x0: number,
  y0: number,
  width: number,
  height: number,
): Float64Array {
  const block = new Float64Array(width * height);
  let mean = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = image.data[(y0 + y) * image.width + x0 + x] ?? 0;
      block[y * width + x] = v;
      mean += v;
    }
  }
  mean /= block.length;
  let norm = 0;
  for (let i = 0; i < block.length; i++) {
    const v = (block[i] ?? 0) - mean;
    block[i] = v;
    norm += v * v;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < block.length; i++) block[i] = (block[i] ?? 0) * scale;
  return block;
}
