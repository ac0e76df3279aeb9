/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array kernels: indices in range by construction */
import { percentiles } from './filters';

// Globals captured once: under jest every global lookup in a loop goes through the test
// context's global object, which made these kernels ~30x slower there.
const { max, min } = Math;
const INFINITY = Number.POSITIVE_INFINITY;

/**
 * Figure and ground by the picture's border. A photographed subject rarely touches the top or the
 * sides of the frame, and whatever does (walls, sky, foliage, the room behind) is usually
 * background. The figure cue is the colour barrier between each cell and those border cells: the
 * minimum barrier distance (Strand et al. 2013; raster-scan approximation, Zhang et al. 2015),
 * where a path's barrier is the range (max − min) of the colour it crosses, summed over luma and
 * chroma. Unlike a geodesic sum it does not grow across uniform texture, so a textured wall stays
 * background. The bottom row seeds nothing (the ground and a subject's feet touch it) and the
 * sides seed less towards the bottom (the ground reaches them there).
 */
export class FigureGround {
  private readonly distance: Float32Array;
  private readonly upper: Float32Array;
  private readonly lower: Float32Array;
  private readonly offset: Float32Array;
  private readonly seed: Float32Array;

  constructor(
    private readonly width: number,
    private readonly height: number,
  ) {
    const n = width * height;
    this.distance = new Float32Array(n);
    this.upper = new Float32Array(n);
    this.lower = new Float32Array(n);
    this.offset = new Float32Array(n);
    this.seed = new Float32Array(n).fill(INFINITY);
    // Seeds: the top row is background outright; the sides are, less and less towards the bottom.
    for (let x = 0; x < width; x++) this.seed[x] = 0;
    for (let y = 0; y < height; y++) {
      const cost = SIDE_SEED_COST * max(0, (y / max(1, height - 1) - 0.5) / 0.5);
      this.seed[y * width] = min(this.seed[y * width]!, cost);
      this.seed[y * width + width - 1] = min(this.seed[y * width + width - 1]!, cost);
    }
  }

  /**
   * Writes into `out` the figure strength of each cell in [0, 1] (its barrier to the border over
   * the frame's 95th percentile barrier). `channels` are smoothed colour planes of the grid.
   */
  compute(channels: readonly Float32Array[], out: Float32Array): void {
    const n = this.width * this.height;
    out.fill(0);
    for (const channel of channels) {
      this.barrier(channel);
      for (let i = 0; i < n; i++) out[i]! += this.distance[i]!;
    }
    const [top = 0] = percentiles(out, [0.95], 0, channels.length);
    const scale = top > 1e-4 ? 1 / top : 0;
    for (let i = 0; i < n; i++) out[i] = min(1, out[i]! * scale);
  }

  /** Minimum barrier distance of one channel to the seeds (two raster passes, twice). */
  private barrier(value: Float32Array): void {
    const { width: w, height: h, distance: d, upper: u, lower: l, offset, seed } = this;
    const n = w * h;
    for (let i = 0; i < n; i++) {
      d[i] = seed[i]!;
      offset[i] = seed[i]!;
      u[i] = value[i]!;
      l[i] = value[i]!;
    }
    // A path's cost: its seed's offset plus the range of values it crosses.
    const relax = (i: number, j: number): void => {
      if (d[j] === INFINITY) return;
      const v = value[i]!;
      const hi = u[j]! > v ? u[j]! : v;
      const lo = l[j]! < v ? l[j]! : v;
      const total = offset[j]! + hi - lo;
      if (total < d[i]!) {
        d[i] = total;
        u[i] = hi;
        l[i] = lo;
        offset[i] = offset[j]!;
      }
    };
    for (let round = 0; round < 2; round++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const i = y * w + x;
          if (x > 0) relax(i, i - 1);
          if (y > 0) relax(i, i - w);
        }
      }
      for (let y = h - 1; y >= 0; y--) {
        for (let x = w - 1; x >= 0; x--) {
          const i = y * w + x;
          if (x < w - 1) relax(i, i + 1);
          if (y < h - 1) relax(i, i + w);
        }
      }
    }
    for (let i = 0; i < n; i++) if (d[i] === INFINITY) d[i] = 0;
  }
}

/** Barrier (colour range) a side cell at the very bottom costs as a seed: the ground reaches there. */
const SIDE_SEED_COST = 0.15;
