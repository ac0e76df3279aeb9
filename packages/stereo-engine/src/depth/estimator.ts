/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array kernels: indices in range by construction */
import type { FrameLayout } from '../frame/planar';
import {
  atmosphereCue,
  carryUp,
  defocusCue,
  estimateHorizon,
  gradientMagnitude,
  groundPrior,
  motionCue,
  skyMask,
} from './cues';
import { FigureGround } from './figure';
import type { DepthField } from './field';
import { boxMean, GuidedFilter, percentiles } from './filters';
import {
  createAnalysisGrid, gridReducerBytes, gridReducerIn, gridSizeFor, reduceToGrid, type AnalysisGrid, type GridReducer, type GridSize,
} from './grid';
import { GridMemory, gridMemoryOf } from './memory';
import { MotionFollower } from './motion-follow';
import { availableKernelSet, type KernelSet } from '../stereo/kernels';

// Globals captured once: under jest every global lookup in a loop goes through the test
// context's global object, which made these kernels ~30x slower there.
const { abs, max, min, round } = Math;


export interface DepthEstimatorOptions {
  /** Long side of the analysis grid in cells (default 256). Higher = finer, slower. */
  readonly resolution?: number;
  /** Smooth depth across consecutive frames (video); reset at scene cuts. Default true. */
  readonly temporal?: boolean;
  /** A frame pixel's displayed width over its height (2 when squeezed to half width). */
  readonly pixelAspect?: number;
  /**
   * Re-estimate the grid depth every this many frames (default 1: every frame). In between, the
   * last fit (depth ≈ A·luma + B per cell) is applied to the new frame's own luma, so depth
   * edges still follow the current picture; a scene cut always re-estimates at once.
   */
  readonly refreshInterval?: number;
  /** Which kernels run the grid reduction and the filters (default: the fastest that loads). */
  readonly kernelSet?: KernelSet;
}

/**
 * Cue weights, in depth units (the ground prior and the figure cue span 0..1; defocus,
 * atmosphere and motion are standardised, about ±1).
 */
const WEIGHTS = { ground: 0.5, figure: 0.5, defocus: 0.4, atmosphere: 0.1, motion: 0.5 } as const;
/**
 * Regulariser of the grid-level guided filter, in squared luma: large enough that the local
 * linear fit spreads depth within regions without copying their brightness into it (a dark
 * face stays as near as the bright suit around it), small enough that depth still steps at
 * strong edges.
 */
const REGION_EPS = 0.1;

/**
 * Per-cell blend of the new depth with the previous frame's where the image did not change: high,
 * because the figure cue is global (a moving object changes which regions the border reaches)
 * and would otherwise make still regions flicker.
 */
const TEMPORAL_KEEP = 0.9;
/** Blend of the depth range (for the normalisation) with the previous frame's. */
const RANGE_KEEP = 0.5;
/**
 * A luma change (0..1) this large between a cell and where its content was in the last estimated
 * frame is new content: the cell takes the new depth at once.
 */
const TEMPORAL_CHANGE = 0.08;
/**
 * Depth is normalised to [0, 1] between this percentile and the maximum: the farthest part of a
 * picture (sky, walls, the distant background) is the far plane together, and the nearest thing
 * is the near end, so a near ground or subject uses the whole range.
 */
const FAR_PERCENTILE = 0.15;
/** Histogram distance (0..1) between consecutive frames above which a cut is declared. */
const CUT_THRESHOLD = 0.35;

export interface DepthDiagnostics {
  readonly horizonRow: number;
  readonly horizonConfidence: number;
  readonly defocusConfidence: number;
  readonly motionConfidence: number;
  readonly sceneCut: boolean;
}

/**
 * Estimates per-frame depth (1 = near) from monocular cues, fused on a coarse grid: a ground
 * plane below an estimated horizon with vertical structures carried up from their base; figure
 * and ground by the frame's border (a subject is what the top and sides do not reach, see
 * FigureGround); defocus (the sharp part is the subject); atmospheric perspective; motion
 * parallax; sky always farthest. Then an edge-aware refinement that spreads depth within regions
 * without copying their brightness, temporal smoothing that resets at scene cuts, and a field
 * that carries the grid's depth to full resolution along the image's edges (see DepthField).
 * One instance per stream of frames.
 */
