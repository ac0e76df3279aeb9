/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array kernel: indices in range by construction */
import type { AnaglyphMethod } from '@stereo-spot/shared-types';

/** 3×3 matrices (row-major, RGB) applied to the left and right views and summed. */
export interface AnaglyphMatrices {
  readonly left: readonly number[];
  readonly right: readonly number[];
}

const LUMA = [0.299, 0.587, 0.114] as const;

/**
 * Red-cyan matrices. Dubois: least-squares projection for typical red-cyan filters (Eric Dubois,
 * 2001; the widely used revised coefficients), least ghosting. color: red from the left view,
 * green and blue from the right. gray: luminance of each view. half-color: left luminance in red,
 * right colour in green and blue (less retinal rivalry on saturated reds).
 */
export const ANAGLYPH_MATRICES: Readonly<Record<AnaglyphMethod, AnaglyphMatrices>> = {
  dubois: {
    left: [0.4561, 0.500484, 0.176381, -0.0400822, -0.0378246, -0.0157589, -0.0152161, -0.0205971, -0.00546856],
    right: [-0.0434706, -0.0879388, -0.00155529, 0.378476, 0.73364, -0.0184503, -0.0721527, -0.112961, 1.2264],
  },
  color: {
    left: [1, 0, 0, 0, 0, 0, 0, 0, 0],
    right: [0, 0, 0, 0, 1, 0, 0, 0, 1],
  },
  gray: {
    left: [...LUMA, 0, 0, 0, 0, 0, 0],
    right: [0, 0, 0, ...LUMA, ...LUMA],
  },
  'half-color': {
    left: [...LUMA, 0, 0, 0, 0, 0, 0],
    right: [0, 0, 0, 0, 1, 0, 0, 0, 1],
  },
};

/**
 * Combines one row of the left and right views (each as G, B, R rows, gbrp order) into the
 * anaglyph row, written to the three output rows. Results are rounded and clamped to 0..255.
 */
export function anaglyphRow(
  matrices: AnaglyphMatrices,
  left: readonly [Uint8Array, Uint8Array, Uint8Array],
  right: readonly [Uint8Array, Uint8Array, Uint8Array],
  width: number,
  out: Uint8Array,
  outOffsets: readonly [number, number, number],
): void {
  const [l0, l1, l2, l3, l4, l5, l6, l7, l8] = matrices.left as [number, number, number, number, number, number, number, number, number];
  const [r0, r1, r2, r3, r4, r5, r6, r7, r8] = matrices.right as [number, number, number, number, number, number, number, number, number];
  const [lg, lb, lr] = left;
  const [rg, rb, rr] = right;
  const [og, ob, or] = outOffsets;
  for (let x = 0; x < width; x++) {
    const LR = lr[x]!;
    const LG = lg[x]!;
    const LB = lb[x]!;
    const RR = rr[x]!;
    const RG = rg[x]!;
    const RB = rb[x]!;
    out[or + x] = clampByte(l0 * LR + l1 * LG + l2 * LB + r0 * RR + r1 * RG + r2 * RB);
    out[og + x] = clampByte(l3 * LR + l4 * LG + l5 * LB + r3 * RR + r4 * RG + r5 * RB);
    out[ob + x] = clampByte(l6 * LR + l7 * LG + l8 * LB + r6 * RR + r7 * RG + r8 * RB);
  }
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
}

/**
 * The Y′CbCr encoding of a source's samples: its matrix (by luma weights) and range. Video
 * anaglyphs work on the source's YUV (see anaglyphYuvRow); the choice for a source is
 * sourceYuvEncoding's (convert/encoding.ts).
 */
export type YuvMatrix = 'bt709' | 'bt601' | 'bt2020' | 'smpte240m';

export interface YuvEncoding {
  readonly matrix: YuvMatrix;
  /** Full (pc, JPEG) range: Y and C in 0..255; else limited (tv): Y 16..235, C 16..240. */
  readonly fullRange: boolean;
}

/** Kr and Kb of each matrix (ITU-R BT.709, BT.601, BT.2020 non-constant luminance, SMPTE 240M). */
const LUMA_WEIGHTS: Readonly<Record<YuvMatrix, readonly [number, number]>> = {
  bt709: [0.2126, 0.0722],
  bt601: [0.299, 0.114],
  bt2020: [0.2627, 0.0593],
  smpte240m: [0.212, 0.087],
};

