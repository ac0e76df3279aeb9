/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array kernels: indices in range by construction */
import { boxMean, minFilter, percentiles } from './filters';
import type { AnalysisGrid } from './grid';
import { gridMemoryOf } from './memory';

// Globals captured once: under jest every global lookup in a loop goes through the test
// context's global object, which made these kernels ~30x slower there.
const { abs, floor, log, max, min, sqrt } = Math;
const { isNaN } = Number;
const INFINITY = Number.POSITIVE_INFINITY;
const NOT_A_NUMBER = Number.NaN;


/**
 * Monocular depth cues on the analysis grid. Each returns values where larger = nearer; the
 * estimator weighs and fuses them. No learned weights: each cue is a classic, explainable
 * regularity of natural images.
 */

export interface HorizonEstimate {
  /** Row (in cells, may be fractional) where the ground meets the far background. */
  readonly row: number;
  /** 0..1: share of the row statistics' variance the split explains. */
  readonly confidence: number;
}

/**
 * Finds the horizon as the row that best splits the image into a "far" band above and a
 * "ground" band below: the split maximising the between-band variance (Otsu's criterion over
 * rows) of three row statistics: mean brightness, mean texture (gradient) and mean saturation.
 * Sky, haze and distant scenery differ from the ground in all three. Searched in the top 3/4.
 */
export function estimateHorizon(grid: AnalysisGrid, gradient: Float32Array): HorizonEstimate {
  const { gridWidth: gw, gridHeight: gh, luma, cb, cr } = grid;
  if (gh < 4) return { row: 0, confidence: 0 };
  // The row sums in WebAssembly when the grids live in the kernels' memory (the same f64 means).
  const memory = gridMemoryOf(luma, cb, cr, gradient);
  const rows = memory?.kernels ? memory.rowFeatures(gh) : undefined;
  if (memory?.kernels && rows) memory.kernels.horizonFeatures(luma.byteOffset, gradient.byteOffset, cb.byteOffset, cr.byteOffset, gw, gh, rows.byteOffset);
  const features = rows
    ? [rows.subarray(0, gh), rows.subarray(gh, 2 * gh), rows.subarray(2 * gh)]
    : [new Float64Array(gh), new Float64Array(gh), new Float64Array(gh)];
  if (!rows) {
    for (let y = 0; y < gh; y++) {
      let l = 0;
      let g = 0;
      let s = 0;
      for (let x = 0; x < gw; x++) {
        const i = y * gw + x;
        l += luma[i]!;
        g += gradient[i]!;
        s += chroma(cb[i]!, cr[i]!);
      }
      features[0]![y] = l / gw;
      features[1]![y] = g / gw;
      features[2]![y] = s / gw;
    }
  }
  const score = new Float64Array(gh);
  let used = 0;
  for (const f of features) {
    let mean = 0;
    for (let y = 0; y < gh; y++) mean += f[y]!;
    mean /= gh;
    let variance = 0;
    for (let y = 0; y < gh; y++) variance += (f[y]! - mean) ** 2;
    variance /= gh;
    if (variance < 1e-8) continue;
    used++;
    let above = 0;
    for (let h = 1; h < gh; h++) {
      above += f[h - 1]!;
      const meanAbove = above / h;
      const meanBelow = (mean * gh - above) / (gh - h);
      const wa = h / gh;
      score[h]! += (wa * (1 - wa) * (meanAbove - meanBelow) ** 2) / variance;
    }
  }
  if (used === 0) return { row: 0, confidence: 0 };
  let best = 1;
  const limit = floor(gh * 0.75);
  for (let h = 1; h <= limit; h++) if (score[h]! > score[best]!) best = h;
  return { row: best, confidence: score[best]! / used };
}

/**
 * The ground-plane prior: below the horizon, nearness grows linearly with the row (exact for a
 * flat ground seen by a level camera: inverse depth ∝ rows below the horizon); above it, far.
 * A low-confidence horizon falls back towards row 0, i.e. a plain top-to-bottom ramp.
 */
export function groundPrior(gridHeight: number, horizon: number, out: Float32Array): void {
  const span = max(1, gridHeight - horizon);
  for (let y = 0; y < gridHeight; y++) out[y] = y < horizon ? 0 : (y - horizon + 1) / span;
}