export class DepthEstimator {
  readonly size: GridSize;
  /**
   * The grid the next frame is reduced into, and a second one: the last estimated frame's grid is
   * the motion reference (kept in place, see MotionFollower.remember), so the grids swap roles
   * after each full estimate instead of the reference being copied.
   */
  private grid: AnalysisGrid;
  private spareGrid: AnalysisGrid;
  private readonly guided: GuidedFilter;
  private readonly figureGround: FigureGround;
  private readonly sky: Uint8Array;
  /** skyMask's stack of cells to visit. */
  private readonly skyStack: Int32Array;
  private readonly smoothed: [Float32Array, Float32Array, Float32Array];
  private readonly n: number;
  private readonly buffers: Record<
    'gradient' | 'carry' | 'figure' | 'defocus' | 'atmosphere' | 'motion' | 'fused' | 'depth' | 'a' | 'b' | 'c' | 'd',
    Float32Array
  >;
  private readonly priorRows: Float32Array;
  /** The 32-bin luma histograms of the cut detection: this frame's and the motion reference's. */
  private readonly cutBins = { current: new Float64Array(CUT_BINS), reference: new Float64Array(CUT_BINS) };
  /**
   * The last estimate's depth and the motion memory (`memoryStore`). The depth is the array the
   * estimate wrote (`buffers.depth` then): it and `depthStore` swap roles after each estimate, so
   * the next one writes into the other instead of this one being copied.
   */
  private previousDepth: Float32Array | undefined;
  private motionMemory: Float32Array | undefined;
  private depthStore: Float32Array;
  /** The atmosphere cue's chroma per cell (f64). */
  private readonly chroma: Float64Array;
  private readonly memoryStore: Float32Array;
  private horizon: number | undefined;
  private range: { lo: number; hi: number } | undefined;
  private diagnostics: DepthDiagnostics | undefined;
  /** The last estimate's fit (depth ≈ A·luma + B per cell); `hasFit` says whether it is valid. */
  private readonly lastFit: { a: Float32Array; b: Float32Array };
  private hasFit = false;
  /** The field handed out: overwritten by every call (see `estimate`). */
  private readonly field: DepthField;
  private framesSinceFit = 0;
  /** Where each cell's content was in the last estimated frame. */
  private readonly motion: MotionFollower;
  /** Reduces frames into a grid in its memory, when the WebAssembly kernels run and the reduction fits. */
  private readonly reducer: GridReducer | undefined;
  /** Where the grids live: the WebAssembly kernels' memory when they run (see GridMemory). */
  private readonly memory: GridMemory;

  constructor(
    readonly layout: FrameLayout,
    private readonly options: DepthEstimatorOptions = {},
  ) {
    this.size = gridSizeFor(layout.width, layout.height, options.resolution, options.pixelAspect);
    const { gridWidth: gw, gridHeight: gh } = this.size;
    this.n = gw * gh;
    // The grids below (4 + 4 + 3 + 12 + 2 + 2 + 2, the motion follower's 2), the sky's bytes, the chroma (f64), the guided filter's work area,
    // the prior's rows, the figure cue's coarse grids and the grid reduction's frame and sums.
    const cellBytes = (4 * this.n + 15) & ~15;
    this.memory = new GridMemory(
      options.kernelSet ?? availableKernelSet(),
      31 * cellBytes + ((this.n + 15) & ~15) + ((8 * this.n + 15) & ~15) + 6 * 4 * this.n + 12 * gw + 4 * gh + 16 + 4 * gh + 64 + FigureGround.memoryBytes(gw, gh) + gridReducerBytes(layout, this.size),
      gw,
      gh,
    );
    const make = (): Float32Array => this.memory.float32(this.n);
    this.grid = createAnalysisGrid(this.size, make);
    this.spareGrid = createAnalysisGrid(this.size, make);
    this.reducer = gridReducerIn(this.memory, layout, this.grid);
    this.guided = new GuidedFilter(gw, gh, this.memory);
    this.figureGround = new FigureGround(gw, gh, this.memory.wasm ? this.memory : undefined);
    this.sky = this.memory.uint8(this.n);
    this.skyStack = new Int32Array(this.n);
    this.smoothed = [make(), make(), make()];
    this.buffers = {
      gradient: make(),
      carry: make(),
      figure: make(),
      defocus: make(),
      atmosphere: make(),
      motion: make(),
      fused: make(),
      depth: make(),
      a: make(),
      b: make(),
      c: make(),
      d: make(),
    };
    this.priorRows = this.memory.float32(gh);
    this.lastFit = { a: make(), b: make() };
    this.depthStore = make();
    this.chroma = this.memory.float64(this.n);
    this.memoryStore = make();
    this.field = { ...this.size, a: make(), b: make() };
    this.motion = new MotionFollower(gw, gh, TEMPORAL_CHANGE / 2, this.memory.wasm ? this.memory : undefined);
  }

