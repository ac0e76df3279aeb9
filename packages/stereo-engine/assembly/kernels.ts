// AssemblyScript twins of the renderer's TypeScript kernels (src/stereo/warp.ts, renderer.ts),
// compiled to WebAssembly with SIMD by scripts/build-wasm.mjs. They must give the same bytes as
// the TypeScript kernels (test/wasm-kernels.test.ts): same f64 arithmetic in the same order where
// the TypeScript uses doubles, the same integer formulas elsewhere.
//
// No runtime, no allocation: every argument is a byte offset into the memory the host imports
// (env.memory) and lays out once per renderer (src/stereo/kernels.ts).

const FRACTION_BITS: i32 = 8;
const ONE: i32 = 1 << FRACTION_BITS;
const FRACTION_MASK: i32 = ONE - 1;
const ROUNDING: i32 = ONE >> 1;
const DISOCCLUSION_SPAN: f64 = 2;

/** See forwardWarpRow in src/stereo/warp.ts: the same 1-D mesh rasterisation and hole filling. */
export function forwardWarpRow(base: usize, k: f64, depth: usize, width: i32, sourcePos: usize): void {
  fillInt32(sourcePos, -1, width);
  const last = width - 1;
  const lastPos = last * ONE;
  const maxPos = lastPos > 0 ? lastPos - 1 : 0;
  if (k > 0) {
    let t1: f64 = <f64>(last + 1) + k * <f64>load<f32>(base + (<usize>last << 2));
    for (let x = last; x >= 0; x--) {
      const t0: f64 = <f64>x + k * <f64>load<f32>(base + (<usize>x << 2));
      spanSegment(t0, t1, x, last, maxPos, sourcePos);
      t1 = t0;
    }
  } else {
    let t0: f64 = k * <f64>load<f32>(base);
    for (let x = 0; x <= last; x++) {
      const t1: f64 = x < last ? <f64>(x + 1) + k * <f64>load<f32>(base + (<usize>(x + 1) << 2)) : t0 + 1;
      spanSegment(t0, t1, x, last, maxPos, sourcePos);
      t0 = t1;
    }
  }
  fillHoles(sourcePos, depth, width);
}

// @ts-ignore: decorator
@inline
function spanSegment(t0: f64, t1: f64, x: i32, last: i32, maxPos: i32, sourcePos: usize): void {
  const span = t1 - t0;
  if (span <= 0 || span > DISOCCLUSION_SPAN || x == last) {
    const p = Math.round(t0);
    if (p >= 0 && p <= <f64>last) store<i32>(sourcePos + (<usize>(<i32>p) << 2), x < last ? x * ONE : maxPos);
  } else {
    let p = Math.ceil(t0);
    let end = Math.ceil(t1) - 1;
    if (p < 0) p = 0;
    if (end > <f64>last) end = <f64>last;
    const du: f64 = <f64>ONE / span;
    let position: f64 = <f64>(x * ONE) + (p - t0) * du;
    if (p > end) return;
    const stop = <i32>end;
    for (let i = <i32>p; i <= stop; i++, position += du) store<i32>(sourcePos + (<usize>i << 2), <i32>position);
  }
}

function fillInt32(at: usize, value: i32, count: i32): void {
  const splat = i32x4.splat(value);
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(at + (<usize>i << 2), splat);
  for (; i < count; i++) store<i32>(at + (<usize>i << 2), value);
}

function fillHoles(sourcePos: usize, depth: usize, width: i32): void {
  let p = 0;
  while (p < width) {
    if (load<i32>(sourcePos + (<usize>p << 2)) >= 0) {
      p++;
      continue;
    }
    const start = p;
    while (p < width && load<i32>(sourcePos + (<usize>p << 2)) < 0) p++;
    const left = start - 1;
    const right = p;
    let pos: i32;
    if (left < 0 && right >= width) pos = 0;
    else if (left < 0) pos = load<i32>(sourcePos + (<usize>right << 2));
    else if (right >= width) pos = load<i32>(sourcePos + (<usize>left << 2));
    else {
      const leftPos = load<i32>(sourcePos + (<usize>left << 2));
      const rightPos = load<i32>(sourcePos + (<usize>right << 2));
      const leftDepth = load<f32>(depth + (<usize>(leftPos >> FRACTION_BITS) << 2));
      const rightDepth = load<f32>(depth + (<usize>(rightPos >> FRACTION_BITS) << 2));
      pos = leftDepth <= rightDepth ? leftPos : rightPos;
    }
    fillInt32(sourcePos + (<usize>start << 2), pos, p - start);
  }
}

