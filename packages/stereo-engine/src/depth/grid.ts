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

function cellOfColumn(count: number, cellSize: number, cells: number): Int32Array {
  const map = new Int32Array(count);
  for (let x = 0; x < count; x++) map[x] = min(cells - 1, floor(x / cellSize));
  return map;
}

function reduceYuv(frame: Uint8Array, layout: FrameLayout, grid: AnalysisGrid): void {
  const { gridWidth: gw, gridHeight: gh, cellWidth: cw, cellHeight: ch, luma, cb, cr, detail } = grid;
  const width = layout.width;
  const usedWidth = gw * cw;
  const usedHeight = gh * ch;
  const cellX = cellOfColumn(usedWidth, cw, gw);
  luma.fill(0);
  detail.fill(0);
  // Cells of 4×4 pixels or more are estimated from every other row: statistics, not images.
  const rowStep = ch >= 4 ? 2 : 1;
  for (let y = 0; y < usedHeight; y += rowStep) {
    const row = y * width;
    const cellRow = floor(y / ch) * gw;
    let previous = frame[row]!;
    for (let x = 0; x < usedWidth; x++) {
      const v = frame[row + x]!;
      const cell = cellRow + cellX[x]!;
      luma[cell]! += v;
      detail[cell]! += v > previous ? v - previous : previous - v;
      previous = v;
    }
  }
  const lumaNorm = rowStep / (cw * ch * 255);
  for (let i = 0; i < luma.length; i++) {
    luma[i]! *= lumaNorm;
    detail[i]! *= lumaNorm;
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
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      let su = 0;
      let sv = 0;
      for (let j = 0; j < samplesY; j++) {
        const cy = min(chroma.height - 1, floor((gy * ch + (j + 0.5) * stepY) / chromaScale));
        for (let i = 0; i < samplesX; i++) {
          const cx = min(chroma.width - 1, floor((gx * cw + (i + 0.5) * stepX) / chromaScale));
          su += frame[u + cy * chroma.width + cx]!;
          sv += frame[v + cy * chroma.width + cx]!;
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
  const usedWidth = gw * cw;
  const usedHeight = gh * ch;
  const cellX = cellOfColumn(usedWidth, cw, gw);
  const sumG = new Float32Array(gw * gh);
  const sumB = new Float32Array(gw * gh);
  const sumR = new Float32Array(gw * gh);
  detail.fill(0);
  const rowStep = ch >= 4 ? 2 : 1;
  for (let y = 0; y < usedHeight; y += rowStep) {
    const row = y * width;
    const cellRow = floor(y / ch) * gw;
    let previous = 2 * frame[row]! + frame[row + n]! + frame[row + 2 * n]!;
    for (let x = 0; x < usedWidth; x++) {
      const i = row + x;
      const g = frame[i]!;
      const b = frame[i + n]!;
      const r = frame[i + 2 * n]!;
      const guide = 2 * g + b + r;
      const cell = cellRow + cellX[x]!;
      sumG[cell]! += g;
      sumB[cell]! += b;
      sumR[cell]! += r;
      detail[cell]! += guide > previous ? guide - previous : previous - guide;
      previous = guide;
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
    detail[i]! *= norm / 4;
  }
}