  /** What the last frame's estimate saw (for tests, the eval and debugging). */
  get lastDiagnostics(): DepthDiagnostics | undefined {
    return this.diagnostics;
  }

  /** The depth of the grid cells of the last frame (1 = near), before the full-res field. */
  get lastGridDepth(): Float32Array | undefined {
    return this.previousDepth;
  }

  /**
   * Estimates the depth of `frame` (bytes in this estimator's layout). The field returned, with its
   * arrays, belongs to the estimator and is overwritten by the next call (no allocation per
   * frame): render with it or copy it before estimating the next frame.
   */
  estimate(frame: Uint8Array): DepthField {
    const { gridWidth: gw, gridHeight: gh } = this.size;
    const grid = this.grid;
    const b = this.buffers;
    const temporal = this.options.temporal ?? true;
    const interval = Math.max(1, Math.floor(this.options.refreshInterval ?? 1));
    // A frame that will reuse the last fit (unless it is a cut) needs no detail: only the luma and
    // chroma (the cut detection, the motion follower).
    const mayReuse = temporal && this.hasFit && this.framesSinceFit + 1 < interval;
    if (this.reducer) this.reducer.reduce(frame, grid, !mayReuse);
    else reduceToGrid(frame, this.layout, grid, this.memory.wasm ? 'wasm-simd' : 'typescript');

    // The reference's histogram was this one when it was the current frame (see `remember`).
    lumaBins(grid.luma, this.cutBins.current);
    const sceneCut = this.motion.referenceLuma !== undefined && binsDistance(this.cutBins.reference, this.cutBins.current, this.n) > CUT_THRESHOLD;
    if (!temporal || sceneCut) this.resetTemporalState();
    if (temporal && this.hasFit && this.framesSinceFit + 1 < interval) {
      this.framesSinceFit++;
      return this.reuseFit();
    }
    // A cut called the reuse off: the frame again, with its detail.
    if (mayReuse && this.reducer) this.reducer.reduce(frame, grid, true);
    this.framesSinceFit = 0;

    const kernels = this.memory.kernels;
    gradientMagnitude(grid.luma, gw, gh, b.gradient);
    const found = estimateHorizon(grid, b.gradient);
    const trust = smoothstep(0.1, 0.4, found.confidence);
    const frameHorizon = trust * found.row;
    this.horizon = this.horizon === undefined ? frameHorizon : 0.8 * this.horizon + 0.2 * frameHorizon;
    groundPrior(gh, this.horizon, this.priorRows);
    // Colour planes lightly smoothed, so fine texture is neither a figure nor an edge (nor a
    // boundary that stops carryUp, which smooths them so too).
    const [sl, scb, scr] = this.smoothed;
    boxMean(grid.luma, gw, gh, 1, sl, b.a);
    boxMean(grid.cb, gw, gh, 1, scb, b.a);
    boxMean(grid.cr, gw, gh, 1, scr, b.a);
    carryUp(grid, this.priorRows, this.horizon, b.carry, { step: b.c, smooth: b.a, tmp: b.b }, this.smoothed);

    const defocusConfidence = defocusCue(grid, b.gradient, b.defocus, b.d);
    atmosphereCue(grid, b.atmosphere, { a: b.a, b: b.b, chroma: this.chroma });
    let motionConfidence = 0;
    const previousLuma = this.motion.referenceLuma;
    if (previousLuma) {
      motionConfidence = motionCue(previousLuma, grid.luma, gw, gh, b.motion);
      if (motionConfidence > 0) {
        const memory = (this.motionMemory ??= this.memoryStore.fill(0));
        const weight = 0.5 * motionConfidence;
        if (kernels) kernels.blendMotionMemory(memory.byteOffset, b.motion.byteOffset, this.n, weight);
        else for (let i = 0; i < this.n; i++) memory[i] = 0.5 * memory[i]! + weight * b.motion[i]!;
      }
    }

    this.figureGround.compute(this.smoothed, b.figure);
    const skyShare = skyMask(grid, b.gradient, this.sky, this.skyStack);

    const fused = b.fused;
    const memory = this.motionMemory;
    const wDefocus = WEIGHTS.defocus * defocusConfidence;
    if (kernels) {
      kernels.fuseCues(
        b.carry.byteOffset, b.figure.byteOffset, b.defocus.byteOffset, b.atmosphere.byteOffset, memory?.byteOffset ?? 0, this.n,
        WEIGHTS.ground, WEIGHTS.figure, wDefocus, WEIGHTS.atmosphere, WEIGHTS.motion, memory !== undefined, fused.byteOffset,
      );
    } else {
      for (let i = 0; i < this.n; i++) {
        fused[i] =
          WEIGHTS.ground * b.carry[i]! +
          WEIGHTS.figure * b.figure[i]! +
          wDefocus * b.defocus[i]! +
          WEIGHTS.atmosphere * b.atmosphere[i]! +
          (memory ? WEIGHTS.motion * memory[i]! : 0);
      }
    }

    // Edge-aware refinement: spread the cues within regions, keep steps at strong edges.
    const depth = b.depth;
    this.guided.filter(grid.luma, fused, max(2, round(gw / 24)), REGION_EPS, depth, b.a, b.b);
    // Sky is behind everything else, whatever the other cues say. Set after the refinement, which
    // would otherwise spread the sky's depth into the subject beside it.
    if (skyShare > 0) {
      if (kernels) kernels.skyFarthest(depth.byteOffset, this.sky.byteOffset, this.n);
      else sendSkyFarthest(depth, this.sky);
    }

    // Blend with the previous depth where the content is the same, following what moved.
    if (this.previousDepth && this.motion.follow(grid)) {
      const previous = this.previousDepth;
      const { source, mismatch } = this.motion;
      if (kernels) {
        kernels.blendTemporal(depth.byteOffset, previous.byteOffset, source.byteOffset, mismatch.byteOffset, this.n, TEMPORAL_KEEP, TEMPORAL_CHANGE);
      } else {
        for (let i = 0; i < this.n; i++) {
          const keep = TEMPORAL_KEEP * (1 - min(1, mismatch[i]! / TEMPORAL_CHANGE));
          depth[i] = keep * previous[source[i]!]! + (1 - keep) * depth[i]!;
        }
      }
    }

    // Normalise to [0, 1] by robust percentiles, themselves smoothed over time.
    const [lo = 0, hi = 1] = percentiles(depth, [FAR_PERCENTILE, 1], -1, 2);
    this.range = this.range
      ? { lo: RANGE_KEEP * this.range.lo + (1 - RANGE_KEEP) * lo, hi: RANGE_KEEP * this.range.hi + (1 - RANGE_KEEP) * hi }
      : { lo, hi };
    const scale = 1 / max(this.range.hi - this.range.lo, 0.25);
    const normalised = b.c;
    if (kernels) {
      kernels.normaliseDepth(depth.byteOffset, this.n, this.range.lo, scale, normalised.byteOffset);
    } else {
      for (let i = 0; i < this.n; i++) {
        const v = (depth[i]! - this.range.lo) * scale;
        normalised[i] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }

    // Remember this frame (unnormalised depth, so the smoothing is not fooled by the stretch).
    this.previousDepth = depth;
    b.depth = this.depthStore;
    this.depthStore = depth;
    this.motion.remember(grid);
    this.grid = this.spareGrid;
    this.spareGrid = grid;
    this.cutBins.reference.set(this.cutBins.current);

    const field = this.field;
    this.guided.coefficients(grid.luma, normalised, 2, 2e-3, field.a, field.b);
    this.lastFit.a.set(field.a);
    this.lastFit.b.set(field.b);
    this.hasFit = true;
    this.diagnostics = {
      horizonRow: this.horizon,
      horizonConfidence: found.confidence,
      defocusConfidence,
      motionConfidence,
      sceneCut,
    };
    return field;
  }

  /**
   * A frame between estimates applies the last fit (depth ≈ A·luma + B per cell) to its own luma;
   * a cell whose content moved takes the coefficients of the cell it came from, so a moving
   * subject does not lag a frame behind its depth.
   */
  private reuseFit(): DepthField {
    const fit = this.lastFit;
    const { a, b } = this.field;
    const kernels = this.memory.kernels;
    if (kernels && this.motion.follow(this.grid)) {
      kernels.followFit(fit.a.byteOffset, fit.b.byteOffset, this.motion.source.byteOffset, this.n, a.byteOffset, b.byteOffset);
      return this.field;
    }
    a.set(fit.a);
    b.set(fit.b);
    if (!kernels && this.motion.follow(this.grid)) {
      const { source } = this.motion;
      for (let i = 0; i < this.n; i++) {
        const from = source[i]!;
        if (from === i) continue;
        a[i] = fit.a[from]!;
        b[i] = fit.b[from]!;
      }
    }
    return this.field;
  }

  private resetTemporalState(): void {
    this.hasFit = false;
    this.previousDepth = undefined;
    this.motion.forget();
    this.motionMemory = undefined;
    this.horizon = undefined;
    this.range = undefined;
  }
}

/** Gives the sky cells the depth of the farthest cell that is not sky. */
function sendSkyFarthest(depth: Float32Array, sky: Uint8Array): void {
  let farthest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < depth.length; i++) if (!sky[i] && depth[i]! < farthest) farthest = depth[i]!;
  if (farthest === Number.POSITIVE_INFINITY) return;
  for (let i = 0; i < depth.length; i++) if (sky[i]) depth[i] = farthest;
}

