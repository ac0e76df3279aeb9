/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array kernels: indices in range by construction */
import type { FrameLayout } from '../frame/planar';

// Globals captured once: under jest every global lookup in a loop goes through the test
// context's global object, which made these kernels ~30x slower there.
const { floor, min } = Math;


/**
 * A depth map estimated on a coarse grid, carried to full resolution by the fast guided filter
 * (He & Sun 2015): depth(x, y) = A(x, y)·I(x, y) + B(x, y), where A and B are linear
 * coefficients fitted on the grid and interpolated bilinearly, and I is the full-resolution
 * guide luma in [0, 1]. Depth edges thereby follow the image's own edges at full resolution while
 * all the estimation work happens on the grid. Depth is in [0, 1], 1 = near.
 */
export interface DepthField {
  readonly gridWidth: number;
  readonly gridHeight: number;
  /** Full-resolution pixels per cell across and down (the remainder at the right and bottom
   * edges, under one cell, belongs to the last cell). */
  readonly cellWidth: number;
  readonly cellHeight: number;
  readonly a: Float32Array;
  readonly b: Float32Array;
}

/**
 * The guide luma the field is fitted against, per pixel in [0, 1], the same on the grid and at
 * full resolution: Y/255 for YUV frames, (2G + R + B)/4/255 for gbrp.
 */
export function guideRow(frame: Uint8Array, layout: FrameLayout, y: number, out: Float32Array): void {
  const { width, height, format } = layout;
  const row = y * width;
  if (format === 'gbrp') {
    const n = width * height;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      out[x] = (2 * frame[i]! + frame[i + n]! + frame[i + 2 * n]!) * (1 / 1020);
    }
  } else {
    for (let x = 0; x < width; x++) out[x] = frame[row + x]! * (1 / 255);
  }
}

/**
 * Evaluates a DepthField row by row at a frame's full resolution. Holds the column mapping and
 * scratch rows for one frame size (one instance per worker).
 */
export class DepthFieldSampler {
  private readonly column0: Int32Array;
  private readonly columnWeight: Float32Array;
  private readonly aRow: Float32Array;
  private readonly bRow: Float32Array;
  private readonly guide: Float32Array;

  constructor(
    private readonly layout: FrameLayout,
    private readonly gridWidth: number,
    private readonly gridHeight: number,
    cellWidth: number,
    private readonly cellHeight: number,
  ) {
    const { width } = layout;
    this.column0 = new Int32Array(width);
    this.columnWeight = new Float32Array(width);
    for (let x = 0; x < width; x++) {
      const g = clamp((x + 0.5) / cellWidth - 0.5, 0, gridWidth - 1);
      const g0 = min(floor(g), gridWidth - 1);
      this.column0[x] = g0;
      this.columnWeight[x] = g - g0;
    }
    // One spare entry so `g0 + 1` is always readable (it repeats the last column).
    this.aRow = new Float32Array(gridWidth + 1);
    this.bRow = new Float32Array(gridWidth + 1);
    this.guide = new Float32Array(width);
  }

  /** Depth of row `y` into `out` (length ≥ width), clamped to [0, 1]. */
  row(frame: Uint8Array, field: DepthField, y: number, out: Float32Array): void {
    const width = this.layout.width;
    const gw = this.gridWidth;
    const gy = clamp((y + 0.5) / this.cellHeight - 0.5, 0, this.gridHeight - 1);
    const j0 = min(floor(gy), this.gridHeight - 1);
    const j1 = min(j0 + 1, this.gridHeight - 1);
    const fy = gy - j0;
    const a = field.a;
    const b = field.b;
    const aRow = this.aRow;
    const bRow = this.bRow;
    const r0 = j0 * gw;
    const r1 = j1 * gw;
    for (let g = 0; g < gw; g++) {
      const a0 = a[r0 + g]!;
      const b0 = b[r0 + g]!;
      aRow[g] = a0 + fy * (a[r1 + g]! - a0);
      bRow[g] = b0 + fy * (b[r1 + g]! - b0);
    }
    aRow[gw] = aRow[gw - 1]!;
    bRow[gw] = bRow[gw - 1]!;
    const column0 = this.column0;
    const weight = this.columnWeight;
    if (this.layout.format === 'gbrp') {
      guideRow(frame, this.layout, y, this.guide);
      const guide = this.guide;
      for (let x = 0; x < width; x++) {
        const g = column0[x]!;
        const f = weight[x]!;
        const ag = aRow[g]!;
        const bg = bRow[g]!;
        const d = (ag + f * (aRow[g + 1]! - ag)) * guide[x]! + bg + f * (bRow[g + 1]! - bg);
        out[x] = d < 0 ? 0 : d > 1 ? 1 : d;
      }
      return;
    }
    // YUV: the guide is the luma byte itself (scaled by 1/255 into A beforehand).
    for (let g = 0; g <= gw; g++) aRow[g]! *= 1 / 255;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const g = column0[x]!;
      const f = weight[x]!;
      const ag = aRow[g]!;
      const bg = bRow[g]!;
      const d = (ag + f * (aRow[g + 1]! - ag)) * frame[row + x]! + bg + f * (bRow[g + 1]! - bg);
      out[x] = d < 0 ? 0 : d > 1 ? 1 : d;
    }
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
