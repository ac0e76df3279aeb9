/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array kernels: indices in range by construction */
import { gridMemoryOf, type GridMemory } from './memory';

// Globals captured once: under jest every global lookup in a loop goes through the test
// context's global object, which made these kernels ~30x slower there.
const { max, min } = Math;
const INFINITY = Number.POSITIVE_INFINITY;


/**
 * Small image filters on Float32 grids (the coarse analysis grid, about 256×144 cells), all
 * O(cells) whatever the radius.
 */

/**
 * Box mean with radius `r` (window 2r+1, shrunk at the borders): separable running sums, both
 * passes streaming row by row (the vertical pass keeps one running sum per column). In
 * WebAssembly when the arrays live in a GridMemory with the WebAssembly kernels (the same f32s).
 */
export function boxMean(
  src: Float32Array,
  width: number,
  height: number,
  r: number,
  out: Float32Array,
  tmp: Float32Array,
): Float32Array {
  const memory = gridMemoryOf(src, out, tmp);
  const scratch = memory?.boxScratch;
  if (memory?.kernels && scratch && width <= scratch.width && height <= scratch.height) {
    memory.kernels.boxMeanGrid(src.byteOffset, width, height, r, out.byteOffset, tmp.byteOffset, scratch.at);
    return out;
  }
  return boxMeanTypeScript(src, width, height, r, out, tmp);
}

/** boxMean's TypeScript twin (exported for the golden tests). */
export function boxMeanTypeScript(
  src: Float32Array,
  width: number,
  height: number,
  r: number,
  out: Float32Array,
  tmp: Float32Array,
): Float32Array {
  const rx = min(r, width - 1);
  const ry = min(r, height - 1);
  const reciprocalX = reciprocalCounts(width, rx);
  const reciprocalY = reciprocalCounts(height, ry);
  // Horizontal pass into tmp (already divided by the window's width).
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let x = 0; x <= rx; x++) sum += src[row + x]!;
    for (let x = 0; x < width; x++) {
      tmp[row + x] = sum * reciprocalX[x]!;
      const hi = x + rx + 1;
      const lo = x - rx;
      if (hi < width) sum += src[row + hi]!;
      if (lo >= 0) sum -= src[row + lo]!;
    }
  }
  // Vertical pass: one running sum per column.
  const columns = columnScratch(width);
  columns.fill(0, 0, width);
  for (let y = 0; y <= ry; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) columns[x]! += tmp[row + x]!;
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const k = reciprocalY[y]!;
    const add = y + ry + 1;
    const remove = y - ry;
    const addRow = add * width;
    const removeRow = remove * width;
    if (add < height && remove >= 0) {
      for (let x = 0; x < width; x++) {
        const c = columns[x]!;
        out[row + x] = c * k;
        columns[x] = c + tmp[addRow + x]! - tmp[removeRow + x]!;
      }
    } else {
      for (let x = 0; x < width; x++) out[row + x] = columns[x]! * k;
      if (add < height) for (let x = 0; x < width; x++) columns[x]! += tmp[addRow + x]!;
      if (remove >= 0) for (let x = 0; x < width; x++) columns[x]! -= tmp[removeRow + x]!;
    }
  }
  return out;
}

let columnBuffer = new Float64Array(0);
function columnScratch(width: number): Float64Array {
  if (columnBuffer.length < width) columnBuffer = new Float64Array(width);
  return columnBuffer;
}

const reciprocalCache = new Map<string, Float32Array>();
/** 1 / (number of cells in the window) for each position along an axis of `length`. */
function reciprocalCounts(length: number, r: number): Float32Array {
  const key = `${length}:${r}`;
  let cached = reciprocalCache.get(key);
  if (!cached) {
    cached = new Float32Array(length);
    for (let i = 0; i < length; i++) cached[i] = 1 / (min(i + r, length - 1) - max(i - r, 0) + 1);
    reciprocalCache.set(key, cached);
  }
  return cached;
}

/** Scratch buffers for the guided filter on one grid size. */
export class GuidedFilter {
  private readonly meanI: Float32Array;
  private readonly meanP: Float32Array;
  private readonly corr: Float32Array;
  private readonly varI: Float32Array;
  private readonly product: Float32Array;
  private readonly tmp: Float32Array;
  /** With the WebAssembly kernels: the memory and the offset of the work area (the six grids
   * above, then the box mean's scratch). */
  private readonly wasm: { memory: GridMemory; work: number } | undefined;

  constructor(
    private readonly width: number,
    private readonly height: number,
    memory?: GridMemory,
  ) {
    const n = width * height;
    const buffer = memory?.memoryBuffer;
    if (memory && buffer) {
      const work = memory.block(6 * 4 * n + 12 * width + 4 * height + 16);
      const view = (k: number): Float32Array => new Float32Array(buffer, work + 4 * n * k, n);
      [this.meanI, this.meanP, this.corr, this.varI, this.product, this.tmp] = [view(0), view(1), view(2), view(3), view(4), view(5)];
      this.wasm = { memory, work };
    } else {
      this.meanI = new Float32Array(n);
      this.meanP = new Float32Array(n);
      this.corr = new Float32Array(n);
      this.varI = new Float32Array(n);
      this.product = new Float32Array(n);
      this.tmp = new Float32Array(n);
    }
  }

