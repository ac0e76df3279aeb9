/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array kernels: every index is in range by construction, and `!` costs nothing at run time where `?? 0` would */

// Globals captured once: under jest every global lookup in a loop goes through the test
// context's global object, which made these kernels ~30x slower there.
const { ceil, round } = Math;


/** A landing-point step wider than this (target pixels per source pixel) is a disocclusion. */
export const DISOCCLUSION_SPAN = 2;

/**
 * Source positions are fixed-point with this many fraction bits: sampling then runs on integers
 * only, about twice as fast in V8 as float positions, and 1/256 px is finer than 8-bit output.
 */
export const POSITION_FRACTION_BITS = 8;
/** Position 1.0 (one pixel) in fixed point. */
export const POSITION_ONE = 1 << POSITION_FRACTION_BITS;
const FRACTION_MASK = POSITION_ONE - 1;
const ROUNDING = POSITION_ONE >> 1;

/**
 * Forward-warps one row of `width` pixels: source pixel x lands at `x + k·base[x]`, where `base`
 * grows with nearness (depth − convergence) and `k` is the eye's signed gain in pixels.
 *
 * The row is rasterised as a 1-D mesh: each pair of neighbouring source pixels spans the target
 * interval between their landing points, and every target pixel inside gets a fractional source
 * position (stretched surfaces interpolate instead of tearing). Near pixels must win where
 * surfaces overlap; when k > 0 a nearer pixel can only overtake pixels to its right, so walking
 * the row right-to-left and letting later writes win draws it far-to-near (painter's order)
 * without a z-buffer; when k < 0 the row is walked left-to-right.
 *
 * Spans wider than DISOCCLUSION_SPAN are left open and, like every target pixel nothing landed
 * on, filled from the background side: the neighbour whose source has the smaller depth.
 *
 * Output: `sourcePos`, per target pixel, where to sample the source row, in fixed point
 * (POSITION_ONE per pixel), in [0, (width − 1)·POSITION_ONE).
 */
export function forwardWarpRow(
  base: Float32Array,
  k: number,
  depth: Float32Array,
  width: number,
  sourcePos: Int32Array,
): void {
  sourcePos.fill(-1, 0, width);
  const last = width - 1;
  const lastPos = last * POSITION_ONE;
  const maxPos = lastPos > 0 ? lastPos - 1 : 0;
  // Segment x spans [t(x), t(x+1)); the last pixel spans one pixel from its landing point and
  // samples itself (clamped below `last` so sampling needs no bounds check).
  if (k > 0) {
    let t1 = last + 1 + k * base[last]!;
    for (let x = last; x >= 0; x--) {
      const t0 = x + k * base[x]!;
      const span = t1 - t0;
      if (span <= 0 || span > DISOCCLUSION_SPAN || x === last) {
        // Folded over (a nearer neighbour overtook it) or torn open: only the pixel's own
        // footprint; nearer pixels drawn later still cover it, and an open gap stays a hole.
        const p = round(t0);
        if (p >= 0 && p <= last) sourcePos[p] = x < last ? x * POSITION_ONE : maxPos;
      } else {
        let p = ceil(t0);
        let end = ceil(t1) - 1;
        if (p < 0) p = 0;
        if (end > last) end = last;
        const du = POSITION_ONE / span;
        let position = x * POSITION_ONE + (p - t0) * du;
        for (; p <= end; p++, position += du) sourcePos[p] = position;
      }
      t1 = t0;
    }
  } else {
    let t0 = k * base[0]!;
    for (let x = 0; x <= last; x++) {
      const t1 = x < last ? x + 1 + k * base[x + 1]! : t0 + 1;
      const span = t1 - t0;
      if (span <= 0 || span > DISOCCLUSION_SPAN || x === last) {
        // Folded over (a nearer neighbour overtook it) or torn open: only the pixel's own
        // footprint; nearer pixels drawn later still cover it, and an open gap stays a hole.
        const p = round(t0);
        if (p >= 0 && p <= last) sourcePos[p] = x < last ? x * POSITION_ONE : maxPos;
      } else {
        let p = ceil(t0);
        let end = ceil(t1) - 1;
        if (p < 0) p = 0;
        if (end > last) end = last;
        const du = POSITION_ONE / span;
        let position = x * POSITION_ONE + (p - t0) * du;
        for (; p <= end; p++, position += du) sourcePos[p] = position;
      }
      t0 = t1;
    }
  }
  fillHoles(sourcePos, depth, width);
}

/** Fills runs of -1 in `sourcePos` with the position of the farther (smaller depth) neighbour. */
function fillHoles(sourcePos: Int32Array, depth: Float32Array, width: number): void {
  let p = 0;
  while (p < width) {
    if (sourcePos[p]! >= 0) {
      p++;
      continue;
    }
    const start = p;
    while (p < width && sourcePos[p]! < 0) p++;
    const left = start - 1;
    const right = p;
    let pos: number;
    if (left < 0 && right >= width) pos = 0;
    else if (left < 0) pos = sourcePos[right]!;
    else if (right >= width) pos = sourcePos[left]!;
    else {
      const leftPos = sourcePos[left]!;
      const rightPos = sourcePos[right]!;
      pos = depth[leftPos >> POSITION_FRACTION_BITS]! <= depth[rightPos >> POSITION_FRACTION_BITS]! ? leftPos : rightPos;
    }
    sourcePos.fill(pos, start, p);
  }
}

/**
 * Samples `src[srcOffset .. srcOffset+srcWidth)` at fixed-point positions (linear interpolation,
 * rounded). Positions must lie in [0, (srcWidth − 1)·POSITION_ONE) (forwardWarpRow guarantees
 * it, up to float rounding, clamped here) so no other bounds branch.
 */
export function sampleRow(
  src: Uint8Array,
  srcOffset: number,
  srcWidth: number,
  positions: Int32Array,
  count: number,
  dst: Uint8Array,
  dstOffset: number,
): void {
  if (srcWidth === 1) {
    dst.fill(src[srcOffset]!, dstOffset, dstOffset + count);
    return;
  }
  const maxPos = (srcWidth - 1) * POSITION_ONE - 1;
  for (let p = 0; p < count; p++) {
    let q = positions[p]!;
    if (q > maxPos) q = maxPos;
    const i = srcOffset + (q >> POSITION_FRACTION_BITS);
    const a = src[i]!;
    dst[dstOffset + p] = (a * POSITION_ONE + (src[i + 1]! - a) * (q & FRACTION_MASK) + ROUNDING) >> POSITION_FRACTION_BITS;
  }
}

/**
 * Samples a 4:2:0 chroma row from the luma-resolution source positions: chroma sample j is
 * co-sited with luma pixel 2j (left-sited chroma), so its source position is half of luma's.
 */
export function sampleChromaRow(
  src: Uint8Array,
  srcOffset: number,
  chromaWidth: number,
  lumaPositions: Int32Array,
  dst: Uint8Array,
  dstOffset: number,
  halfPositions: Int32Array,
): void {
  const max = (chromaWidth - 1) * POSITION_ONE - 1;
  for (let j = 0; j < chromaWidth; j++) {
    const h = lumaPositions[2 * j]! >> 1;
    halfPositions[j] = h < max ? h : max;
  }
  sampleRow(src, srcOffset, chromaWidth, halfPositions, chromaWidth, dst, dstOffset);
}