/**
 * Vertical structures take the depth of their base: walking each column upwards, the prior of
 * the pixel below is carried up (minus a slow decay) until a boundary is crossed, so a tree or a
 * person standing on the ground gets the depth of where it stands instead of a ramp. Boundaries
 * are vertical colour steps, measured on a lightly smoothed grid so that fine texture inside a
 * surface does not count, above the frame's 75th percentile step. `smoothed`: luma, Cb and Cr
 * already box-smoothed with radius 1, when the caller has them (else smoothed here).
 */
export function carryUp(
  grid: AnalysisGrid,
  prior: Float32Array,
  horizon: number,
  out: Float32Array,
  scratch: { step: Float32Array; smooth: Float32Array; tmp: Float32Array },
  smoothed?: readonly [Float32Array, Float32Array, Float32Array],
): void {
  const { gridWidth: gw, gridHeight: gh, luma, cb, cr } = grid;
  const n = gw * gh;
  const { step, smooth, tmp } = scratch;
  // In WebAssembly when the grids live in the kernels' memory (the same f32s).
  const memory = gridMemoryOf(luma, cb, cr, prior, out, step, smooth, tmp, ...(smoothed ?? []));
  const kernels = memory?.kernels;
  const boxScratch = memory?.boxScratch;
  const wasm = kernels && boxScratch && gw <= boxScratch.width && gh <= boxScratch.height ? { kernels, at: boxScratch.at } : undefined;
  if (wasm && smoothed) {
    const [sl, scb, scr] = smoothed;
    wasm.kernels.carryStepsOf(sl.byteOffset, scb.byteOffset, scr.byteOffset, gw, gh, step.byteOffset);
  } else if (wasm) {
    wasm.kernels.carrySteps(luma.byteOffset, cb.byteOffset, cr.byteOffset, gw, gh, step.byteOffset, smooth.byteOffset, tmp.byteOffset, wasm.at);
  } else if (smoothed) {
    step.fill(0);
    for (const plane of smoothed) for (let i = 0; i < n - gw; i++) step[i]! += abs(plane[i]! - plane[i + gw]!);
  } else {
    step.fill(0);
    for (const channel of [luma, cb, cr]) {
      boxMean(channel, gw, gh, 1, smooth, tmp);
      for (let i = 0; i < n - gw; i++) step[i]! += abs(smooth[i]! - smooth[i + gw]!);
    }
  }
  const [threshold = 0] = percentiles(step.subarray(0, n - gw), [0.75], 0, 1);
  const decay = 0.35 / max(1, gh - horizon);
  if (wasm) {
    // The box mean's scratch holds the columns' carried values (8 bytes per column).
    wasm.kernels.carryColumns(prior.byteOffset, step.byteOffset, gw, gh, threshold, decay, out.byteOffset, wasm.at);
    return;
  }
  const edgeCost = 4;
  for (let x = 0; x < gw; x++) {
    let carried = prior[gh - 1]!;
    out[(gh - 1) * gw + x] = carried;
    for (let y = gh - 2; y >= 0; y--) {
      const i = y * gw + x;
      const excess = step[i]! - threshold;
      carried -= decay + (excess > 0 ? edgeCost * excess : 0);
      const p = prior[y]!;
      if (carried < p) carried = p;
      out[i] = carried;
    }
  }
}

/**
 * Defocus: a cell whose full-resolution detail is low compared with its coarse contrast is
 * blurred, and blur usually means "not where the camera focused", i.e. farther than the
 * subject. Returns log(detail / coarse gradient), standardised, 0 where there is too little
 * contrast to tell; and how much the frame's blur varies (0 = uniformly sharp: no information).
 * `values` is scratch of the grid's size.
 */
