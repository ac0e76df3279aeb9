import { WasmKernelArena, type KernelSet } from '../stereo/kernels';

/** FigureGround's export of assembly/kernels.ts. */
export interface FigureKernelExports {
  /** shrink, barrier and total += distance for one channel (FigureGround.compute). */
  figureBarrier(
    channel: number, width: number, hw: number, hh: number, coarse: number, seed: number,
    distance: number, upper: number, lower: number, offset: number, total: number,
  ): void;
  /** The end of FigureGround.compute: scale, weighBySize, and the coarse grid up to `out`. */
  figureFinish(
    total: number, hw: number, hh: number, scale: number, label: number, stack: number, gains: number, width: number, height: number, out: number,
  ): void;
  /** figureBarrier for three channels at once (total += each in order); `work`: 80 bytes per coarse cell. */
  figureBarriers(c0: number, c1: number, c2: number, width: number, hw: number, hh: number, seed: number, work: number, total: number): void;
}

/** The depth estimate's exports of assembly/kernels.ts (pointers are byte offsets into the memory). */
export interface DepthKernelExports extends FigureKernelExports {
  /** boxMean of filters.ts; `scratch`: 12·width + 4·height + 16 bytes. */
  boxMeanGrid(src: number, width: number, height: number, r: number, out: number, tmp: number, scratch: number): void;
  /** GuidedFilter.coefficients; `work`: five grids (meanI, meanP, corr, varI, product), tmp, then
   * the box mean's scratch. */
  guidedCoefficients(guide: number, input: number, width: number, height: number, r: number, eps: number, a: number, b: number, work: number): void;
  /** carryUp's colour steps (box means radius 1, then |vertical differences| summed). */
  carrySteps(luma: number, cb: number, cr: number, width: number, height: number, step: number, smooth: number, tmp: number, scratch: number): void;
  /** carrySteps from planes already box-smoothed. */
  carryStepsOf(luma: number, cb: number, cr: number, width: number, height: number, step: number): void;
  /** carryUp's walk up the columns; `carried`: 8·width bytes. */
  carryColumns(prior: number, step: number, width: number, height: number, threshold: number, decay: number, out: number, carried: number): void;
  /** atmosphereCue, each cell's chroma computed once into `chroma` (8 bytes a cell). */
  atmosphereGrid(luma: number, cb: number, cr: number, width: number, height: number, out: number, darkest: number, tmp: number, chroma: number): void;
  /** motionCue's block search; `matches`: two i32 per block. */
  motionSearch(previous: number, current: number, gw: number, gh: number, bw: number, bh: number, matches: number): void;
  /** motionCue's cells from the block matches (min(1.5, (magnitude − mean) / p90), 0 without a match); overwrites the matches. */
  motionCells(matches: number, bw: number, bh: number, gw: number, gh: number, mean: number, p90: number, out: number): void;
  /** Adds `count` values into `bins` u32 bins: ((v − lo)·scale) | 0, clamped; `scratch`: 16·bins bytes. */
  histogramBins(values: number, count: number, lo: number, scale: number, bins: number, histogram: number, scratch: number): void;
  /** gradientMagnitude. */
  gradientGrid(luma: number, width: number, height: number, out: number): void;
  /** estimateHorizon's row means of luma, gradient and chroma (f64, three runs of `height`). */
  horizonFeatures(luma: number, gradient: number, cb: number, cr: number, width: number, height: number, features: number): void;
  /** MotionFollower.follow against a reference (luma, cb, cr of the grid, then the reference's). */
  followCells(
    luma: number, cb: number, cr: number, refLuma: number, refCb: number, refCr: number, gw: number, gh: number, changed: number,
    source: number, mismatch: number,
  ): void;
  /** The estimator's motion memory: m = 0.5·m + weight·motion. */
  blendMotionMemory(memory: number, motion: number, n: number, weight: number): void;
  /** The estimator's weighted sum of the cues (the motion memory's term only `withMemory`). */
  fuseCues(
    carry: number, figure: number, defocus: number, atmosphere: number, memory: number, n: number,
    ground: number, figureWeight: number, defocusWeight: number, atmosphereWeight: number, motionWeight: number, withMemory: boolean, out: number,
  ): void;
  /** sendSkyFarthest: `sky` one byte per cell. */
  skyFarthest(depth: number, sky: number, n: number): void;
  /** The estimator's temporal blend with the previous depth, following `source`. */
  blendTemporal(depth: number, previous: number, source: number, mismatch: number, n: number, keepMax: number, change: number): void;
  /** The estimator's normalisation to [0, 1]. */
  normaliseDepth(depth: number, n: number, lo: number, scale: number, out: number): void;
  /** reuseFit: a[i] = fitA[source[i]], b[i] = fitB[source[i]]. */
  followFit(fitA: number, fitB: number, source: number, n: number, a: number, b: number): void;
  /** Math.log of `count` f64 values into `out` (the defocus cue's log, for its golden test). */
  logValues(values: number, count: number, out: number): void;
  /** defocusCue's log ratios into `out` (NaN where too flat) and, packed, into `values`; their count. */
  defocusRatios(gradient: number, detail: number, n: number, cellWidth: number, out: number, values: number): number;
  /** defocusCue's standardisation of `out`. */
  defocusStandardise(out: number, n: number, median: number, spread: number): void;
  /** GuidedFilter.filter. */
  guidedFilter(
    guide: number, input: number, width: number, height: number, r: number, eps: number, out: number, a: number, b: number, work: number,
  ): void;
}