/**
 * See sampleRow in src/stereo/warp.ts. Eight pixels per step: one 16-bit load per pixel fetches
 * both neighbours (little-endian: low byte left), the interpolation runs in i32x4 lanes and
 * narrows to bytes with saturation (the values are already in [0, 255]).
 */
export function sampleRow(src: usize, srcWidth: i32, positions: usize, count: i32, dst: usize): void {
  if (srcWidth == 1) {
    memory.fill(dst, load<u8>(src), count);
    return;
  }
  const maxPos = (srcWidth - 1) * ONE - 1;
  const maxSplat = i32x4.splat(maxPos);
  const maskSplat = i32x4.splat(FRACTION_MASK);
  const byteMask = i32x4.splat(0xff);
  const rounding = i32x4.splat(ROUNDING);
  let p = 0;
  for (; p + 8 <= count; p += 8) {
    const q0 = i32x4.min_s(v128.load(positions + (<usize>p << 2)), maxSplat);
    const q1 = i32x4.min_s(v128.load(positions + (<usize>p << 2), 16), maxSplat);
    const i0 = i32x4.shr_s(q0, FRACTION_BITS);
    const i1 = i32x4.shr_s(q1, FRACTION_BITS);
    let pairs0 = i32x4.splat(<i32>load<u16>(src + <usize>i32x4.extract_lane(i0, 0)));
    pairs0 = i32x4.replace_lane(pairs0, 1, <i32>load<u16>(src + <usize>i32x4.extract_lane(i0, 1)));
    pairs0 = i32x4.replace_lane(pairs0, 2, <i32>load<u16>(src + <usize>i32x4.extract_lane(i0, 2)));
    pairs0 = i32x4.replace_lane(pairs0, 3, <i32>load<u16>(src + <usize>i32x4.extract_lane(i0, 3)));
    let pairs1 = i32x4.splat(<i32>load<u16>(src + <usize>i32x4.extract_lane(i1, 0)));
    pairs1 = i32x4.replace_lane(pairs1, 1, <i32>load<u16>(src + <usize>i32x4.extract_lane(i1, 1)));
    pairs1 = i32x4.replace_lane(pairs1, 2, <i32>load<u16>(src + <usize>i32x4.extract_lane(i1, 2)));
    pairs1 = i32x4.replace_lane(pairs1, 3, <i32>load<u16>(src + <usize>i32x4.extract_lane(i1, 3)));
    const v0 = lerp(pairs0, v128.and(q0, maskSplat), byteMask, rounding);
    const v1 = lerp(pairs1, v128.and(q1, maskSplat), byteMask, rounding);
    const bytes = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(v0, v1), i16x8.splat(0));
    v128.store64_lane(dst + <usize>p, bytes, 0);
  }
  for (; p < count; p++) {
    let q = load<i32>(positions + (<usize>p << 2));
    if (q > maxPos) q = maxPos;
    const i = src + <usize>(q >> FRACTION_BITS);
    const a = <i32>load<u8>(i);
    const b = <i32>load<u8>(i, 1);
    store<u8>(dst + <usize>p, (a * ONE + (b - a) * (q & FRACTION_MASK) + ROUNDING) >> FRACTION_BITS);
  }
}

// @ts-ignore: decorator
@inline
function lerp(pairs: v128, fraction: v128, byteMask: v128, rounding: v128): v128 {
  const a = v128.and(pairs, byteMask);
  const b = i32x4.shr_u(pairs, 8);
  const sum = i32x4.add(i32x4.add(i32x4.shl(a, FRACTION_BITS), i32x4.mul(i32x4.sub(b, a), fraction)), rounding);
  return i32x4.shr_s(sum, FRACTION_BITS);
}