  /** The WebAssembly kernels when this filter has them and `views` live in their memory. */
  private kernelsFor(...views: Float32Array[]): { kernels: NonNullable<GridMemory['kernels']>; work: number } | undefined {
    const wasm = this.wasm;
    if (!wasm?.memory.kernels || gridMemoryOf(...views) !== wasm.memory) return undefined;
    return { kernels: wasm.memory.kernels, work: wasm.work };
  }

  /**
   * Fits the guided filter's local linear model p ≈ a·I + b (He et al. 2010) and returns the
   * box-averaged coefficients into `a` and `b`: the filtered output is a·I + b, at this grid's
   * resolution or, interpolated, at any finer one (fast guided filter).
   */
  coefficients(guide: Float32Array, input: Float32Array, r: number, eps: number, a: Float32Array, b: Float32Array): void {
    const { width, height, meanI, meanP, corr, varI, product, tmp } = this;
    const wasm = this.kernelsFor(guide, input, a, b);
    if (wasm) {
      wasm.kernels.guidedCoefficients(guide.byteOffset, input.byteOffset, width, height, r, eps, a.byteOffset, b.byteOffset, wasm.work);
      return;
    }
    const n = width * height;
    boxMean(guide, width, height, r, meanI, tmp);
    boxMean(input, width, height, r, meanP, tmp);
    for (let i = 0; i < n; i++) product[i] = guide[i]! * input[i]!;
    boxMean(product, width, height, r, corr, tmp);
    for (let i = 0; i < n; i++) product[i] = guide[i]! * guide[i]!;
    boxMean(product, width, height, r, varI, tmp);
    for (let i = 0; i < n; i++) {
      const mi = meanI[i]!;
      const ai = (corr[i]! - mi * meanP[i]!) / (varI[i]! - mi * mi + eps);
      product[i] = ai;
      corr[i] = meanP[i]! - ai * mi;
    }
    boxMean(product, width, height, r, a, tmp);
    boxMean(corr, width, height, r, b, tmp);
  }

  /** The guided filter's output at grid resolution into `out` (a, b: scratch of grid size). */
  filter(
    guide: Float32Array,
    input: Float32Array,
    r: number,
    eps: number,
    out: Float32Array,
    a: Float32Array,
    b: Float32Array,
  ): void {
    const n = this.width * this.height;
    const wasm = this.kernelsFor(guide, input, out, a, b);
    if (wasm) {
      wasm.kernels.guidedFilter(
        guide.byteOffset, input.byteOffset, this.width, this.height, r, eps, out.byteOffset, a.byteOffset, b.byteOffset, wasm.work,
      );
      return;
    }
    this.coefficients(guide, input, r, eps, a, b);
    for (let i = 0; i < n; i++) out[i] = a[i]! * guide[i]! + b[i]!;
  }
}

/**
 * Percentiles of `values` (assumed mostly in [lo, hi]) from a 1024-bin histogram: O(n), exact
 * to 1/1024 of the range, which is plenty for normalising depth.
 */
export function percentiles(values: Float32Array, fractions: readonly number[], lo = 0, hi = 1): number[] {
  const bins = 1024;
  const scale = bins / (hi - lo);
  const n = values.length;
  // In WebAssembly when the values live in the kernels' memory (the same bins).
  const memory = gridMemoryOf(values);
  let histogram: Uint32Array;
  if (memory?.kernels && memory.histogram) {
    histogram = memory.histogram.subarray(0, bins).fill(0);
    memory.kernels.histogramBins(values.byteOffset, n, lo, scale, bins, histogram.byteOffset, memory.histogramScratch);
  } else {
    histogram = new Uint32Array(bins);
    for (let i = 0; i < n; i++) {
      let k = ((values[i]! - lo) * scale) | 0;
      if (k < 0) k = 0;
      else if (k >= bins) k = bins - 1;
      histogram[k]!++;
    }
  }
  return fractions.map((fraction) => {
    const target = fraction * (n - 1);
    let seen = 0;
    for (let k = 0; k < bins; k++) {
      seen += histogram[k]!;
      if (seen > target) return lo + (k + 0.5) / scale;
    }
    return hi;
  });
}

/** Grayscale erosion (min filter) with a (2r+1)² square window. */
export function minFilter(src: Float32Array, width: number, height: number, r: number, out: Float32Array, tmp: Float32Array): void {
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let m = INFINITY;
      const lo = x - r < 0 ? 0 : x - r;
      const hi = x + r >= width ? width - 1 : x + r;
      for (let k = lo; k <= hi; k++) if (src[row + k]! < m) m = src[row + k]!;
      tmp[row + x] = m;
    }
  }
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      let m = INFINITY;
      const lo = y - r < 0 ? 0 : y - r;
      const hi = y + r >= height ? height - 1 : y + r;
      for (let k = lo; k <= hi; k++) if (tmp[k * width + x]! < m) m = tmp[k * width + x]!;
      out[y * width + x] = m;
    }
  }
}
