/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array kernels: indices in range by construction */
import type { FrameLayout } from '../frame/planar';

// Globals captured once: under jest every global lookup in a loop goes through the test
// context's global object, which made these kernels ~30x slower there.
const { floor, max, min, round } = Math;


/** Default long side of the analysis grid, in cells. */
export const DEFAULT_DEPTH_RESOLUTION = 256;

export interface GridSize {
  readonly gridWidth: number;
  readonly gridHeight: number;
  /** Full-resolution pixels per cell, across and down. */
  readonly cellWidth: number;
  readonly cellHeight: number;
}

/**
 * Cells of whole pixels, about `resolution` cells along the picture's long side, square as
 * displayed: `pixelAspect` is a frame pixel's displayed width over its height (2 for a frame
 * squeezed to half width, 0.5 for half height).
 */
export function gridSizeFor(
  width: number,
  height: number,
  resolution = DEFAULT_DEPTH_RESOLUTION,
  pixelAspect = 1,
): GridSize {
  const ax = max(1, pixelAspect);
  const ay = max(1, 1 / pixelAspect);
  const cell = max(1, floor(max(width * ax, height * ay) / max(16, resolution)));
  const cellWidth = max(1, round(cell / ax));
  const cellHeight = max(1, round(cell / ay));
  return {
    gridWidth: max(1, floor(width / cellWidth)),
    gridHeight: max(1, floor(height / cellHeight)),
    cellWidth,
    cellHeight,
  };
}

/**
 * A frame reduced to the analysis grid: per cell, the mean guide luma (see `guideRow`), mean
 * chroma (Cb, Cr in about [-0.5, 0.5]) and `detail`, the mean absolute difference between
 * horizontally adjacent full-resolution pixels, which keeps what averaging throws away: how
 * sharp the cell is at full resolution (the defocus cue).
 */
export interface AnalysisGrid extends GridSize {
  readonly luma: Float32Array;
  readonly cb: Float32Array;
  readonly cr: Float32Array;
  readonly detail: Float32Array;
}

export function createAnalysisGrid(size: GridSize): AnalysisGrid {
  const n = size.gridWidth * size.gridHeight;
  return {
    ...size,
    luma: new Float32Array(n),
    cb: new Float32Array(n),
    cr: new Float32Array(n),
    detail: new Float32Array(n),
  };
}

/** Reduces `frame` (any working format) into `grid` (sized by `gridSizeFor` for this frame). */
export function reduceToGrid(frame: Uint8Array, layout: FrameLayout, grid: AnalysisGrid): void {
  if (layout.format === 'gbrp') reduceGbrp(frame, layout, grid);
  else reduceYuv(frame, layout, grid);
}

/** Integer cell sums, reused across frames: integer adds are several times cheaper in V8 than
 * read-modify-write of Float32Array cells. */
let sumScratch = new Int32Array(0);
function cellSums(cells: number, count: number): Int32Array[] {
  if (sumScratch.length < cells * count) sumScratch = new Int32Array(cells * count);
  const sums = Array.from({ length: count }, (_, k) => sumScratch.subarray(k * cells, (k + 1) * cells));
  for (const sum of sums) sum.fill(0);
  return sums;
}

