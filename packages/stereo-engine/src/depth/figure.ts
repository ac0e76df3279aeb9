/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array kernels: indices in range by construction */
import { percentiles } from './filters';
import { gridMemoryOf, type FigureKernelExports, type GridMemory } from './memory';

// Globals captured once: under jest every global lookup in a loop goes through the test
// context's global object, which made these kernels ~30x slower there.
const { floor, max, min } = Math;
const INFINITY = Number.POSITIVE_INFINITY;

/** Barrier (colour range) a side cell at the very bottom costs as a seed: the ground reaches there. */
const SIDE_SEED_COST = 0.15;
/**
 * Barriers are scaled by the frame's 95th percentile, but never by less than this (summed over
 * luma and chroma): in a low-contrast, hazy picture a faintly enclosed region is as likely a
 * distant object as a subject, so its figures stay weak.
 */
const BARRIER_SCALE_FLOOR = 0.7;
/** The figure cue's grid is this many times coarser than the analysis grid: regions, not details. */
const FACTOR = 2;
/** Cells at least this strong (0..1) form the figures whose size is weighed. */
const FIGURE_LEVEL = 0.3;
/**
 * A figure covering less than the first share of the frame is not lifted at all, one covering more
 * than the second fully; in between, smoothly. A small enclosed region is as likely a distant
 * object (a far car, a window, a box by the horizon) as the subject; a subject takes up a real
 * share of the frame. Small near things still come forward by where they touch the ground.
 */
const FIGURE_SHARE = { none: 0.01, full: 0.1 } as const;

/**
 * Figure and ground by the picture's border. A photographed subject rarely touches the top or the
 * sides of the frame, and whatever does (walls, sky, foliage, the room behind) is usually
 * background. The figure cue is the colour barrier between each cell and those border cells: the
 * minimum barrier distance (Strand et al. 2013; raster-scan approximation, Zhang et al. 2015),
 * where a path's barrier is the range (max − min) of the colour it crosses, summed over luma and
 * chroma. Unlike a geodesic sum it does not grow across uniform texture, so a textured wall stays
 * background. The bottom row seeds nothing (the ground and a subject's feet touch it) and the
 * sides seed less towards the bottom (the ground reaches them there). Small figures are weighed
 * down (see FIGURE_SHARE). Computed on a grid FACTOR times coarser than the analysis grid.
 */
export class FigureGround {
  private readonly coarseWidth: number;
  private readonly coarseHeight: number;
  private readonly coarse: Float32Array;
  private readonly total: Float32Array;
  private readonly distance: Float32Array;
  private readonly upper: Float32Array;
  private readonly lower: Float32Array;
  private readonly offset: Float32Array;
  private readonly seed: Float32Array;
  private readonly label: Int32Array;
  private readonly stack: Int32Array;
  private readonly gains: Float32Array;

  /** Cells of the coarse grid for an analysis grid of `width` × `height`. */
  static coarseCells(width: number, height: number): number {
    return max(1, floor(width / FACTOR)) * max(1, floor(height / FACTOR));
  }

  /** Bytes a FigureGround takes of a GridMemory: ten coarse grids and the three-channel work area. */
  static memoryBytes(width: number, height: number): number {
    const cells = FigureGround.coarseCells(width, height);
    return 10 * ((4 * cells + 15) & ~15) + 5 * 16 * cells;
  }

  /** The WebAssembly kernels, when the grids above live in their memory. */
  private readonly kernels: FigureKernelExports | undefined;
  /** Offset of figureBarriers' work area (five coarse grids of four lanes) in that memory. */
  private readonly work: number = 0;

  constructor(
    private readonly width: number,
    private readonly height: number,
    memory?: GridMemory,
  ) {
    const hw = (this.coarseWidth = max(1, floor(width / FACTOR)));
    const hh = (this.coarseHeight = max(1, floor(height / FACTOR)));
    const n = hw * hh;
    const make = (): Float32Array => (memory ? memory.float32(n) : new Float32Array(n));
    this.coarse = make();
    this.total = make();
    this.distance = make();
    this.upper = make();
    this.lower = make();
    this.offset = make();
    this.seed = make().fill(INFINITY);
    this.kernels = memory?.kernels;
    if (memory?.kernels) this.work = memory.block(5 * 16 * n);
    this.label = memory ? memory.int32(n) : new Int32Array(n);
    this.stack = memory ? memory.int32(n) : new Int32Array(n);
    this.gains = make();
    // Seeds: the top row is background outright; the sides are, less and less towards the bottom.
    for (let x = 0; x < hw; x++) this.seed[x] = 0;
    for (let y = 0; y < hh; y++) {
      const cost = SIDE_SEED_COST * max(0, (y / max(1, hh - 1) - 0.5) / 0.5);
      this.seed[y * hw] = min(this.seed[y * hw]!, cost);
      this.seed[y * hw + hw - 1] = min(this.seed[y * hw + hw - 1]!, cost);
    }
  }