/** What the encoder receives from a video anaglyph: yuv444p BT.709, limited range. */
export const ANAGLYPH_OUTPUT_ENCODING: YuvEncoding = { matrix: 'bt709', fullRange: false };

/** Constants of anaglyphYuvRow's table, in order (the wasm kernel reads them as f32x4 splats). */
export const ANAGLYPH_YUV = {
  yOffset: 0, yScale: 1, cOffset: 2, rFromV: 3, gFromU: 4, gFromV: 5, bFromU: 6,
  /** 18: the left then the right 3×3 matrix (AnaglyphMatrices), row-major. */
  matrices: 7,
  outYOffset: 25, outCOffset: 26,
  /** 9: Y, Cb, Cr from R, G, B (row-major), output range included. */
  toYuv: 27,
  max: 36,
  /** One past the last: the table has this many f32 values (as f32x4 splats in WebAssembly). */
  count: 37,
} as const;

/**
 * anaglyphYuvRow's constants for `matrices` and a source encoded as `source`, as f32 (what both
 * kernel sets compute with).
 */
export function anaglyphYuvConstants(matrices: AnaglyphMatrices, source: YuvEncoding): Float32Array {
  const [kr, kb] = LUMA_WEIGHTS[source.matrix];
  const kg = 1 - kr - kb;
  const lumaScale = source.fullRange ? 1 : 255 / 219;
  const chromaScale = source.fullRange ? 1 : 255 / 224;
  const [okr, okb] = LUMA_WEIGHTS[ANAGLYPH_OUTPUT_ENCODING.matrix];
  const okg = 1 - okr - okb;
  const outLuma = 219 / 255;
  const outChroma = 224 / 255;
  const t = new Float32Array(ANAGLYPH_YUV.count);
  t[ANAGLYPH_YUV.yOffset] = source.fullRange ? 0 : 16;
  t[ANAGLYPH_YUV.yScale] = lumaScale;
  t[ANAGLYPH_YUV.cOffset] = 128;
  t[ANAGLYPH_YUV.rFromV] = 2 * (1 - kr) * chromaScale;
  t[ANAGLYPH_YUV.gFromU] = -((2 * (1 - kb) * kb) / kg) * chromaScale;
  t[ANAGLYPH_YUV.gFromV] = -((2 * (1 - kr) * kr) / kg) * chromaScale;
  t[ANAGLYPH_YUV.bFromU] = 2 * (1 - kb) * chromaScale;
  t.set([...matrices.left, ...matrices.right], ANAGLYPH_YUV.matrices);
  t[ANAGLYPH_YUV.outYOffset] = 16;
  t[ANAGLYPH_YUV.outCOffset] = 128;
  const cb = outChroma / (2 * (1 - okb));
  const cr = outChroma / (2 * (1 - okr));
  t.set(
    [
      outLuma * okr, outLuma * okg, outLuma * okb,
      -cb * okr, -cb * okg, cb * (1 - okb),
      cr * (1 - okr), -cr * okg, -cr * okb,
    ],
    ANAGLYPH_YUV.toYuv,
  );
  t[ANAGLYPH_YUV.max] = 255;
  return t;
}

const fround = Math.fround;
/** 2^23: adding it to an f32 in [0, 2^23) leaves the value rounded to an integer (ties to even). */
const WHOLE_F32 = 8388608;

/**
 * The video anaglyph in one pass per pixel, in f32 (each step rounded to f32 here as the
 * WebAssembly f32x4 kernel does, so both give the same bytes): each view's Y, Cb, Cr (yuv444p
 * rows in the source's encoding) to RGB in 0..255, clamped as swscale clamps it; the anaglyph
 * matrices (anaglyphRow's, its sum order, its clamp to 0..255, not rounded); then Y, Cb, Cr in
 * BT.709 limited range (ANAGLYPH_OUTPUT_ENCODING), rounded to bytes (ties to even). `constants`
 * is anaglyphYuvConstants's table.
 */
