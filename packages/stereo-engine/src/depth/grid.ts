/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array kernels: indices in range by construction */
import type { FrameLayout } from '../frame/planar';
import { WasmKernelArena, availableKernelSet, type KernelSet, type WasmKernelExports } from '../stereo/kernels';
import type { GridMemory } from './memory';

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

/** `allocate` places the cell arrays (a GridMemory's, for the depth estimator). */
export function createAnalysisGrid(size: GridSize, allocate: (length: number) => Float32Array = (length) => new Float32Array(length)): AnalysisGrid {
  const n = size.gridWidth * size.gridHeight;
  return {
    ...size,
    luma: allocate(n),
    cb: allocate(n),
    cr: allocate(n),
    detail: allocate(n),
  };
}

/**
 * Reduces `frame` (any working format) into `grid` (sized by `gridSizeFor` for this frame), with
 * the WebAssembly SIMD kernels when they load (the same f32 values: exact integer sums, then the
 * same f64 formulas), else in TypeScript.
 */
export function reduceToGrid(frame: Uint8Array, layout: FrameLayout, grid: AnalysisGrid, kernelSet: KernelSet = availableKernelSet()): void {
  if (kernelSet === 'wasm-simd' && WasmGridReducer.fits(layout, grid)) {
    wasmReducerFor(layout, grid).reduce(frame, grid);
    return;
  }
  if (layout.format === 'gbrp') reduceGbrp(frame, layout, grid);
  else reduceYuv(frame, layout, grid);
}

/** Cells of 4×4 pixels or more are estimated from every other row: statistics, not images. */
function rowStepFor(grid: GridSize): number {
  return grid.cellHeight >= 4 ? 2 : 1;
}

/** Which chroma pixels reduceYuv averages per cell: a few points per cell, looked up once. */
interface ChromaSampling {
  readonly samplesX: number;
  readonly samplesY: number;
  /** Per column of cells, samplesX chroma columns. */
  readonly columns: Int32Array;
  /** Per row of cells, samplesY chroma rows, as offsets into the plane. */
  readonly rows: Int32Array;
  readonly norm: number;
}

function chromaSampling(layout: FrameLayout, grid: GridSize): ChromaSampling {
  const { gridWidth: gw, gridHeight: gh, cellWidth: cw, cellHeight: ch } = grid;
  const chroma = layout.planes[1]!;
  const chromaScale = layout.width / chroma.width; // 2 for 4:2:0, 1 for 4:4:4
  const samplesX = max(1, round(cw / chromaScale));
  const samplesY = max(1, round(ch / chromaScale));
  const stepX = cw / samplesX;
  const stepY = ch / samplesY;
  const columns = new Int32Array(gw * samplesX);
  for (let gx = 0; gx < gw; gx++) {
    for (let i = 0; i < samplesX; i++) {
      columns[gx * samplesX + i] = min(chroma.width - 1, floor((gx * cw + (i + 0.5) * stepX) / chromaScale));
    }
  }
  const rows = new Int32Array(gh * samplesY);
  for (let gy = 0; gy < gh; gy++) {
    for (let j = 0; j < samplesY; j++) {
      rows[gy * samplesY + j] = min(chroma.height - 1, floor((gy * ch + (j + 0.5) * stepY) / chromaScale)) * chroma.width;
    }
  }
  return { samplesX, samplesY, columns, rows, norm: 1 / (samplesX * samplesY * 255) };
}

/** The depth estimate's reductions in assembly/kernels.ts (not the renderer's kernels). */
interface ChromaRowsKernel {
  /** reduceLumaGrid without the detail. */
  reduceLumaOnly(
    frame: number, width: number, gridWidth: number, gridHeight: number, cellWidth: number, cellHeight: number, rowStep: number,
    columns: number, norm: number, luma: number,
  ): void;
  /** The grid's chroma means, the chroma rows of a row of cells summed first into `sums` (8·(chromaWidth + 15) bytes). */
  reduceChromaRows(
    frame: number, u: number, v: number, chromaWidth: number, gridWidth: number, gridHeight: number, samplesX: number, samplesY: number,
    columns: number, rows: number, norm: number, cb: number, cr: number, sums: number,
  ): void;
}

/**
 * reduceToGrid in the WebAssembly kernels' memory, for one frame size and grid: the frame is
 * copied in, the four cell arrays copied out (unless they live in that memory: gridReducerIn).
 */