/** See sampleChromaRow in src/stereo/warp.ts. */
export function sampleChromaRow(src: usize, chromaWidth: i32, lumaPositions: usize, dst: usize, halfPositions: usize): void {
  const max = (chromaWidth - 1) * ONE - 1;
  const maxSplat = i32x4.splat(max);
  let j = 0;
  for (; j + 4 <= chromaWidth; j += 4) {
    const lo = v128.load(lumaPositions + (<usize>j << 3));
    const hi = v128.load(lumaPositions + (<usize>j << 3), 16);
    // Even lanes of lo:hi, i.e. luma positions 2j, 2j+2, 2j+4, 2j+6.
    const even = v128.shuffle<i32>(lo, hi, 0, 2, 4, 6);
    v128.store(halfPositions + (<usize>j << 2), i32x4.min_s(i32x4.shr_s(even, 1), maxSplat));
  }
  for (; j < chromaWidth; j++) {
    const h = load<i32>(lumaPositions + (<usize>j << 3)) >> 1;
    store<i32>(halfPositions + (<usize>j << 2), h < max ? h : max);
  }
  sampleRow(src, chromaWidth, halfPositions, chromaWidth, dst);
}

/** The half-sbs pack (see StereoRenderer.pack): out[i] = (row[2i] + row[2i+1] + 1) >> 1. */
export function halveRow(src: usize, dst: usize, outWidth: i32): void {
  let i = 0;
  for (; i + 16 <= outWidth; i += 16) {
    const lo = v128.load(src + (<usize>i << 1));
    const hi = v128.load(src + (<usize>i << 1), 16);
    const even = v128.shuffle<u8>(lo, hi, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const odd = v128.shuffle<u8>(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    v128.store(dst + <usize>i, i8x16.avgr_u(even, odd));
  }
  for (; i < outWidth; i++) {
    store<u8>(dst + <usize>i, (<i32>load<u8>(src + (<usize>i << 1)) + <i32>load<u8>(src + (<usize>i << 1), 1) + 1) >> 1);
  }
}

/**
 * See StereoRenderer.dilateAndShift: the horizontal max filter of the depth row over
 * [x − radius, x + radius] (edges clamped) into `dilated`, and base[x] = (max − convergence) ·
 * taper[x] in f64 rounded to f32, as the TypeScript does. With radius 0 only the base, from
 * `depth`. The window max runs four pixels a step with f32x4.pmax (b > a ? b : a, the TypeScript
 * comparison); the value equals the TypeScript's van Herk max, up to the sign of a zero among
 * equal maxima, which neither the base nor the hole filling can tell apart.
 * `padded` holds width + 2·radius floats.
 */
export function dilateAndShift(
  depth: usize, width: i32, radius: i32, convergence: f64, taper: usize, padded: usize, dilated: usize, base: usize,
): void {
  let source = depth;
  if (radius > 0) {
    const first = load<f32>(depth);
    const last = load<f32>(depth + (<usize>(width - 1) << 2));
    for (let i = 0; i < radius; i++) {
      store<f32>(padded + (<usize>i << 2), first);
      store<f32>(padded + (<usize>(radius + width + i) << 2), last);
    }
    memory.copy(padded + (<usize>radius << 2), depth, <usize>width << 2);
    const span = 2 * radius;
    let x = 0;
    for (; x + 4 <= width; x += 4) {
      const at = padded + (<usize>x << 2);
      let m = v128.load(at);
      for (let i = 1; i <= span; i++) m = f32x4.pmax(m, v128.load(at + (<usize>i << 2)));
      v128.store(dilated + (<usize>x << 2), m);
    }
    for (; x < width; x++) {
      const at = padded + (<usize>x << 2);
      let m = load<f32>(at);
      for (let i = 1; i <= span; i++) {
        const v = load<f32>(at + (<usize>i << 2));
        if (v > m) m = v;
      }
      store<f32>(dilated + (<usize>x << 2), m);
    }
    source = dilated;
  }
  for (let x = 0; x < width; x++) {
    const at = <usize>x << 2;
    store<f32>(base + at, <f32>((<f64>load<f32>(source + at) - convergence) * <f64>load<f32>(taper + at)));
  }
}

/** Two bytes at `row + x` as f64x2. */
// @ts-ignore: decorator
@inline
function bytePair(row: usize, x: usize): v128 {
  const bytes = i32x4.splat(<i32>load<u16>(row + x));
  return f64x2.convert_low_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(bytes)));
}