export function anaglyphYuvRow(
  constants: Float32Array,
  left: readonly [Uint8Array, Uint8Array, Uint8Array],
  right: readonly [Uint8Array, Uint8Array, Uint8Array],
  width: number,
  out: Uint8Array,
  outOffsets: readonly [number, number, number],
): void {
  const c = constants;
  const yo = c[ANAGLYPH_YUV.yOffset]!;
  const ys = c[ANAGLYPH_YUV.yScale]!;
  const co = c[ANAGLYPH_YUV.cOffset]!;
  const rv = c[ANAGLYPH_YUV.rFromV]!;
  const gu = c[ANAGLYPH_YUV.gFromU]!;
  const gv = c[ANAGLYPH_YUV.gFromV]!;
  const bu = c[ANAGLYPH_YUV.bFromU]!;
  const m = ANAGLYPH_YUV.matrices;
  const [l0, l1, l2, l3, l4, l5, l6, l7, l8] = [c[m]!, c[m + 1]!, c[m + 2]!, c[m + 3]!, c[m + 4]!, c[m + 5]!, c[m + 6]!, c[m + 7]!, c[m + 8]!];
  const [r0, r1, r2, r3, r4, r5, r6, r7, r8] = [c[m + 9]!, c[m + 10]!, c[m + 11]!, c[m + 12]!, c[m + 13]!, c[m + 14]!, c[m + 15]!, c[m + 16]!, c[m + 17]!];
  const oyo = c[ANAGLYPH_YUV.outYOffset]!;
  const oco = c[ANAGLYPH_YUV.outCOffset]!;
  const o = ANAGLYPH_YUV.toYuv;
  const [yr, yg, yb, ur, ug, ub, vr, vg, vb] = [c[o]!, c[o + 1]!, c[o + 2]!, c[o + 3]!, c[o + 4]!, c[o + 5]!, c[o + 6]!, c[o + 7]!, c[o + 8]!];
  const top = c[ANAGLYPH_YUV.max]!;
  const [lY, lU, lV] = left;
  const [rY, rU, rV] = right;
  const [oY, oU, oV] = outOffsets;
  const clamp = (v: number): number => {
    const low = v > 0 ? v : 0;
    return low < top ? low : top;
  };
  for (let x = 0; x < width; x++) {
    const ly = fround(fround(lY[x]! - yo) * ys);
    const lu = fround(lU[x]! - co);
    const lv = fround(lV[x]! - co);
    const LR = clamp(fround(ly + fround(rv * lv)));
    const LG = clamp(fround(fround(ly + fround(gu * lu)) + fround(gv * lv)));
    const LB = clamp(fround(ly + fround(bu * lu)));
    const ry = fround(fround(rY[x]! - yo) * ys);
    const ru = fround(rU[x]! - co);
    const rv2 = fround(rV[x]! - co);
    const RR = clamp(fround(ry + fround(rv * rv2)));
    const RG = clamp(fround(fround(ry + fround(gu * ru)) + fround(gv * rv2)));
    const RB = clamp(fround(ry + fround(bu * ru)));
    const red = clamp(sum6(l0, LR, l1, LG, l2, LB, r0, RR, r1, RG, r2, RB));
    const green = clamp(sum6(l3, LR, l4, LG, l5, LB, r3, RR, r4, RG, r5, RB));
    const blue = clamp(sum6(l6, LR, l7, LG, l8, LB, r6, RR, r7, RG, r8, RB));
    out[oY + x] = toByte(sum3(oyo, yr, red, yg, green, yb, blue));
    out[oU + x] = toByte(sum3(oco, ur, red, ug, green, ub, blue));
    out[oV + x] = toByte(sum3(oco, vr, red, vg, green, vb, blue));
  }
}

/** a·x + b·y + c·z + d·u + e·v + f·w, left to right, each step an f32. */
function sum6(a: number, x: number, b: number, y: number, c: number, z: number, d: number, u: number, e: number, v: number, f: number, w: number): number {
  let s = fround(fround(a * x) + fround(b * y));
  s = fround(s + fround(c * z));
  s = fround(s + fround(d * u));
  s = fround(s + fround(e * v));
  return fround(s + fround(f * w));
}

/** offset + a·x + b·y + c·z, left to right, each step an f32. */
function sum3(offset: number, a: number, x: number, b: number, y: number, c: number, z: number): number {
  return fround(fround(fround(offset + fround(a * x)) + fround(b * y)) + fround(c * z));
}

/** An f32 in [0, 255.5) to its nearest byte (ties to even), as the kernel's 2^23 addition does. */
function toByte(v: number): number {
  return fround(v + WHOLE_F32) - WHOLE_F32;
}