/** Bins of the luma histograms of the cut detection. */
const CUT_BINS = 32;

/** Total-variation distance (0..1) between the 32-bin luma histograms of two grids. */
export function histogramDistance(a: Float32Array, b: Float32Array): number {
  const [ha, hb] = [new Float64Array(CUT_BINS), new Float64Array(CUT_BINS)];
  // In WebAssembly when both grids live in the kernels' memory (the same counts).
  const shared = gridMemoryOf(a, b) !== undefined && a.length === b.length;
  lumaBins(a, ha, shared);
  lumaBins(b, hb, shared);
  return binsDistance(ha, hb, a.length);
}

/** `values`' 32-bin histogram into `bins` (in WebAssembly when `wasm` and they live in its memory). */
function lumaBins(values: Float32Array, bins: Float64Array, wasm = true): void {
  const memory = wasm ? gridMemoryOf(values) : undefined;
  if (memory?.kernels && memory.histogram) {
    const counts = memory.histogram.subarray(0, CUT_BINS).fill(0);
    memory.kernels.histogramBins(values.byteOffset, values.length, 0, CUT_BINS, CUT_BINS, counts.byteOffset, memory.histogramScratch);
    bins.set(counts);
    return;
  }
  bins.fill(0);
  for (let i = 0; i < values.length; i++) bins[min(CUT_BINS - 1, max(0, (values[i]! * CUT_BINS) | 0))]!++;
}

/** histogramDistance of two histograms of `count` values each. */
function binsDistance(ha: Float64Array, hb: Float64Array, count: number): number {
  let distance = 0;
  for (let k = 0; k < CUT_BINS; k++) distance += abs(ha[k]! - hb[k]!);
  return distance / (2 * count);
}

function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = max(0, min(1, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}
