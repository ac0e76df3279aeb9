/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array kernels: indices in range by construction */

// Globals captured once: under jest every global lookup in a loop goes through the test
// context's global object, which made these kernels ~30x slower there.
const { abs, exp, SQRT2, sqrt } = Math;

/**
 * Edge-aware smoothing by the domain transform's recursive filter (Gastal & Oliveira 2011): each
 * pass blends a cell with its neighbour by a weight that falls with the colour step between them,
 * so values spread freely within a region and stop at its edges.
 */
export class EdgeAwareSmoother {
  private readonly horizontal: Float32Array;
  private readonly vertical: Float32Array;
  private readonly weights: Float32Array;

  constructor(
    private readonly width: number,
    private readonly height: number,
  ) {
    const n = width * height;
    this.horizontal = new Float32Array(n);
    this.vertical = new Float32Array(n);
    this.weights = new Float32Array(n);
  }

  smooth(values: Float32Array, guide: readonly Float32Array[], spatial: number, range: number, iterations = 3): void {
    const { width: w, height: h, horizontal, vertical } = this;
    const n = w * h;
    const ratio = spatial / range;
    horizontal.fill(0);
    vertical.fill(0);
    for (const channel of guide) {
      for (let i = 0; i < n; i++) {
        if (i % w !== 0) horizontal[i]! += abs(channel[i]! - channel[i - 1]!);
        if (i >= w) vertical[i]! += abs(channel[i]! - channel[i - w]!);
      }
    }
    for (let i = 0; i < n; i++) {
      horizontal[i] = 1 + ratio * horizontal[i]!;
      vertical[i] = 1 + ratio * vertical[i]!;
    }
    for (let k = 0; k < iterations; k++) {
      const sigma = (spatial * SQRT2 * 2 ** (iterations - k - 1)) / sqrt(4 ** iterations - 1);
      const a = exp(-SQRT2 / sigma);
      this.pass(values, horizontal, a, 1, h, w);
      this.pass(values, vertical, a, w, w, h);
    }
  }

  private pass(values: Float32Array, distance: Float32Array, a: number, step: number, lines: number, length: number): void {
    const weights = this.weights;
    const n = this.width * this.height;
    for (let i = 0; i < n; i++) weights[i] = a ** distance[i]!;
    const lineStep = step === 1 ? this.width : 1;
    for (let line = 0; line < lines; line++) {
      const start = line * lineStep;
      for (let k = 1; k < length; k++) {
        const i = start + k * step;
        values[i] = values[i]! + weights[i]! * (values[i - step]! - values[i]!);
      }
      for (let k = length - 2; k >= 0; k--) {
        const i = start + k * step;
        values[i] = values[i]! + weights[i + step]! * (values[i + step]! - values[i]!);
      }
    }
  }
}