class WasmGridReducer {
  private readonly kernels: WasmKernelExports & ChromaRowsKernel;
  private readonly frame: Uint8Array;
  private readonly at: { frame: number; columns: number; luma: number; cb: number; cr: number; detail: number; chromaColumns: number; chromaRows: number };
  private readonly means: { luma: Float32Array; cb: Float32Array; cr: Float32Array; detail: Float32Array };
  private readonly chroma: ChromaSampling | undefined;
  private readonly buffer: ArrayBuffer;

  /** The per-column sums are 16-bit: at most 256 rows per cell (64 for gbrp, whose detail steps reach 1020). */
  static fits(layout: FrameLayout, grid: GridSize): boolean {
    const rows = Math.ceil(grid.cellHeight / rowStepFor(grid));
    return rows <= (layout.format === 'gbrp' ? 64 : 256);
  }

  /** Bytes of a reducer's frame, sums and chroma sampling in a GridMemory (see `host`). */
  static hostBytes(layout: FrameLayout, size: GridSize): number {
    const align = (bytes: number): number => (bytes + 15) & ~15;
    const samples = layout.format === 'gbrp' ? undefined : chromaSampling(layout, size);
    const [columns, rows] = [samples?.columns.length ?? 0, samples?.rows.length ?? 0];
    return 16 + align(layout.byteLength + 16) + align(8 * (layout.width + 16)) + align(4 * columns) + align(4 * rows);
  }

  /**
   * With `host`, in a GridMemory's WebAssembly memory (hostBytes of it), the cells straight into
   * `host.grid`'s arrays, which live there: no copies out. Else in a memory of its own.
   */
  constructor(readonly layout: FrameLayout, readonly size: GridSize, host?: { memory: GridMemory; grid: AnalysisGrid }) {
    const cells = size.gridWidth * size.gridHeight;
    this.chroma = layout.format === 'gbrp' ? undefined : chromaSampling(layout, size);
    const arena = host ? undefined : new WasmKernelArena();
    const take = (bytes: number): number => (arena ? arena.reserve(bytes) : host!.memory.block(bytes));
    take(16); // readable bytes before the frame (the first row's left neighbour)
    const frameAt = take(layout.byteLength + 16); // and after it (whole 16-byte blocks)
    const columns = take(8 * (layout.width + 16));
    const chromaColumns = take(4 * (this.chroma?.columns.length ?? 0));
    const chromaRows = take(4 * (this.chroma?.rows.length ?? 0));
    const means = host
      ? { luma: host.grid.luma.byteOffset, cb: host.grid.cb.byteOffset, cr: host.grid.cr.byteOffset, detail: host.grid.detail.byteOffset }
      : { luma: take(4 * cells), cb: take(4 * cells), cr: take(4 * cells), detail: take(4 * cells) };
    const at = { frame: frameAt, columns, ...means, chromaColumns, chromaRows };
    const { kernels, buffer } = arena
      ? arena.instantiate()
      : { kernels: host!.memory.kernels as unknown as WasmKernelExports, buffer: host!.memory.memoryBuffer! };
    this.kernels = kernels as WasmKernelExports & ChromaRowsKernel;
    this.buffer = buffer;
    this.at = at;
    this.frame = new Uint8Array(buffer, at.frame, layout.byteLength);
    this.means = {
      luma: new Float32Array(buffer, at.luma, cells), cb: new Float32Array(buffer, at.cb, cells),
      cr: new Float32Array(buffer, at.cr, cells), detail: new Float32Array(buffer, at.detail, cells),
    };
    if (this.chroma) {
      new Int32Array(buffer, at.chromaColumns, this.chroma.columns.length).set(this.chroma.columns);
      new Int32Array(buffer, at.chromaRows, this.chroma.rows.length).set(this.chroma.rows);
    }
  }

