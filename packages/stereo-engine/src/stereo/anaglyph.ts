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