export function defocusCue(grid: AnalysisGrid, gradient: Float32Array, out: Float32Array, values: Float32Array): number {
  const { detail, cellWidth } = grid;
  const n = detail.length;
  // In WebAssembly when the grids live in the kernels' memory (its log is V8's Math.log, step for step).
  const kernels = gridMemoryOf(gradient, detail, out, values)?.kernels;
  let count = 0;
  if (kernels) {
    count = kernels.defocusRatios(gradient.byteOffset, detail.byteOffset, n, cellWidth, out.byteOffset, values.byteOffset);
  } else {
    for (let i = 0; i < n; i++) {
      const contrast = gradient[i]! / (2 * cellWidth);
      if (gradient[i]! < 0.02) {
        out[i] = NOT_A_NUMBER;
        continue;
      }
      const ratio = log((detail[i]! + 0.002) / (contrast + 0.002));
      out[i] = ratio;
      values[count++] = ratio;
    }
  }
  if (count < n * 0.05) {
    out.fill(0);
    return 0;
  }
  const [p10 = 0, median = 0, p90 = 0] = percentiles(values.subarray(0, count), [0.1, 0.5, 0.9], -8, 8);
  const spread = max(p90 - p10, 1e-3);
  if (kernels) {
    kernels.defocusStandardise(out.byteOffset, n, median, spread);
  } else {
    for (let i = 0; i < n; i++) {
      const v = out[i]!;
      out[i] = isNaN(v) ? 0 : max(-1.5, min(1.5, (v - median) / spread));
    }
  }
  // A sharp/blurred ratio of 2 (log 0.7) between the frame's parts is a real depth of field.
  return min(1, spread / 0.7);
}

/**
 * Atmospheric perspective: distance adds haze, which lifts the dark channel (the minimum of R,
 * G, B over a neighbourhood) and washes out saturation. Returns a standardised "nearness by
 * clear air" (low dark channel, high saturation) in `out`, in [-2, 1]: haze is evidence of
 * distance, but clear, saturated colour is weak evidence of nearness (a red car far away in clear
 * air), so it pulls forward half as far as haze pushes back. `scratch.chroma` (a cell's f64 each, in
 * the kernels' memory) is what the WebAssembly kernel needs: it computes each cell's chroma once.
 */
export function atmosphereCue(
  grid: AnalysisGrid,
  out: Float32Array,
  scratch: { a: Float32Array; b: Float32Array; chroma?: Float64Array },
): void {
  const { gridWidth: gw, gridHeight: gh, luma, cb, cr } = grid;
  const n = gw * gh;
  const { a: darkest, b: tmp, chroma: chromaCells } = scratch;
  const kernels = gridMemoryOf(luma, cb, cr, out, darkest, tmp)?.kernels;
  if (kernels && chromaCells && chromaCells.length >= n && gridMemoryOf(luma, chromaCells)) {
    kernels.atmosphereGrid(
      luma.byteOffset, cb.byteOffset, cr.byteOffset, gw, gh, out.byteOffset, darkest.byteOffset, tmp.byteOffset, chromaCells.byteOffset,
    );
    return;
  }
  for (let i = 0; i < n; i++) {
    const y = luma[i]!;
    const u = cb[i]!;
    const v = cr[i]!;
    const r = y + 1.402 * v;
    const g = y - 0.344 * u - 0.714 * v;
    const b = y + 1.772 * u;
    out[i] = min(r, g, b);
  }
  minFilter(out, gw, gh, 1, darkest, tmp);
  let meanDark = 0;
  let meanSat = 0;
  for (let i = 0; i < n; i++) {
    meanDark += darkest[i]!;
    meanSat += chroma(cb[i]!, cr[i]!);
  }
  meanDark /= n;
  meanSat /= n;
  let varDark = 0;
  let varSat = 0;
  for (let i = 0; i < n; i++) {
    varDark += (darkest[i]! - meanDark) ** 2;
    varSat += (chroma(cb[i]!, cr[i]!) - meanSat) ** 2;
  }
  const sdDark = sqrt(varDark / n) + 0.02;
  const sdSat = sqrt(varSat / n) + 0.02;
  for (let i = 0; i < n; i++) {
    const clear = -(darkest[i]! - meanDark) / sdDark + (chroma(cb[i]!, cr[i]!) - meanSat) / sdSat;
    out[i] = max(-2, min(1, clear / 2));
  }
}

const BLOCK = 8;
const SEARCH = 4;
/** The WebAssembly block search's mark of a block without a match (assembly/kernels.ts). */
const MOTION_NO_MATCH = 127;