function reduceYuv(frame: Uint8Array, layout: FrameLayout, grid: AnalysisGrid): void {
  const { gridWidth: gw, gridHeight: gh, cellWidth: cw, cellHeight: ch, luma, cb, cr, detail } = grid;
  const width = layout.width;
  const usedHeight = gh * ch;
  const [sumLuma, sumDetail] = cellSums(gw * gh, 2) as [Int32Array, Int32Array];
  // Cells of 4×4 pixels or more are estimated from every other row: statistics, not images.
  const rowStep = ch >= 4 ? 2 : 1;
  for (let y = 0; y < usedHeight; y += rowStep) {
    let p = y * width;
    let cell = floor(y / ch) * gw;
    let previous = frame[p]!;
    for (let gx = 0; gx < gw; gx++, cell++) {
      let total = 0;
      let change = 0;
      for (let i = 0; i < cw; i++, p++) {
        const v = frame[p]!;
        total += v;
        change += v > previous ? v - previous : previous - v;
        previous = v;
      }
      sumLuma[cell]! += total;
      sumDetail[cell]! += change;
    }
  }
  const lumaNorm = rowStep / (cw * ch * 255);
  for (let i = 0; i < luma.length; i++) {
    luma[i] = sumLuma[i]! * lumaNorm;
    detail[i] = sumDetail[i]! * lumaNorm;
  }
  const chroma = layout.planes[1]!;
  const chromaScale = layout.width / chroma.width; // 2 for 4:2:0, 1 for 4:4:4
  const u = layout.planes[1]!.offset;
  const v = layout.planes[2]!.offset;
  // Chroma cell means, by sampling the chroma pixel under each of a few points per cell.
  const samplesX = max(1, round(cw / chromaScale));
  const samplesY = max(1, round(ch / chromaScale));
  const stepX = cw / samplesX;
  const stepY = ch / samplesY;
  const norm = 1 / (samplesX * samplesY * 255);
  // The sampled chroma columns and rows, looked up once per frame instead of per cell.
  const columns = new Int32Array(gw * samplesX);
  for (let gx = 0; gx < gw; gx++) {
    for (let i = 0; i < samplesX; i++) {
      columns[gx * samplesX + i] = min(chroma.width - 1, floor((gx * cw + (i + 0.5) * stepX) / chromaScale));
    }
  }
  const rows = new Int32Array(samplesY);
  for (let gy = 0; gy < gh; gy++) {
    for (let j = 0; j < samplesY; j++) {
      rows[j] = min(chroma.height - 1, floor((gy * ch + (j + 0.5) * stepY) / chromaScale)) * chroma.width;
    }
    for (let gx = 0; gx < gw; gx++) {
      let su = 0;
      let sv = 0;
      for (let j = 0; j < samplesY; j++) {
        const pu = u + rows[j]!;
        const pv = v + rows[j]!;
        for (let i = gx * samplesX, end = i + samplesX; i < end; i++) {
          const cx = columns[i]!;
          su += frame[pu + cx]!;
          sv += frame[pv + cx]!;
        }
      }
      const cell = gy * gw + gx;
      cb[cell] = su * norm - 128 / 255;
      cr[cell] = sv * norm - 128 / 255;
    }
  }
}

function reduceGbrp(frame: Uint8Array, layout: FrameLayout, grid: AnalysisGrid): void {
  const { gridWidth: gw, gridHeight: gh, cellWidth: cw, cellHeight: ch, luma, cb, cr, detail } = grid;
  const { width, height } = layout;
  const n = width * height;
  const usedHeight = gh * ch;
  const [sumG, sumB, sumR, sumDetail] = cellSums(gw * gh, 4) as [Int32Array, Int32Array, Int32Array, Int32Array];
  const rowStep = ch >= 4 ? 2 : 1;
  for (let y = 0; y < usedHeight; y += rowStep) {
    let p = y * width;
    let cell = floor(y / ch) * gw;
    let previous = 2 * frame[p]! + frame[p + n]! + frame[p + 2 * n]!;
    for (let gx = 0; gx < gw; gx++, cell++) {
      let g = 0;
      let b = 0;
      let r = 0;
      let change = 0;
      for (let i = 0; i < cw; i++, p++) {
        const pg = frame[p]!;
        const pb = frame[p + n]!;
        const pr = frame[p + 2 * n]!;
        const guide = 2 * pg + pb + pr;
        g += pg;
        b += pb;
        r += pr;
        change += guide > previous ? guide - previous : previous - guide;
        previous = guide;
      }
      sumG[cell]! += g;
      sumB[cell]! += b;
      sumR[cell]! += r;
      sumDetail[cell]! += change;
    }
  }
  const norm = rowStep / (cw * ch * 255);
  for (let i = 0; i < luma.length; i++) {
    const g = sumG[i]! * norm;
    const b = sumB[i]! * norm;
    const r = sumR[i]! * norm;
    luma[i] = (2 * g + b + r) / 4;
    const y601 = 0.299 * r + 0.587 * g + 0.114 * b;
    cb[i] = 0.564 * (b - y601);
    cr[i] = 0.713 * (r - y601);
    detail[i] = sumDetail[i]! * (norm / 4);
  }
}