/** clampByte of anaglyph.ts on two lanes, stored as two bytes: trunc(clamp(v, 0, 255) + 0.5). */
// @ts-ignore: decorator
@inline
function storeClamped(at: usize, v: v128): void {
  const clamped = f64x2.pmin(f64x2.pmax(v, f64x2.splat(0)), f64x2.splat(255));
  const ints = i32x4.trunc_sat_f64x2_s_zero(f64x2.add(clamped, f64x2.splat(0.5)));
  v128.store16_lane(at, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(ints, ints), ints), 0);
}

/**
 * See anaglyphRow in src/stereo/anaglyph.ts: per pixel the left and right RGB through their 3×3
 * matrices (18 f64 at `matrices`, left then right, row-major), summed left to right in f64 as the
 * TypeScript does (two pixels per step in f64x2 lanes: the same IEEE operations, so the same
 * bits), rounded and clamped. Rows are G, B, R (gbrp) for the views and for the output.
 */
export function anaglyphRow(
  matrices: usize, lg: usize, lb: usize, lr: usize, rg: usize, rb: usize, rr: usize, width: i32, og: usize, ob: usize, or: usize,
): void {
  const m0 = f64x2.splat(load<f64>(matrices, 0));
  const m1 = f64x2.splat(load<f64>(matrices, 8));
  const m2 = f64x2.splat(load<f64>(matrices, 16));
  const m3 = f64x2.splat(load<f64>(matrices, 24));
  const m4 = f64x2.splat(load<f64>(matrices, 32));
  const m5 = f64x2.splat(load<f64>(matrices, 40));
  const m6 = f64x2.splat(load<f64>(matrices, 48));
  const m7 = f64x2.splat(load<f64>(matrices, 56));
  const m8 = f64x2.splat(load<f64>(matrices, 64));
  const n0 = f64x2.splat(load<f64>(matrices, 72));
  const n1 = f64x2.splat(load<f64>(matrices, 80));
  const n2 = f64x2.splat(load<f64>(matrices, 88));
  const n3 = f64x2.splat(load<f64>(matrices, 96));
  const n4 = f64x2.splat(load<f64>(matrices, 104));
  const n5 = f64x2.splat(load<f64>(matrices, 112));
  const n6 = f64x2.splat(load<f64>(matrices, 120));
  const n7 = f64x2.splat(load<f64>(matrices, 128));
  const n8 = f64x2.splat(load<f64>(matrices, 136));
  let x = 0;
  for (; x + 2 <= width; x += 2) {
    const at = <usize>x;
    const LR = bytePair(lr, at);
    const LG = bytePair(lg, at);
    const LB = bytePair(lb, at);
    const RR = bytePair(rr, at);
    const RG = bytePair(rg, at);
    const RB = bytePair(rb, at);
    storeClamped(or + at, sum6(m0, LR, m1, LG, m2, LB, n0, RR, n1, RG, n2, RB));
    storeClamped(og + at, sum6(m3, LR, m4, LG, m5, LB, n3, RR, n4, RG, n5, RB));
    storeClamped(ob + at, sum6(m6, LR, m7, LG, m8, LB, n6, RR, n7, RG, n8, RB));
  }
  for (; x < width; x++) {
    const at = <usize>x;
    const LR = <f64>load<u8>(lr + at);
    const LG = <f64>load<u8>(lg + at);
    const LB = <f64>load<u8>(lb + at);
    const RR = <f64>load<u8>(rr + at);
    const RG = <f64>load<u8>(rg + at);
    const RB = <f64>load<u8>(rb + at);
    const M = matrices;
    store<u8>(or + at, clampByte(load<f64>(M, 0) * LR + load<f64>(M, 8) * LG + load<f64>(M, 16) * LB + load<f64>(M, 72) * RR + load<f64>(M, 80) * RG + load<f64>(M, 88) * RB));
    store<u8>(og + at, clampByte(load<f64>(M, 24) * LR + load<f64>(M, 32) * LG + load<f64>(M, 40) * LB + load<f64>(M, 96) * RR + load<f64>(M, 104) * RG + load<f64>(M, 112) * RB));
    store<u8>(ob + at, clampByte(load<f64>(M, 48) * LR + load<f64>(M, 56) * LG + load<f64>(M, 64) * LB + load<f64>(M, 120) * RR + load<f64>(M, 128) * RG + load<f64>(M, 136) * RB));
  }
}

