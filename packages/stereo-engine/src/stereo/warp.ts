/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array kernels: every index is in range by construction, and `!` costs nothing at run time where `?? 0` would */

// Globals captured once: under jest every global lookup in a loop goes through the test
// context's global object, which made these kernels ~30x slower there.
const { ceil, round } = Math;


/** A landing-point step wider than this (target pixels per source pixel) is a disocclusion. */
export const DISOCCLUSION_SPAN = 2;

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
 * Output: `sourcePos`, per target pixel, where to sample the source row (in [0, width − 1)).
 */
export function forwardWarpRow(
  base: Float32Array,
  k: number,
  depth: Float32Array,
  width: number,
  sourcePos: Float32Array,
): void {
  sourcePos.fill(-1, 0, width);
  const last = width - 1;
  const maxPos = last - 1e-3;
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
        if (p >= 0 && p <= last) sourcePos[p] = x < maxPos ? x : maxPos;
      } else {
        let p = ceil(t0);
        let end = ceil(t1) - 1;
        if (p < 0) p = 0;
        if (end > last) end = last;
        const du = 1 / span;
        let position = x + (p - t0) * du;
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
        if (p >= 0 && p <= last) sourcePos[p] = x < maxPos ? x : maxPos;
      } else {
        let p = ceil(t0);
        let end = ceil(t1) - 1;
        if (p < 0) p = 0;
        if (end > last) end = last;
        const du = 1 / span;
        let position = x + (p - t0) * du;
        for (; p <= end; p++, position += du) sourcePos[p] = position;
      }
      t0 = t1;
    }
  }
  fillHoles(sourcePos, depth, width);
}

/** Fills runs of -1 in `sourcePos` with the position of the farther (smaller depth) neighbour. */
function fillHoles(sourcePos: Float32Array, depth: Float32Array, width: number): void {
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
      pos = depth[leftPos | 0]! <= depth[rightPos | 0]! ? leftPos : rightPos;
    }
    sourcePos.fill(pos, start, p);
  }
}

/**
 * Samples `src[srcOffset .. srcOffset+srcWidth)` at fractional positions (linear interpolation).
 * Positions must lie in [0, srcWidth − 1) (forwardWarpRow guarantees it) so no bounds branch.
 */
export function sampleRow(
  src: Uint8Array,
  srcOffset: number,
  srcWidth: number,
  positions: Float32Array,
  count: number,
  dst: Uint8Array,
  dstOffset: number,
): void {
  if (srcWidth === 1) {
    dst.fill(src[srcOffset]!, dstOffset, dstOffset + count);
    return;
  }
  const maxPos = srcWidth - 1 - 1e-3;
  for (let p = 0; p < count; p++) {
    let s = positions[p]!;
    if (s > maxPos) s = maxPos; // float32 rounding can land exactly on the last pixel
    const i = s | 0;
    const a = src[srcOffset + i]!;
    dst[dstOffset + p] = (a + (s - i) * (src[srcOffset + i + 1]! - a) + 0.5) | 0;
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
  lumaPositions: Float32Array,
  dst: Uint8Array,
  dstOffset: number,
  halfPositions: Float32Array,
): void {
  const max = chromaWidth - 1 - 1e-3;
  for (let j = 0; j < chromaWidth; j++) {
    const h = lumaPositions[2 * j]! * 0.5;
    halfPositions[j] = h < max ? h : max;
  }
  sampleRow(src, srcOffset, chromaWidth, halfPositions, chromaWidth, dst, dstOffset);
}