  /**
   * Writes into `out` (the analysis grid's size) the figure strength of each cell in [0, 1]: its
   * barrier to the border over the frame's 95th percentile barrier (see BARRIER_SCALE_FLOOR),
   * weighed by the size of the figure it belongs to (see FIGURE_SHARE).
   * `channels` are smoothed colour planes of the analysis grid.
   */
  compute(channels: readonly Float32Array[], out: Float32Array): void {
    const { width, height, coarseWidth: hw, coarseHeight: hh, coarse, total } = this;
    total.fill(0);
    const { kernels } = this;
    const [c0, c1, c2] = channels;
    const wasm = kernels && height >= FACTOR && width >= FACTOR;
    if (wasm && channels.length === 3 && c0 && c1 && c2 && gridMemoryOf(c0, c1, c2, coarse) !== undefined) {
      // The three channels' barriers at once, one per SIMD lane (the same f32s as one by one).
      kernels.figureBarriers(c0.byteOffset, c1.byteOffset, c2.byteOffset, width, hw, hh, this.seed.byteOffset, this.work, total.byteOffset);
    } else {
      for (const channel of channels) {
        if (wasm && gridMemoryOf(channel, coarse) !== undefined) {
          const { distance, upper, lower, offset, seed } = this;
          kernels.figureBarrier(
            channel.byteOffset, width, hw, hh, coarse.byteOffset, seed.byteOffset,
            distance.byteOffset, upper.byteOffset, lower.byteOffset, offset.byteOffset, total.byteOffset,
          );
          continue;
        }
        shrink(channel, width, FACTOR, hw, hh, coarse);
        this.barrier(coarse);
        for (let i = 0; i < total.length; i++) total[i]! += this.distance[i]!;
      }
    }
    const [top = 0] = percentiles(total, [0.95], 0, channels.length);
    const scale = 1 / max(top, BARRIER_SCALE_FLOOR);
    if (wasm && gridMemoryOf(total, this.label, this.stack, this.gains, out) !== undefined) {
      kernels.figureFinish(total.byteOffset, hw, hh, scale, this.label.byteOffset, this.stack.byteOffset, this.gains.byteOffset, width, height, out.byteOffset);
      return;
    }
    for (let i = 0; i < total.length; i++) total[i] = min(1, total[i]! * scale);
    this.weighBySize(total);
    for (let y = 0; y < height; y++) {
      const row = min(hh - 1, floor(y / FACTOR)) * hw;
      for (let x = 0; x < width; x++) out[y * width + x] = total[row + min(hw - 1, floor(x / FACTOR))]!;
    }
  }

  /**
   * Scales each figure (4-connected cells of at least FIGURE_LEVEL) by a gain that grows with its
   * share of the frame; weaker cells keep their strength.
   */
  private weighBySize(strength: Float32Array): void {
    const { coarseWidth: w, label, stack, gains } = this;
    const n = strength.length;
    label.fill(-1);
    let figures = 0;
    for (let start = 0; start < n; start++) {
      if (label[start] !== -1 || strength[start]! < FIGURE_LEVEL) continue;
      label[start] = figures;
      stack[0] = start;
      let pending = 1;
      let size = 0;
      while (pending > 0) {
        const i = stack[--pending]!;
        size++;
        const x = i % w;
        for (let side = 0; side < 4; side++) {
          const j = side === 0 ? (x > 0 ? i - 1 : -1) : side === 1 ? (x < w - 1 ? i + 1 : -1) : side === 2 ? i - w : i + w;
          if (j < 0 || j >= n || label[j] !== -1 || strength[j]! < FIGURE_LEVEL) continue;
          label[j] = figures;
          stack[pending++] = j;
        }
      }
      const t = max(0, min(1, (size / n - FIGURE_SHARE.none) / (FIGURE_SHARE.full - FIGURE_SHARE.none)));
      gains[figures++] = t * t * (3 - 2 * t);
    }
    for (let i = 0; i < n; i++) if (label[i]! >= 0) strength[i] = strength[i]! * gains[label[i]!]!;
  }

  /** Minimum barrier distance of one channel to the seeds: forward and backward raster passes, twice. */
  private barrier(value: Float32Array): void {
    const { coarseWidth: w, coarseHeight: h, distance: d, upper: u, lower: l, offset, seed } = this;
    const n = w * h;
    for (let i = 0; i < n; i++) {
      d[i] = seed[i]!;
      offset[i] = seed[i]!;
      u[i] = value[i]!;
      l[i] = value[i]!;
    }
    // A path's cost is its seed's offset plus the range of the values it crosses; cell i tries
    // extending the best path of its neighbour j.
    for (let pass = 0; pass < 4; pass++) {
      const forward = pass % 2 === 0;
      for (let k = 0; k < n; k++) {
        const i = forward ? k : n - 1 - k;
        const x = i % w;
        const v = value[i]!;
        for (let side = 0; side < 2; side++) {
          let j: number;
          if (side === 0) j = forward ? (x > 0 ? i - 1 : -1) : x < w - 1 ? i + 1 : -1;
          else j = forward ? i - w : i + w;
          if (j < 0 || j >= n) continue;
          const dj = d[j]!;
          if (dj === INFINITY) continue;
          const hi = u[j]! > v ? u[j]! : v;
          const lo = l[j]! < v ? l[j]! : v;
          const cost = offset[j]! + hi - lo;
          if (cost < d[i]!) {
            d[i] = cost;
            u[i] = hi;
            l[i] = lo;
            offset[i] = offset[j]!;
          }
        }
      }
    }
    for (let i = 0; i < n; i++) if (d[i] === INFINITY) d[i] = 0;
  }
}

/** factor×factor block means into a smaller grid (trailing rows and columns left out). */
function shrink(src: Float32Array, width: number, factor: number, hw: number, hh: number, out: Float32Array): void {
  const norm = 1 / (factor * factor);
  for (let y = 0; y < hh; y++) {
    for (let x = 0; x < hw; x++) {
      let sum = 0;
      for (let j = 0; j < factor; j++) {
        const row = (y * factor + j) * width + x * factor;
        for (let i = 0; i < factor; i++) sum += src[row + i]!;
      }
      out[y * hw + x] = sum * norm;
    }
  }
}