// @ts-ignore: decorator
@inline
function sum6(a: v128, x: v128, b: v128, y: v128, c: v128, z: v128, d: v128, u: v128, e: v128, v: v128, f: v128, w: v128): v128 {
  let s = f64x2.add(f64x2.mul(a, x), f64x2.mul(b, y));
  s = f64x2.add(s, f64x2.mul(c, z));
  s = f64x2.add(s, f64x2.mul(d, u));
  s = f64x2.add(s, f64x2.mul(e, v));
  return f64x2.add(s, f64x2.mul(f, w));
}

// @ts-ignore: decorator
@inline
function clampByte(v: f64): u8 {
  return v <= 0 ? 0 : v >= 255 ? 255 : <u8>(<i32>(v + 0.5));
}

/**
 * See DepthFieldSampler.row in src/depth/field.ts (after prepareRow): depth = A·guide + B with A
 * and B stepping linearly between cell centres, clamped to [0, 1], in f64 in the TypeScript's
 * order (the steps accumulate, so the loop stays scalar). The guide is the row's luma bytes
 * (`guideBytes`, YUV) or a float row (gbrp).
 */
export function fieldRow(
  aRow: usize, bRow: usize, runStart: usize, runWeight: usize, gridWidth: i32, leading: i32, step: f64,
  guide: usize, guideBytes: bool, out: usize,
): void {
  const a0 = <f64>load<f32>(aRow);
  const b0 = <f64>load<f32>(bRow);
  for (let x = 0; x < leading; x++) {
    store<f32>(out + (<usize>x << 2), <f32>clampUnit(a0 * guideAt(guide, guideBytes, x) + b0));
  }
  for (let g = 0; g < gridWidth; g++) {
    const gAt = <usize>g << 2;
    const end = load<i32>(runStart + gAt, 4);
    const ag0 = <f64>load<f32>(aRow + gAt);
    const bg0 = <f64>load<f32>(bRow + gAt);
    const da = <f64>load<f32>(aRow + gAt, 4) - ag0;
    const db = <f64>load<f32>(bRow + gAt, 4) - bg0;
    const last = g == gridWidth - 1;
    const w = <f64>load<f32>(runWeight + gAt);
    let ag = ag0 + w * da;
    let bg = bg0 + w * db;
    const sa = last ? 0 : step * da;
    const sb = last ? 0 : step * db;
    if (guideBytes) {
      for (let x = load<i32>(runStart + gAt); x < end; x++, ag += sa, bg += sb) {
        store<f32>(out + (<usize>x << 2), <f32>clampUnit(ag * <f64>load<u8>(guide + <usize>x) + bg));
      }
    } else {
      for (let x = load<i32>(runStart + gAt); x < end; x++, ag += sa, bg += sb) {
        store<f32>(out + (<usize>x << 2), <f32>clampUnit(ag * <f64>load<f32>(guide + (<usize>x << 2)) + bg));
      }
    }
  }
}

// @ts-ignore: decorator
@inline
function guideAt(guide: usize, guideBytes: bool, x: i32): f64 {
  return guideBytes ? <f64>load<u8>(guide + <usize>x) : <f64>load<f32>(guide + (<usize>x << 2));
}

// @ts-ignore: decorator
@inline
function clampUnit(d: f64): f64 {
  return d < 0 ? 0 : d > 1 ? 1 : d;
}
