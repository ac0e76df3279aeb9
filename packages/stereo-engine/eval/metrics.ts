/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array loops: indices in range by construction */

/** Spearman's rank correlation (average ranks for ties). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ra = ranks(a);
  const rb = ranks(b);
  return pearson(ra, rb);
}

function ranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => values[i]! - values[j]!);
  const out = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!] === values[order[i]!]) j++;
    const rank = (i + j) / 2;
    for (let k = i; k <= j; k++) out[order[k]!] = rank;
    i = j + 1;
  }
  return out;
}

function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : 0;
}

/** Mean absolute RGB difference (0..255) over the pixels where `mask` is 1 (all when absent). */
export function meanAbsoluteError(a: Uint8Array, b: Uint8Array, mask?: Uint8Array): number {
  let sum = 0;
  let count = 0;
  const pixels = a.length / 3;
  for (let i = 0; i < pixels; i++) {
    if (mask && !mask[i]) continue;
    sum += Math.abs(a[3 * i]! - b[3 * i]!) + Math.abs(a[3 * i + 1]! - b[3 * i + 1]!) + Math.abs(a[3 * i + 2]! - b[3 * i + 2]!);
    count += 3;
  }
  return count ? sum / count : 0;
}

/**
 * Pixels within `radius` of a depth discontinuity: where neighbouring disparities differ by more
 * than `step` pixels. These are where view synthesis must get occlusions right.
 */
export function depthEdgeMask(disparity: Float32Array, width: number, height: number, step = 1, radius = 3): Uint8Array {
  const edge = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const d = disparity[i]!;
      if ((x + 1 < width && Math.abs(d - disparity[i + 1]!) > step) || (y + 1 < height && Math.abs(d - disparity[i + width]!) > step)) {
        edge[i] = 1;
      }
    }
  }
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!edge[y * width + x]) continue;
      for (let dy = -radius; dy <= radius; dy++) {
        for (let dx = -radius; dx <= radius; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy >= 0 && yy < height && xx >= 0 && xx < width) mask[yy * width + xx] = 1;
        }
      }
    }
  }
  return mask;
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : Number.NaN;
}