/** The most bins a histogram in a GridMemory has (the percentiles' 1024). */
export const HISTOGRAM_BINS = 1024;

/** Views of one GridMemory's WebAssembly memory, by its buffer. */
const memories = new WeakMap<ArrayBufferLike, GridMemory>();

/**
 * Where one depth estimator's grids live. With the WebAssembly kernels, one kernel instance's
 * memory, laid out once (a bump allocator over `bytes`): the TypeScript code works on views of it
 * and the WebAssembly kernels on the same cells by offset, with no copies. With the TypeScript
 * kernels, plain typed arrays. A filter runs in WebAssembly when its arrays all live in one such
 * memory (`gridMemoryOf`), else in TypeScript: the same f32 values either way.
 */
export class GridMemory {
  readonly kernels: DepthKernelExports | undefined;
  private readonly buffer: ArrayBuffer | undefined;
  private readonly capacity: number;
  private next = 0;
  /** Offset and size of the box mean's scratch (columns and reciprocals) for grids up to this size. */
  readonly boxScratch: { at: number; width: number; height: number } | undefined;
  /** Histogram bins for the percentiles and the cut detection (HISTOGRAM_BINS u32). */
  readonly histogram: Uint32Array | undefined;
  /** Offset of histogramBins' scratch (four partial histograms of HISTOGRAM_BINS u32). */
  readonly histogramScratch: number = 0;
  /** Three f64 per row of the grid: the horizon's row statistics. */
  private readonly rows: Float64Array | undefined;
  /** Two i32 per block of 8×8 cells of the grid: the motion cue's matches. */
  private readonly matches: Int32Array | undefined;

  constructor(kernelSet: KernelSet, bytes: number, gridWidth: number, gridHeight: number) {
    if (kernelSet !== 'wasm-simd') {
      this.capacity = 0;
      return;
    }
    const arena = new WasmKernelArena();
    const boxBytes = align(12 * gridWidth + 4 * gridHeight + 16);
    const blocks = Math.ceil(gridWidth / 8) * Math.ceil(gridHeight / 8);
    this.capacity = align(bytes) + boxBytes + align(8 * blocks) + 5 * 4 * HISTOGRAM_BINS + align(24 * gridHeight);
    arena.reserve(this.capacity);
    const { kernels, buffer } = arena.instantiate();
    this.kernels = kernels as unknown as DepthKernelExports;
    this.buffer = buffer;
    this.boxScratch = { at: this.take(boxBytes), width: gridWidth, height: gridHeight };
    this.matches = new Int32Array(buffer, this.take(8 * blocks), 2 * blocks);
    this.histogram = new Uint32Array(buffer, this.take(4 * HISTOGRAM_BINS), HISTOGRAM_BINS);
    this.histogramScratch = this.take(4 * 4 * HISTOGRAM_BINS);
    this.rows = new Float64Array(buffer, this.take(24 * gridHeight), 3 * gridHeight);
    memories.set(buffer, this);
  }

  get wasm(): boolean {
    return this.buffer !== undefined;
  }

  int32(length: number): Int32Array {
    return this.buffer ? new Int32Array(this.buffer, this.take(4 * length), length) : new Int32Array(length);
  }

  uint8(length: number): Uint8Array {
    return this.buffer ? new Uint8Array(this.buffer, this.take(length), length) : new Uint8Array(length);
  }

  float64(length: number): Float64Array {
    return this.buffer ? new Float64Array(this.buffer, this.take(8 * length), length) : new Float64Array(length);
  }

  float32(length: number): Float32Array {
    return this.buffer ? new Float32Array(this.buffer, this.take(4 * length), length) : new Float32Array(length);
  }

  /** `bytes` contiguous bytes (16-byte aligned) for a kernel's work area; its offset. */
  block(bytes: number): number {
    if (!this.buffer) throw new Error('a work block needs the WebAssembly memory');
    return this.take(bytes);
  }

  /** Room for the horizon's three row statistics of `height` rows, if the grid has that many. */
  rowFeatures(height: number): Float64Array | undefined {
    return this.rows && this.rows.length >= 3 * height ? this.rows.subarray(0, 3 * height) : undefined;
  }

  /** Room for the motion cue's matches of `blocks` blocks, if it has that many. */
  motionMatches(blocks: number): Int32Array | undefined {
    return this.matches && this.matches.length >= 2 * blocks ? this.matches : undefined;
  }

  get memoryBuffer(): ArrayBuffer | undefined {
    return this.buffer;
  }

  private take(bytes: number): number {
    const at = this.next;
    this.next = at + align(bytes);
    if (this.next > this.capacity) throw new Error(`GridMemory: ${this.next} bytes wanted, ${this.capacity} reserved`);
    return at;
  }
}

function align(bytes: number): number {
  return (bytes + 15) & ~15;
}

/** The memory all of `views` live in, when it is one GridMemory with the WebAssembly kernels. */
export function gridMemoryOf(...views: ArrayBufferView[]): GridMemory | undefined {
  const buffer = views[0]?.buffer;
  if (buffer === undefined) return undefined;
  const memory = memories.get(buffer);
  if (!memory) return undefined;
  for (const view of views) if (view.buffer !== buffer) return undefined;
  return memory;
}
