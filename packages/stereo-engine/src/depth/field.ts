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
 *
 * Across a row, the interpolated coefficients are linear between neighbouring cell centres, so
 * each run of pixels between two centres steps A and B by a constant instead of interpolating
 * per pixel: the pixel loop then reads only the guide.
 */
export class DepthFieldSampler {
  /** Pixels left of the first cell centre (they take cell 0's coefficients as they are). */
  readonly leadingPixels: number;
  /** runStart[g]: the first pixel of the run between centres g and g+1 (runStart[gw] = width). */
  readonly runStart: Int32Array;
  /** runWeight[g]: the interpolation weight of centre g+1 at the run's first pixel. */
  readonly runWeight: Float32Array;
  /** Grid columns per pixel (1 / cellWidth). */
  readonly step: number;
  /** The current row's coefficients per grid column (prepareRow), A already scaled to the guide. */
  readonly aRow: Float32Array;
  readonly bRow: Float32Array;
  /** The current row's guide (gbrp only; YUV frames are their own guide). */
  readonly guide: Float32Array;

  /**
   * `rows` lets the caller place the scratch rows (sized by `fieldRowLengths`), for instance in
   * the WebAssembly kernels' memory; by default they are allocated here.
   */
  constructor(
    private readonly layout: FrameLayout,
    private readonly gridWidth: number,
    private readonly gridHeight: number,
    cellWidth: number,
    private readonly cellHeight: number,
    rows?: DepthFieldRows,
  ) {
    const { width } = layout;
    // Pixel x sits at grid coordinate (x + 0.5) / cellWidth − 0.5, clamped to [0, gw − 1].
    const gridX = (x: number): number => (x + 0.5) / cellWidth - 0.5;
    let leading = 0;
    while (leading < width && gridX(leading) < 0) leading++;
    this.leadingPixels = leading;
    const lengths = fieldRowLengths(width, gridWidth);
    this.runStart = rows?.runStart ?? new Int32Array(lengths.grid);
    this.runWeight = rows?.runWeight ?? new Float32Array(lengths.grid);
    let x = leading;
    for (let g = 0; g < gridWidth; g++) {
      this.runStart[g] = x;
      this.runWeight[g] = x < width ? clamp(gridX(x), 0, gridWidth - 1) - g : 0;
      // The last cell's run reaches the right edge (its coefficients stay flat past the centre).
      while (x < width && (g === gridWidth - 1 || floor(gridX(x)) <= g)) x++;
    }
    this.runStart[gridWidth] = width;
    this.step = 1 / cellWidth;
    // One spare entry so `g + 1` is always readable (it repeats the last column).
    this.aRow = rows?.aRow ?? new Float32Array(lengths.grid);
    this.bRow = rows?.bRow ?? new Float32Array(lengths.grid);
    this.guide = rows?.guide ?? new Float32Array(lengths.width);
  }

  /** Depth of row `y` into `out` (length ≥ width), clamped to [0, 1]. */
  row(frame: Uint8Array, field: DepthField, y: number, out: Float32Array): void {
    this.prepareRow(frame, field, y);
    const width = this.layout.width;
    const gw = this.gridWidth;
    const aRow = this.aRow;
    const bRow = this.bRow;
    const yuv = this.layout.format !== 'gbrp';
    const guide = yuv ? frame : this.guide;
    const offset = yuv ? y * width : 0;
    const leading = this.leadingPixels;
    const a0 = aRow[0]!;
    const b0 = bRow[0]!;
    for (let x = 0; x < leading; x++) {
      const d = a0 * guide[offset + x]! + b0;
      out[x] = d < 0 ? 0 : d > 1 ? 1 : d;
    }
    const step = this.step;
    for (let g = 0; g < gw; g++) {
      const end = this.runStart[g + 1]!;
      const da = aRow[g + 1]! - aRow[g]!;
      const db = bRow[g + 1]! - bRow[g]!;
      const last = g === gw - 1;
      const w = this.runWeight[g]!;
      let ag = aRow[g]! + w * da;
      let bg = bRow[g]! + w * db;
      const sa = last ? 0 : step * da;
      const sb = last ? 0 : step * db;
      for (let x = this.runStart[g]!; x < end; x++, ag += sa, bg += sb) {
        const d = ag * guide[offset + x]! + bg;
        out[x] = d < 0 ? 0 : d > 1 ? 1 : d;
      }
    }
  }

  /** Row y's coefficients into aRow/bRow and, for gbrp, its guide: what the pixel loop reads. */
  prepareRow(frame: Uint8Array, field: DepthField, y: number): void {
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
    // YUV: the guide is the luma byte itself, so A is scaled by 1/255 here once per cell.
    const yuv = this.layout.format !== 'gbrp';
    const guideScale = yuv ? 1 / 255 : 1;
    for (let g = 0; g < gw; g++) {
      const a0 = a[r0 + g]!;
      const b0 = b[r0 + g]!;
      aRow[g] = (a0 + fy * (a[r1 + g]! - a0)) * guideScale;
      bRow[g] = b0 + fy * (b[r1 + g]! - b0);
    }
    aRow[gw] = aRow[gw - 1]!;
    bRow[gw] = bRow[gw - 1]!;
    if (!yuv) guideRow(frame, this.layout, y, this.guide);
  }
}

/** Scratch rows of a DepthFieldSampler, when the caller places them. */
export interface DepthFieldRows {
  readonly aRow: Float32Array;
  readonly bRow: Float32Array;
  readonly runStart: Int32Array;
  readonly runWeight: Float32Array;
  readonly guide: Float32Array;
}

/** Lengths of DepthFieldRows: per grid column plus one spare (grid), per pixel (width). */
export function fieldRowLengths(width: number, gridWidth: number): { grid: number; width: number } {
  return { grid: gridWidth + 1, width };
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