  /**
   * Reduces `frame` into `grid`: straight into its arrays when they live in this reducer's memory.
   * Without `withDetail` a YUV frame's detail is skipped (the grid's stays as it was).
   */
  reduce(frame: Uint8Array, grid: AnalysisGrid, withDetail = true): void {
    const { layout, at, kernels, chroma, buffer } = this;
    const inPlace = grid.luma.buffer === buffer && grid.cb.buffer === buffer && grid.cr.buffer === buffer && grid.detail.buffer === buffer;
    const luma = inPlace ? grid.luma.byteOffset : at.luma;
    const cb = inPlace ? grid.cb.byteOffset : at.cb;
    const cr = inPlace ? grid.cr.byteOffset : at.cr;
    const detail = inPlace ? grid.detail.byteOffset : at.detail;
    const { gridWidth: gw, gridHeight: gh, cellWidth: cw, cellHeight: ch } = this.size;
    const rowStep = rowStepFor(this.size);
    const norm = rowStep / (cw * ch * 255);
    this.frame.set(frame.length === layout.byteLength ? frame : frame.subarray(0, layout.byteLength));
    if (!chroma) {
      kernels.reduceGbrpGrid(at.frame, layout.width, layout.height, gw, gh, cw, ch, rowStep, at.columns, norm, luma, cb, cr, detail);
    } else {
      if (withDetail) kernels.reduceLumaGrid(at.frame, layout.width, gw, gh, cw, ch, rowStep, at.columns, norm, luma, detail);
      else kernels.reduceLumaOnly(at.frame, layout.width, gw, gh, cw, ch, rowStep, at.columns, norm, luma);
      // The chroma rows summed first (the same integer sums, cell by cell, as the TypeScript reduction); `columns` is free again.
      kernels.reduceChromaRows(
        at.frame, layout.planes[1]!.offset, layout.planes[2]!.offset, layout.planes[1]!.width, gw, gh, chroma.samplesX, chroma.samplesY,
        at.chromaColumns, at.chromaRows, chroma.norm, cb, cr, at.columns,
      );
    }
    if (inPlace) return;
    grid.luma.set(this.means.luma);
    grid.cb.set(this.means.cb);
    grid.cr.set(this.means.cr);
    if (withDetail || !chroma) grid.detail.set(this.means.detail);
  }
}

/** Reduces frames into grids (see gridReducerIn). */
export interface GridReducer {
  /** Without `withDetail` the grid's detail may be left as it was (only the luma and chroma are new). */
  reduce(frame: Uint8Array, into: AnalysisGrid, withDetail: boolean): void;
}

/**
 * A reducer of frames of `layout` into grids of `grid`'s size whose arrays live in `memory` (a
 * GridMemory with the WebAssembly kernels and GridReducer.hostBytes to spare), working in that
 * memory; undefined where the WebAssembly reduction does not fit (reduceToGrid then).
 */
export function gridReducerIn(memory: GridMemory, layout: FrameLayout, grid: AnalysisGrid): GridReducer | undefined {
  if (!memory.kernels || !WasmGridReducer.fits(layout, grid)) return undefined;
  const reducer = new WasmGridReducer(layout, grid, { memory, grid });
  return { reduce: (frame, into, withDetail) => reducer.reduce(frame, into, withDetail) };
}

/** Bytes gridReducerIn takes of a GridMemory. */
export function gridReducerBytes(layout: FrameLayout, size: GridSize): number {
  return WasmGridReducer.hostBytes(layout, size);
}

/** Reducers by frame format, size and grid, the most recently used last: a few, for the
 * conversions one thread may run side by side (each holds a frame-sized memory). */
const wasmReducers = new Map<string, WasmGridReducer>();
const MAX_WASM_REDUCERS = 4;

/** The reducer used last (it is also the most recent in `wasmReducers`): a stream asks for it every frame. */
let lastReducer: WasmGridReducer | undefined;

function wasmReducerFor(layout: FrameLayout, size: GridSize): WasmGridReducer {
  const last = lastReducer;
  if (
    last && last.layout === layout && last.size.gridWidth === size.gridWidth && last.size.gridHeight === size.gridHeight &&
    last.size.cellWidth === size.cellWidth && last.size.cellHeight === size.cellHeight
  ) {
    return last;
  }
  lastReducer = reducerByKey(layout, size);
  return lastReducer;
}

function reducerByKey(layout: FrameLayout, size: GridSize): WasmGridReducer {
  const key = `${layout.format} ${layout.width}x${layout.height} ${size.gridWidth}x${size.gridHeight} ${size.cellWidth}x${size.cellHeight}`;
  let reducer = wasmReducers.get(key);
  if (reducer) {
    wasmReducers.delete(key);
  } else {
    reducer = new WasmGridReducer(layout, size);
    if (wasmReducers.size >= MAX_WASM_REDUCERS) wasmReducers.delete(wasmReducers.keys().next().value as string);
  }
  wasmReducers.set(key, reducer);
  return reducer;
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
  const rowStep = rowStepFor(grid);
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
  const u = layout.planes[1]!.offset;
  const v = layout.planes[2]!.offset;
  // Chroma cell means, by sampling the chroma pixel under each of a few points per cell.
  const { samplesX, samplesY, columns, rows, norm } = chromaSampling(layout, grid);
  for (let gy = 0; gy < gh; gy++) {
    const rowAt = gy * samplesY;
    for (let gx = 0; gx < gw; gx++) {
      let su = 0;
      let sv = 0;
      for (let j = 0; j < samplesY; j++) {
        const pu = u + rows[rowAt + j]!;
        const pv = v + rows[rowAt + j]!;
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
  const rowStep = rowStepFor(grid);
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