/**
 * Motion parallax: when the camera translates, near things move across the image faster than
 * far ones. Block matching (8×8 cells, ±4 cells, sum of absolute differences on every other
 * cell) between the previous and the current luma grid gives a displacement per block; its
 * magnitude, scaled by the 90th percentile, is the cue. Confidence is high when displacements
 * differ across the frame (a pure pan or a still camera moves everything alike: no
 * information) and are large enough to measure. Textureless blocks are left out.
 */
export function motionCue(
  previous: Float32Array,
  current: Float32Array,
  gw: number,
  gh: number,
  out: Float32Array,
): number {
  const bw = floor(gw / BLOCK);
  const bh = floor(gh / BLOCK);
  out.fill(0);
  if (bw < 2 || bh < 2) return 0;
  const magnitude = new Float32Array(bw * bh).fill(NOT_A_NUMBER);
  const reliable: number[] = [];
  // The block search in WebAssembly when the grids live in the kernels' memory (the same matches).
  const memory = gridMemoryOf(previous, current);
  const matches = memory?.kernels ? memory.motionMatches(bw * bh) : undefined;
  if (memory?.kernels && matches) {
    memory.kernels.motionSearch(previous.byteOffset, current.byteOffset, gw, gh, bw, bh, matches.byteOffset);
    for (let k = 0; k < bw * bh; k++) {
      const dx = matches[2 * k]!;
      if (dx === MOTION_NO_MATCH) continue;
      const dy = matches[2 * k + 1]!;
      const m = sqrt(dx * dx + dy * dy);
      magnitude[k] = m;
      reliable.push(m);
    }
  }
  if (!matches) {
    for (let by = 0; by < bh; by++) {
      for (let bx = 0; bx < bw; bx++) {
        const x0 = bx * BLOCK;
        const y0 = by * BLOCK;
        let mean = 0;
        for (let j = 0; j < BLOCK; j += 2) for (let i = 0; i < BLOCK; i += 2) mean += current[(y0 + j) * gw + x0 + i]!;
        mean /= (BLOCK * BLOCK) / 4;
        let texture = 0;
        for (let j = 0; j < BLOCK; j += 2) {
          for (let i = 0; i < BLOCK; i += 2) texture += abs(current[(y0 + j) * gw + x0 + i]! - mean);
        }
        texture /= (BLOCK * BLOCK) / 4;
        if (texture < 0.01) continue;
        let best = INFINITY;
        let bestDx = 0;
        let bestDy = 0;
        let total = 0;
        let tried = 0;
        for (let dy = -SEARCH; dy <= SEARCH; dy++) {
          if (y0 + dy < 0 || y0 + dy + BLOCK > gh) continue;
          for (let dx = -SEARCH; dx <= SEARCH; dx++) {
            if (x0 + dx < 0 || x0 + dx + BLOCK > gw) continue;
            let sad = 0;
            for (let j = 0; j < BLOCK; j += 2) {
              const rc = (y0 + j) * gw + x0;
              const rp = (y0 + j + dy) * gw + x0 + dx;
              for (let i = 0; i < BLOCK; i += 2) sad += abs(current[rc + i]! - previous[rp + i]!);
            }
            // Prefer the smaller displacement on ties (flat or repetitive texture).
            sad += 1e-4 * (abs(dx) + abs(dy));
            total += sad;
            tried++;
            if (sad < best) {
              best = sad;
              bestDx = dx;
              bestDy = dy;
            }
          }
        }
        // A match barely better than the average candidate is not a match.
        if (tried === 0 || best > 0.6 * (total / tried)) continue;
        const m = sqrt(bestDx * bestDx + bestDy * bestDy);
        magnitude[by * bw + bx] = m;
        reliable.push(m);
      }
    }
  }
  if (reliable.length < 4) return 0;
  reliable.sort((a, b) => a - b);
  const p10 = reliable[floor(0.1 * (reliable.length - 1))]!;
  const p90 = reliable[floor(0.9 * (reliable.length - 1))]!;
  if (p90 < 1) return 0;
  let mean = 0;
  for (const m of reliable) mean += m;
  mean /= reliable.length;
  if (memory?.kernels && matches && gridMemoryOf(out) === memory) {
    memory.kernels.motionCells(matches.byteOffset, bw, bh, gw, gh, mean, p90, out.byteOffset);
  } else {
    for (let y = 0; y < gh; y++) {
      const by = min(bh - 1, floor(y / BLOCK));
      for (let x = 0; x < gw; x++) {
        const bx = min(bw - 1, floor(x / BLOCK));
        const m = magnitude[by * bw + bx]!;
        out[y * gw + x] = isNaN(m) ? 0 : min(1.5, (m - mean) / p90);
      }
    }
  }
  const variation = (p90 - p10) / (p90 + 1);
  return min(1, variation * min(1, p90 / 2));
}

