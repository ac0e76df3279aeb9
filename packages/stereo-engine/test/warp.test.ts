import { DISOCCLUSION_SPAN, POSITION_ONE, forwardWarpRow, sampleRow } from '../src/stereo/warp';

/** Warps a row whose landing shift is `shift[x]` (k = 1) and returns the source positions in pixels. */
function warp(shift: number[], depth: number[]): number[] {
  return warpWith(1, shift, depth);
}

function warpLeftward(shift: number[], depth: number[]): number[] {
  // k = -1 mirrors the shift: pixels move left by shift[x].
  return warpWith(-1, shift, depth);
}

function warpWith(k: number, shift: number[], depth: number[]): number[] {
  const width = shift.length;
  const positions = new Int32Array(width);
  forwardWarpRow(Float32Array.from(shift), k, Float32Array.from(depth), width, positions);
  return Array.from(positions, (q) => q / POSITION_ONE);
}

/** Fixed-point positions are exact to 1/POSITION_ONE of a pixel. */
const DIGITS = 2;

describe('forwardWarpRow', () => {
  it('moves a pixel by a known whole disparity', () => {
    const width = 32;
    const shift = new Array<number>(width).fill(3);

    const positions = warp(shift, new Array<number>(width).fill(0.5));

    // Target 13 shows source pixel 10: moved right by exactly 3.
    expect(positions[13]).toBeCloseTo(10, DIGITS);
    for (let p = 3; p < width; p++) expect(positions[p]).toBeCloseTo(p - 3, DIGITS);
  });

  it('moves by fractional disparities with sub-pixel source positions', () => {
    const width = 16;

    const positions = warp(new Array<number>(width).fill(0.25), new Array<number>(width).fill(0.5));

    for (let p = 1; p < width - 1; p++) expect(positions[p]).toBeCloseTo(p - 0.25, DIGITS);
  });

  it('moves the other eye the other way', () => {
    const width = 20;

    const positions = warpLeftward(new Array<number>(width).fill(2), new Array<number>(width).fill(0.5));

    for (let p = 0; p < width - 3; p++) expect(positions[p]).toBeCloseTo(p + 2, DIGITS);
  });

  it('lets a nearer surface occlude a farther one and fills the hole from the background', () => {
    // Far background (depth 0, no shift) with a near block at 10..19 (depth 1, shift 4).
    const width = 40;
    const depth = Array.from({ length: width }, (_, x) => (x >= 10 && x < 20 ? 1 : 0));
    const shift = depth.map((d) => d * 4);

    const positions = warp(shift, depth);

    // The block now covers 14..23: it hides background pixels 20..23.
    for (let p = 14; p < 24; p++) expect(positions[p]).toBeCloseTo(p - 4, DIGITS);
    // Uncovered 10..13 (disocclusion) show background, the pixel left of the block (9), not the block.
    for (let p = 10; p < 14; p++) expect(positions[p]).toBeCloseTo(9, DIGITS);
    // Untouched background stays in place.
    expect(positions[5]).toBeCloseTo(5, DIGITS);
    expect(positions[30]).toBeCloseTo(30, DIGITS);
  });

  it('lets the near surface win in the other eye too', () => {
    const width = 40;
    const depth = Array.from({ length: width }, (_, x) => (x >= 20 && x < 30 ? 1 : 0));
    const shift = depth.map((d) => d * 4);

    const positions = warpLeftward(shift, depth);

    // Block moves left to 16..25, hiding background 16..19; 26..29 filled from the right background.
    for (let p = 16; p < 26; p++) expect(positions[p]).toBeCloseTo(p + 4, DIGITS);
    for (let p = 26; p < 30; p++) expect(positions[p]).toBeCloseTo(30, DIGITS);
  });

  it('stretches smooth depth ramps without holes', () => {
    const width = 30;
    // Disparity grows by 0.5 px per pixel: a slanted surface, stretched by 1.5 (< DISOCCLUSION_SPAN).
    const shift = Array.from({ length: width }, (_, x) => 0.5 * x);

    const positions = warp(shift, shift.map((s) => s / 15));

    expect(1.5).toBeLessThan(DISOCCLUSION_SPAN);
    for (let p = 1; p < width; p++) {
      expect(positions[p]).toBeGreaterThanOrEqual(positions[p - 1]!);
      expect(positions[p]! - positions[p - 1]!).toBeCloseTo(1 / 1.5, DIGITS);
    }
  });

  it('keeps every source position inside the row', () => {
    const width = 25;
    const shift = Array.from({ length: width }, (_, x) => 6 * Math.sin(x));

    const positions = warp(shift, shift.map((s) => (s + 6) / 12));

    for (const p of positions) {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(width - 1);
    }
  });
});

describe('sampleRow', () => {
  it('interpolates linearly and rounds', () => {
    const src = Uint8Array.from([0, 100, 200, 250]);
    const dst = new Uint8Array(4);

    const positions = Int32Array.from([0, 0.5, 1.25, 2.9], (p) => Math.round(p * POSITION_ONE));

    sampleRow(src, 0, 4, positions, 4, dst, 0);

    expect(Array.from(dst)).toEqual([0, 50, 125, 245]);
  });
});