function chroma(cb: number, cr: number): number {
  return sqrt(cb * cb + cr * cr);
}

/** Central-difference gradient magnitude of the luma grid. */
export function gradientMagnitude(luma: Float32Array, gw: number, gh: number, out: Float32Array): void {
  const kernels = gridMemoryOf(luma, out)?.kernels;
  if (kernels) {
    kernels.gradientGrid(luma.byteOffset, gw, gh, out.byteOffset);
    return;
  }
  for (let y = 0; y < gh; y++) {
    const up = y > 0 ? y - 1 : 0;
    const down = y < gh - 1 ? y + 1 : gh - 1;
    for (let x = 0; x < gw; x++) {
      const left = x > 0 ? x - 1 : 0;
      const right = x < gw - 1 ? x + 1 : gw - 1;
      const gx = luma[y * gw + right]! - luma[y * gw + left]!;
      const gy = luma[down * gw + x]! - luma[up * gw + x]!;
      out[y * gw + x] = sqrt(gx * gx + gy * gy);
    }
  }
}

/** A cell this smooth (grid gradient) and this fine-grained (full-resolution detail) may be sky. */
const SKY_GRADIENT = 0.03;
const SKY_DETAIL = 0.02;
/** Sky stops at a colour step this large between neighbouring cells. */
const SKY_STEP = 0.04;

/**
 * Sky (and the bright, plain walls and backdrops that play its part indoors): the smooth, bright
 * or bluish cells connected to the top of the frame through small colour steps, above the lowest
 * quarter. Marks them 1 in `out` (else 0) and returns their share of the frame. Sky is always the
 * farthest thing in a picture, however bright or hazy it is. `stack`: scratch of a cell each (the
 * estimator passes one it keeps).
 */
export function skyMask(grid: AnalysisGrid, gradient: Float32Array, out: Uint8Array, stack: Int32Array = new Int32Array(grid.gridWidth * grid.gridHeight)): number {
  const { gridWidth: gw, gridHeight: gh, luma, cb, cr, detail } = grid;
  out.fill(0);
  const lowest = floor(0.75 * gh);
  const likely = (i: number): boolean =>
    gradient[i]! < SKY_GRADIENT && detail[i]! < SKY_DETAIL && (luma[i]! > 0.45 || (cb[i]! > 0.02 && cb[i]! > cr[i]!));
  // Cells to visit from (each marked before it is pushed, so at most one entry per cell).
  let top = 0;
  for (let x = 0; x < gw; x++) {
    if (likely(x)) {
      out[x] = 1;
      stack[top++] = x;
    }
  }
  let count = top;
  /** Cell j, a neighbour of sky cell i, joins the sky when likely and a small colour step away. */
  const visit = (i: number, j: number): void => {
    if (out[j] || !likely(j)) return;
    const step = abs(luma[j]! - luma[i]!) + abs(cb[j]! - cb[i]!) + abs(cr[j]! - cr[i]!);
    if (step > SKY_STEP) return;
    out[j] = 1;
    count++;
    stack[top++] = j;
  };
  while (top > 0) {
    const i = stack[--top]!;
    const x = i % gw;
    const y = (i - x) / gw;
    if (x > 0) visit(i, i - 1);
    if (x < gw - 1) visit(i, i + 1);
    if (y > 0) visit(i, i - gw);
    if (y + 1 < lowest) visit(i, i + gw);
  }
  return count / (gw * gh);
}
