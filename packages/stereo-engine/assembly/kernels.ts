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

/** Bytes of the scratch forwardWarpRow needs for a row of `width` pixels (see warpScratchStride). */
export function warpScratchBytes(width: i32): i32 {
  return 28 * warpScratchStride(width) + WARP_CONSTANTS_BYTES;
}

/** Room for forwardWarpRow's loop constants, after its arrays. */
const WARP_CONSTANTS_BYTES: i32 = 8 * 16;

// @ts-ignore: decorator
@inline
function warpScratchStride(width: i32): i32 {
  return (width + 11) & ~3;
}

/**
 * See forwardWarpRow in src/stereo/warp.ts: the same 1-D mesh rasterisation and hole filling,
 * with the same f64 operations. (1) The landing points t(x) = x + k·base[x] and their ceilings
 * as i32 (the groups below take the f64 ceilings again from t: one instruction each, against
 * two more stores per four pixels here). (2) Per segment x (source pixels x, x+1), four at a
 * time in f64x2 / i32x4 lanes: the one or two target pixels it writes and the fixed-point
 * positions written there (a span of at most DISOCCLUSION_SPAN covers at most two pixels), a
 * write it does not make aimed at the spare slot sourcePos[width]; the groups run in painter's
 * order (right to left for k > 0) and make their writes lane by lane in that order, which is
 * all that stays sequential. (3) The holes.
 * `sourcePos` holds width + 1 entries, `scratch` warpScratchBytes(width) bytes.
 */
export function forwardWarpRow(base: usize, k: f64, depth: usize, width: i32, sourcePos: usize, scratch: usize): void {
  // −1 (uncovered) in every entry: all bytes 0xff (V8's memset, wider than a v128 loop).
  memory.fill(sourcePos, 0xff, <usize>width << 2);
  const last = width - 1;
  const lastPos = last * ONE;
  const maxPos = lastPos > 0 ? lastPos - 1 : 0;
  const stride = <usize>warpScratchStride(width);
  const landing = scratch;
  const ceilingInt = landing + (stride << 3);
  const first = ceilingInt + (stride << 2);
  const second = first + (stride << 2);
  const firstValue = second + (stride << 2);
  const secondValue = firstValue + (stride << 2);
  // (1) t(x) = x + k·base[x], as the TypeScript computes it (k·base first, then x added), and
  // ceil(t(x)) as i32 (each segment's first pixel is ceil(t0), its end ceil(t1) − 1).
  // The loops' constant vectors are stored once and loaded back: V8 rematerialises a constant
  // vector (several instructions) at every use inside a loop, but keeps a loaded value.
  const constants = secondValue + (stride << 2);
  v128.store(constants, f64x2.splat(k));
  v128.store(constants, f64x2.splat(WHOLE), 16);
  v128.store(constants, f64x2.splat(2), 32);
  v128.store(constants, f64x2.splat(4), 48);
  v128.store(constants, i32x4.splat(1), 64);
  v128.store(constants, f64x2.splat(<f64>ONE), 80);
  v128.store(constants, f64x2(0, <f64>ONE), 96);
  v128.store(constants, f64x2.splat(<f64>(2 * ONE)), 112);
  const kk = v128.load(constants);
  const magic = v128.load(constants, 16);
  let xs = f64x2(0, 1);
  const two = v128.load(constants, 32);
  const four = v128.load(constants, 48);
  let x = 0;
  for (; x + 4 <= width; x += 4) {
    const b = v128.load(base + (<usize>x << 2));
    const ta = f64x2.add(xs, f64x2.mul(kk, f64x2.promote_low_f32x4(b)));
    const tb = f64x2.add(f64x2.add(xs, two), f64x2.mul(kk, f64x2.promote_low_f32x4(v128.shuffle<i32>(b, b, 2, 3, 2, 3))));
    const ca = f64x2.ceil(ta);
    const cb = f64x2.ceil(tb);
    const at = landing + (<usize>x << 3);
    v128.store(at, ta);
    v128.store(at, tb, 16);
    v128.store(ceilingInt + (<usize>x << 2), wholeLanes4(ca, cb, magic));
    xs = f64x2.add(xs, four);
  }
  for (; x < width; x++) {
    const t = <f64>x + k * <f64>load<f32>(base + (<usize>x << 2));
    store<f64>(landing + (<usize>x << 3), t);
    store<i32>(ceilingInt + (<usize>x << 2), <i32>Math.ceil(t));
  }
  // (2) Segments 0 .. last − 1 (the last pixel is always a footprint of its own: below).
  // The segments after the last whole group of four, and the last pixel, into the arrays.
  const groups = last > 0 ? last >> 2 : 0;
  const tailStart = groups << 2;
  for (x = tailStart; x < last; x++) segment(landing, x, last, first, second, firstValue, secondValue, width);
  if (last >= 0) {
    const entry = <usize>last << 2;
    const p = Math.round(load<f64>(landing + (<usize>last << 3)));
    store<i32>(first + entry, p >= 0 && p <= <f64>last ? <i32>p : width);
    store<i32>(second + entry, width);
    store<i32>(firstValue + entry, maxPos);
  }
  // (3) Painter's order, later writes winning: for k > 0 right to left (the tail first), else
  // left to right (the tail last). Whole groups write straight from their vectors.
  const descending = k > 0;
  if (descending) for (let s = last; s >= tailStart; s--) writeSegment(sourcePos, s, first, second, firstValue, secondValue);
  // Four segments a step, in f64x2 / i32x4 lanes (a: x, x+1; b: x+2, x+3).
  const oneI = v128.load(constants, 64);
  const oneFixed = v128.load(constants, 80);
  const pairLanes = v128.load(constants, 96);
  const pairStep = v128.load(constants, 112);
  const lastFirst = last - 3;
  // Usually ceil(t) steps by exactly one from x to x + 4 inside the row: each of the four
  // segments then writes one pixel, ceil(t(x + i)), none is folded or torn (ceil(t1) =
  // ceil(t0) + 1 gives 0 < t1 − t0 < 2) and no clamp applies, so warpGroup's lanes reduce to
  // warpFourUsual's, with the same f64 operations, and the four pixels are neighbours: one store.
  // Groups go two at a time (in painter's order, the pair's second group first when
  // descending); when both are usual, their eight pixels are distinct neighbours and one test
  // covers them.
  const pairs = groups >> 1;
  const lastFirstEight = last - 7;
  // 4·ONE: the pair's second group's x·ONE from its first's (whole numbers, exact).
  const quadStep = f64x2.add(pairStep, pairStep);
  const pairStepX = descending ? -8 : 8;
  let pairX = descending ? (groups - 2) << 2 : 0;
  for (let i = 0; i < pairs; i++, pairX += pairStepX) {
    const x = pairX;
    const ceilIntAt = ceilingInt + (<usize>x << 2);
    const ceil0I = v128.load(ceilIntAt);
    const c = i32x4.extract_lane(ceil0I, 0);
    const stepsLow = i32x4.eq(i32x4.sub(v128.load(ceilIntAt, 4), ceil0I), oneI);
    const stepsHigh = i32x4.eq(i32x4.sub(v128.load(ceilIntAt, 20), v128.load(ceilIntAt, 16)), oneI);
    // c in 0 .. last − 7 as one unsigned test; every lane true as a bitmask (fewer instructions
    // than all_true in V8).
    if (<u32>c <= <u32>lastFirstEight && i32x4.bitmask(v128.and(stepsLow, stepsHigh)) == 15) {
      const xPair = f64x2.add(f64x2.splat(<f64>(x * ONE)), pairLanes);
      warpFourUsual(x, c, xPair, landing, sourcePos, oneFixed, pairStep, magic);
      warpFourUsual(x + 4, c + 4, f64x2.add(xPair, quadStep), landing, sourcePos, oneFixed, pairStep, magic);
    } else if (descending) {
      warpFour(x + 4, descending, lastFirst, landing, ceilingInt, sourcePos, width, oneI, oneFixed, pairLanes, pairStep, magic);
      warpFour(x, descending, lastFirst, landing, ceilingInt, sourcePos, width, oneI, oneFixed, pairLanes, pairStep, magic);
    } else {
      warpFour(x, descending, lastFirst, landing, ceilingInt, sourcePos, width, oneI, oneFixed, pairLanes, pairStep, magic);
      warpFour(x + 4, descending, lastFirst, landing, ceilingInt, sourcePos, width, oneI, oneFixed, pairLanes, pairStep, magic);
    }
  }
  if ((groups & 1) == 1) {
    warpFour(descending ? 0 : (groups - 1) << 2, descending, lastFirst, landing, ceilingInt, sourcePos, width, oneI, oneFixed, pairLanes, pairStep, magic);
  }
  if (!descending) for (let s = tailStart; s <= last; s++) writeSegment(sourcePos, s, first, second, firstValue, secondValue);
  fillHoles(sourcePos, depth, width);
}

/** One group of forwardWarpRow's four segments from x: warpFourUsual when usual, else warpGroup. */
// @ts-ignore: decorator
@inline
function warpFour(
  x: i32, descending: bool, lastFirst: i32, landing: usize, ceilingInt: usize, sourcePos: usize, width: i32,
  oneI: v128, oneFixed: v128, pairLanes: v128, pairStep: v128, magic: v128,
): void {
  const ceilIntAt = ceilingInt + (<usize>x << 2);
  const ceil0I = v128.load(ceilIntAt);
  const c = i32x4.extract_lane(ceil0I, 0);
  if (<u32>c <= <u32>lastFirst && i32x4.bitmask(i32x4.eq(i32x4.sub(v128.load(ceilIntAt, 4), ceil0I), oneI)) == 15) {
    warpFourUsual(x, c, f64x2.add(f64x2.splat(<f64>(x * ONE)), pairLanes), landing, sourcePos, oneFixed, pairStep, magic);
  } else {
    warpGroup(x, descending, landing, ceilingInt, sourcePos, width);
  }
}

/** The usual group (see forwardWarpRow): segment x + i writes pixel c + i (xPair: x·ONE, (x + 1)·ONE). */
// @ts-ignore: decorator
@inline
function warpFourUsual(
  x: i32, c: i32, xPair: v128, landing: usize, sourcePos: usize, oneFixed: v128, pairStep: v128, magic: v128,
): void {
  const at = landing + (<usize>x << 3);
  const t0a = v128.load(at);
  const t0b = v128.load(at, 16);
  const duA = f64x2.div(oneFixed, f64x2.sub(v128.load(at, 8), t0a));
  const duB = f64x2.div(oneFixed, f64x2.sub(v128.load(at, 24), t0b));
  // ceil(t0) ≥ 0 (or −0), so pmax(ceil(t0), 0) is ceil(t0) itself.
  const positionA = f64x2.add(xPair, f64x2.mul(f64x2.sub(f64x2.ceil(t0a), t0a), duA));
  const positionB = f64x2.add(f64x2.add(xPair, pairStep), f64x2.mul(f64x2.sub(f64x2.ceil(t0b), t0b), duB));
  v128.store(sourcePos + (<usize>c << 2), wholeLanes4(f64x2.trunc(positionA), f64x2.trunc(positionB), magic));
}

/**
 * Four segments x .. x+3 of forwardWarpRow in the general case: the f64 work in two f64x2
 * (a: x, x+1; b: x+2, x+3), the rest in i32x4, then the writes in painter's order.
 */
function warpGroup(x: i32, descending: bool, landing: usize, ceilingInt: usize, sourcePos: usize, width: i32): void {
  const last = width - 1;
  const magic = f64x2.splat(WHOLE);
  const zero = f64x2.splat(0);
  const half = f64x2.splat(0.5);
  const disocclusion = f64x2.splat(DISOCCLUSION_SPAN);
  const oneFixed = f64x2.splat(<f64>ONE);
  const dummy = i32x4.splat(width);
  const lastI = i32x4.splat(last);
  const zeroI = i32x4.splat(0);
  const oneI = i32x4.splat(1);
  const pairStep = f64x2.splat(<f64>(2 * ONE));
  const lanes = i32x4(0, ONE, 2 * ONE, 3 * ONE);
  const steps = i32x4(0, 1, 2, 3);
  const pairLanes = f64x2(0, <f64>ONE);
  const xPair = f64x2.add(f64x2.splat(<f64>(x * ONE)), pairLanes);
  const xFixed = i32x4.add(i32x4.splat(x * ONE), lanes);
  const at = landing + (<usize>x << 3);
  const t0a = v128.load(at);
  const t0b = v128.load(at, 16);
  const spanA = f64x2.sub(v128.load(at, 8), t0a);
  const spanB = f64x2.sub(v128.load(at, 24), t0b);
  const singleA = v128.or(f64x2.le(spanA, zero), f64x2.gt(spanA, disocclusion));
  const singleB = v128.or(f64x2.le(spanB, zero), f64x2.gt(spanB, disocclusion));
  const ceil0a = f64x2.ceil(t0a);
  const ceil0b = f64x2.ceil(t0b);
  const duA = f64x2.div(oneFixed, spanA);
  const duB = f64x2.div(oneFixed, spanB);
  const positionA = f64x2.add(xPair, f64x2.mul(f64x2.sub(f64x2.pmax(ceil0a, zero), t0a), duA));
  const positionB = f64x2.add(f64x2.add(xPair, pairStep), f64x2.mul(f64x2.sub(f64x2.pmax(ceil0b, zero), t0b), duB));
  const ceilIntAt = ceilingInt + (<usize>x << 2);
  const ceil0I = v128.load(ceilIntAt);
  const p = i32x4.max_s(ceil0I, zeroI);
  const end = i32x4.min_s(i32x4.sub(v128.load(ceilIntAt, 4), oneI), lastI);
  const pNext = i32x4.add(p, oneI);
  // p ≤ end ? p : width, as min_u(p | (p > end ? −1 : 0), width) (p ≤ end ≤ last < width).
  let firstAt = i32x4.min_u(v128.or(p, i32x4.gt_s(p, end)), dummy);
  let secondAt = i32x4.min_u(v128.or(pNext, i32x4.gt_s(pNext, end)), dummy);
  let value = wholeLanes4(f64x2.trunc(positionA), f64x2.trunc(positionB), magic);
  const singleAny = v128.or(singleA, singleB);
  if (v128.any_true(singleAny)) {
    // Folded over or torn open (at depth edges only): the pixel's own footprint, Math.round
    // (halves up) being ceil(t) − 1 where ceil(t) − 0.5 > t.
    const roundDown = v128.shuffle<i32>(f64x2.gt(f64x2.sub(ceil0a, half), t0a), f64x2.gt(f64x2.sub(ceil0b, half), t0b), 0, 2, 4, 6);
    const rounded = i32x4.add(ceil0I, roundDown);
    const inRow = v128.and(i32x4.ge_s(rounded, zeroI), i32x4.le_s(rounded, lastI));
    const single = v128.shuffle<i32>(singleA, singleB, 0, 2, 4, 6);
    firstAt = v128.bitselect(v128.bitselect(rounded, dummy, inRow), firstAt, single);
    secondAt = v128.bitselect(dummy, secondAt, single);
    value = v128.bitselect(xFixed, value, single);
  }
  // Usually each of the four writes one pixel and they are neighbours: one store (distinct
  // targets, so their order does not matter). Otherwise lane by lane in painter's order.
  const firstTarget = i32x4.extract_lane(firstAt, 0);
  if (i32x4.all_true(v128.and(i32x4.eq(firstAt, i32x4.add(i32x4.splat(firstTarget), steps)), i32x4.eq(secondAt, dummy)))) {
    v128.store(sourcePos + (<usize>firstTarget << 2), value);
  } else {
    const secondValue4 = wholeLanes4(f64x2.trunc(f64x2.add(positionA, duA)), f64x2.trunc(f64x2.add(positionB, duB)), magic);
    if (descending) {
      store<i32>(sourcePos + (<usize>i32x4.extract_lane(firstAt, 3) << 2), i32x4.extract_lane(value, 3));
      store<i32>(sourcePos + (<usize>i32x4.extract_lane(secondAt, 3) << 2), i32x4.extract_lane(secondValue4, 3));
      store<i32>(sourcePos + (<usize>i32x4.extract_lane(firstAt, 2) << 2), i32x4.extract_lane(value, 2));
      store<i32>(sourcePos + (<usize>i32x4.extract_lane(secondAt, 2) << 2), i32x4.extract_lane(secondValue4, 2));
      store<i32>(sourcePos + (<usize>i32x4.extract_lane(firstAt, 1) << 2), i32x4.extract_lane(value, 1));
      store<i32>(sourcePos + (<usize>i32x4.extract_lane(secondAt, 1) << 2), i32x4.extract_lane(secondValue4, 1));
      store<i32>(sourcePos + (<usize>i32x4.extract_lane(firstAt, 0) << 2), i32x4.extract_lane(value, 0));
      store<i32>(sourcePos + (<usize>i32x4.extract_lane(secondAt, 0) << 2), i32x4.extract_lane(secondValue4, 0));
    } else {
      store<i32>(sourcePos + (<usize>i32x4.extract_lane(firstAt, 0) << 2), i32x4.extract_lane(value, 0));
      store<i32>(sourcePos + (<usize>i32x4.extract_lane(secondAt, 0) << 2), i32x4.extract_lane(secondValue4, 0));
      store<i32>(sourcePos + (<usize>i32x4.extract_lane(firstAt, 1) << 2), i32x4.extract_lane(value, 1));
      store<i32>(sourcePos + (<usize>i32x4.extract_lane(secondAt, 1) << 2), i32x4.extract_lane(secondValue4, 1));
      store<i32>(sourcePos + (<usize>i32x4.extract_lane(firstAt, 2) << 2), i32x4.extract_lane(value, 2));
      store<i32>(sourcePos + (<usize>i32x4.extract_lane(secondAt, 2) << 2), i32x4.extract_lane(secondValue4, 2));
      store<i32>(sourcePos + (<usize>i32x4.extract_lane(firstAt, 3) << 2), i32x4.extract_lane(value, 3));
      store<i32>(sourcePos + (<usize>i32x4.extract_lane(secondAt, 3) << 2), i32x4.extract_lane(secondValue4, 3));
    }
  }
}

/** One segment's writes from the arrays pass (2) filled (a write it does not make hits the spare slot). */
// @ts-ignore: decorator
@inline
function writeSegment(sourcePos: usize, s: i32, first: usize, second: usize, firstValue: usize, secondValue: usize): void {
  const entry = <usize>s << 2;
  store<i32>(sourcePos + (<usize>load<i32>(first + entry) << 2), load<i32>(firstValue + entry));
  store<i32>(sourcePos + (<usize>load<i32>(second + entry) << 2), load<i32>(secondValue + entry));
}

/** 1.5 · 2^52: added to a whole f64 of magnitude below 2^51, its low 32 bits are the i32. */
const WHOLE: f64 = 6755399441055744.0;

/** Two f64x2 of whole numbers (moderate ones: pixel indices) as one i32x4. */
// @ts-ignore: decorator
@inline
function wholeLanes4(low: v128, high: v128, magic: v128): v128 {
  return v128.shuffle<i32>(f64x2.add(low, magic), f64x2.add(high, magic), 0, 2, 4, 6);
}

/** Pass (2) of forwardWarpRow for one segment x < last, in scalar f64 (the same operations). */
function segment(landing: usize, x: i32, last: i32, first: usize, second: usize, firstValue: usize, secondValue: usize, dummy: i32): void {
  const t0 = load<f64>(landing + (<usize>x << 3));
  const t1 = load<f64>(landing + (<usize>(x + 1) << 3));
  const span = t1 - t0;
  const entry = <usize>x << 2;
  store<i32>(second + entry, dummy);
  if (span <= 0 || span > DISOCCLUSION_SPAN) {
    const p = Math.round(t0);
    store<i32>(first + entry, p >= 0 && p <= <f64>last ? <i32>p : dummy);
    store<i32>(firstValue + entry, x * ONE);
    return;
  }
  let p = Math.ceil(t0);
  let end = Math.ceil(t1) - 1;
  if (p < 0) p = 0;
  if (end > <f64>last) end = <f64>last;
  if (p > end) {
    store<i32>(first + entry, dummy);
    return;
  }
  const du: f64 = <f64>ONE / span;
  const position: f64 = <f64>(x * ONE) + (p - t0) * du;
  store<i32>(first + entry, <i32>p);
  store<i32>(firstValue + entry, <i32>position);
  if (p + 1 <= end) {
    store<i32>(second + entry, <i32>p + 1);
    store<i32>(secondValue + entry, <i32>(position + du));
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
    // Most of a row is covered: skip eight, then four at a time while no lane is negative.
    while (p + 8 <= width && i32x4.bitmask(v128.or(v128.load(sourcePos + (<usize>p << 2)), v128.load(sourcePos + (<usize>p << 2), 16))) == 0) p += 8;
    while (p + 4 <= width && i32x4.bitmask(v128.load(sourcePos + (<usize>p << 2))) == 0) p += 4;
    while (p < width && load<i32>(sourcePos + (<usize>p << 2)) >= 0) p++;
    if (p >= width) break;
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

/** See sampleRow in src/stereo/warp.ts: sampleRows with one plane (eight pixels a step). */
export function sampleRow(src: usize, srcWidth: i32, positions: usize, count: i32, dst: usize): void {
  sampleRows(1, src, src, src, srcWidth, positions, count, dst, dst, dst);
}

/**
 * sampleRow for one, two or three planes of the same size at the same positions (the sources
 * and destinations past `planes` are ignored): the indices and fractions are computed once for
 * all of them.
 */
export function sampleRows(
  planes: i32, src0: usize, src1: usize, src2: usize, srcWidth: i32, positions: usize, count: i32, dst0: usize, dst1: usize, dst2: usize,
): void {
  sampleRowsBody(
    planes, src0, src1, src2, srcWidth, positions, count, dst0, dst1, dst2,
    i32x4.splat((srcWidth - 1) * ONE - 1), i32x4.splat(FRACTION_MASK), i16x8.splat(0xff), i16x8.splat(<i16>ROUNDING),
    i16x8.splat(<i16>ONE), i16x8.splat(-16), i16x8.splat(1),
  );
}

/** Bytes of sampleConstants' vectors. */
const SAMPLE_CONSTANTS_BYTES: i32 = 7 * 16;

/** sampleRows' constant vectors for rows of `srcWidth` pixels, at `at` (SAMPLE_CONSTANTS_BYTES). */
function sampleConstants(at: usize, srcWidth: i32): void {
  v128.store(at, i32x4.splat((srcWidth - 1) * ONE - 1));
  v128.store(at, i32x4.splat(FRACTION_MASK), 16);
  v128.store(at, i16x8.splat(0xff), 32);
  v128.store(at, i16x8.splat(<i16>ROUNDING), 48);
  v128.store(at, i16x8.splat(<i16>ONE), 64);
  v128.store(at, i16x8.splat(-16), 80);
  v128.store(at, i16x8.splat(1), 96);
}

/**
 * sampleRows with its constant vectors loaded from `constants` (sampleConstants for this
 * srcWidth): V8 rematerialises constant vectors and re-splats splats at every use inside a
 * loop, but keeps a loaded value (renderFrame's calls).
 */
function sampleRowsLoaded(
  constants: usize, planes: i32, src0: usize, src1: usize, src2: usize, srcWidth: i32, positions: usize, count: i32,
  dst0: usize, dst1: usize, dst2: usize,
): void {
  sampleRowsBody(
    planes, src0, src1, src2, srcWidth, positions, count, dst0, dst1, dst2,
    v128.load(constants), v128.load(constants, 16), v128.load(constants, 32), v128.load(constants, 48),
    v128.load(constants, 64), v128.load(constants, 80), v128.load(constants, 96),
  );
}

// @ts-ignore: decorator
@inline
function sampleRowsBody(
  planes: i32, src0: usize, src1: usize, src2: usize, srcWidth: i32, positions: usize, count: i32, dst0: usize, dst1: usize, dst2: usize,
  maxSplat: v128, maskSplat: v128, byteMask: v128, rounding: v128, oneSplat: v128, outsideWindow: v128, oneWord: v128,
): void {
  const two = planes >= 2;
  const three = planes == 3;
  if (srcWidth == 1) {
    memory.fill(dst0, load<u8>(src0), count);
    if (two) memory.fill(dst1, load<u8>(src1), count);
    if (three) memory.fill(dst2, load<u8>(src2), count);
    return;
  }
  const maxPos = (srcWidth - 1) * ONE - 1;
  let p = 0;
  for (; p + 8 <= count; p += 8) {
    const q0 = i32x4.min_s(v128.load(positions + (<usize>p << 2)), maxSplat);
    const q1 = i32x4.min_s(v128.load(positions + (<usize>p << 2), 16), maxSplat);
    const i0 = i32x4.shr_s(q0, FRACTION_BITS);
    const i1 = i32x4.shr_s(q1, FRACTION_BITS);
    const fraction = i16x8.narrow_i32x4_s(v128.and(q0, maskSplat), v128.and(q1, maskSplat));
    const rest = i16x8.sub(oneSplat, fraction);
    // Usually the eight read source pixels within 15 of the first's (the shift changes slowly):
    // one 16-byte load then holds every left and right neighbour, and one byte shuffle picks
    // each pixel's pair (left in the low byte). (Whether the eight are exactly adjacent was the
    // test before: a branch the warped positions made unpredictable.)
    const a0 = <usize>i32x4.extract_lane(i0, 0);
    const start = i32x4.splat(<i32>a0);
    const offsets = i16x8.narrow_i32x4_s(i32x4.sub(i0, start), i32x4.sub(i1, start));
    const nextOffsets = i16x8.add(offsets, oneWord);
    // offsets in 0..14: neither an offset nor the one after it has a bit outside 0..15.
    if (!v128.any_true(v128.and(v128.or(offsets, nextOffsets), outsideWindow))) {
      const picks = v128.or(offsets, i16x8.shl(nextOffsets, 8));
      sampleEightWindow(src0 + a0, picks, fraction, rest, byteMask, rounding, dst0 + <usize>p);
      if (two) sampleEightWindow(src1 + a0, picks, fraction, rest, byteMask, rounding, dst1 + <usize>p);
      if (three) sampleEightWindow(src2 + a0, picks, fraction, rest, byteMask, rounding, dst2 + <usize>p);
      continue;
    }
    const a1 = <usize>i32x4.extract_lane(i0, 1);
    const a2 = <usize>i32x4.extract_lane(i0, 2);
    const a3 = <usize>i32x4.extract_lane(i0, 3);
    const a4 = <usize>i32x4.extract_lane(i1, 0);
    const a5 = <usize>i32x4.extract_lane(i1, 1);
    const a6 = <usize>i32x4.extract_lane(i1, 2);
    const a7 = <usize>i32x4.extract_lane(i1, 3);
    sampleEight(src0, a0, a1, a2, a3, a4, a5, a6, a7, fraction, rest, byteMask, rounding, dst0 + <usize>p);
    if (two) sampleEight(src1, a0, a1, a2, a3, a4, a5, a6, a7, fraction, rest, byteMask, rounding, dst1 + <usize>p);
    if (three) sampleEight(src2, a0, a1, a2, a3, a4, a5, a6, a7, fraction, rest, byteMask, rounding, dst2 + <usize>p);
  }
  for (; p < count; p++) {
    let q = load<i32>(positions + (<usize>p << 2));
    if (q > maxPos) q = maxPos;
    const i = <usize>(q >> FRACTION_BITS);
    const f = q & FRACTION_MASK;
    store<u8>(dst0 + <usize>p, sampleOne(src0 + i, f));
    if (two) store<u8>(dst1 + <usize>p, sampleOne(src1 + i, f));
    if (three) store<u8>(dst2 + <usize>p, sampleOne(src2 + i, f));
  }
}

// @ts-ignore: decorator
@inline
function sampleOne(at: usize, fraction: i32): i32 {
  const a = <i32>load<u8>(at);
  const b = <i32>load<u8>(at, 1);
  return (a * ONE + (b - a) * fraction + ROUNDING) >> FRACTION_BITS;
}

/**
 * Eight pixels of sampleRow whose neighbour pairs are the bytes at `at` + picks: picks holds,
 * per pixel, its left neighbour's offset (0..14) in the low byte and the right one's in the
 * high byte, so one byte shuffle of the 16 bytes at `at` gives the pairs as sampleEight's 16-bit
 * loads do. Reads 16 bytes from `at` (a row's last pixel is never a left neighbour, so at most
 * 14 past its row: the arena keeps 16 spare bytes after the last row).
 */
// @ts-ignore: decorator
@inline
function sampleEightWindow(at: usize, picks: v128, fraction: v128, rest: v128, byteMask: v128, rounding: v128, dst: usize): void {
  const pairs = i8x16.swizzle(v128.load(at), picks);
  const left = v128.and(pairs, byteMask);
  const right = i16x8.shr_u(pairs, 8);
  const v = i16x8.shr_u(i16x8.add(i16x8.add(i16x8.mul(left, rest), i16x8.mul(right, fraction)), rounding), FRACTION_BITS);
  v128.store64_lane(dst, i8x16.narrow_i16x8_u(v, v), 0);
}

/**
 * Eight pixels of sampleRow from `src` at the byte offsets a0..a7 with fractions f (and 256 − f)
 * in i16x8 lanes. One 16-bit load per pixel fetches both neighbours (little-endian: low byte
 * left). (a·256 + (b − a)·f + 128) >> 8 is computed as (a·(256 − f) + b·f + 128) >> 8: the same
 * integer, never above 65408, so 16-bit lanes hold it exactly.
 */
// @ts-ignore: decorator
@inline
function sampleEight(
  src: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize, a5: usize, a6: usize, a7: usize,
  fraction: v128, rest: v128, byteMask: v128, rounding: v128, dst: usize,
): void {
  let pairs = i16x8.splat(<i16>load<u16>(src + a0));
  pairs = i16x8.replace_lane(pairs, 1, <i16>load<u16>(src + a1));
  pairs = i16x8.replace_lane(pairs, 2, <i16>load<u16>(src + a2));
  pairs = i16x8.replace_lane(pairs, 3, <i16>load<u16>(src + a3));
  pairs = i16x8.replace_lane(pairs, 4, <i16>load<u16>(src + a4));
  pairs = i16x8.replace_lane(pairs, 5, <i16>load<u16>(src + a5));
  pairs = i16x8.replace_lane(pairs, 6, <i16>load<u16>(src + a6));
  pairs = i16x8.replace_lane(pairs, 7, <i16>load<u16>(src + a7));
  const left = v128.and(pairs, byteMask);
  const right = i16x8.shr_u(pairs, 8);
  const sum = i16x8.add(i16x8.add(i16x8.mul(left, rest), i16x8.mul(right, fraction)), rounding);
  const v = i16x8.shr_u(sum, FRACTION_BITS);
  v128.store64_lane(dst, i8x16.narrow_i16x8_u(v, v), 0);
}

/** See sampleChromaRow in src/stereo/warp.ts. */
export function sampleChromaRow(src: usize, chromaWidth: i32, lumaPositions: usize, dst: usize, halfPositions: usize): void {
  halvePositions(lumaPositions, chromaWidth, halfPositions);
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
  dilateAndShiftRow(depth, width, radius, convergence, taper, allOnes(taper, width), padded, dilated, base);
}

/** Whether the `count` f32 at `at` are all 1 (no zero-parallax border: the taper is all ones). */
function allOnes(at: usize, count: i32): bool {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= count; i += 4) if (!i32x4.all_true(f32x4.eq(v128.load(at + (<usize>i << 2)), one))) return false;
  for (; i < count; i++) if (load<f32>(at + (<usize>i << 2)) != 1) return false;
  return true;
}

/**
 * dilateAndShift, told whether the taper is all ones (`unitTaper`): then the product by it, exact
 * (v · 1 = v), is left out. The base of four pixels is taken as soon as their max is.
 */
function dilateAndShiftRow(
  depth: usize, width: i32, radius: i32, convergence: f64, taper: usize, unitTaper: bool, padded: usize, dilated: usize, base: usize,
): void {
  const convergenceLanes = f64x2.splat(convergence);
  let x = 0;
  if (radius > 0) {
    const first = load<f32>(depth);
    const last = load<f32>(depth + (<usize>(width - 1) << 2));
    for (let i = 0; i < radius; i++) {
      store<f32>(padded + (<usize>i << 2), first);
      store<f32>(padded + (<usize>(radius + width + i) << 2), last);
    }
    memory.copy(padded + (<usize>radius << 2), depth, <usize>width << 2);
    const span = 2 * radius;
    if (span == 4) {
      // The default radius (2) unrolled: the same maxima in the same order, without the inner
      // loop's branch per tap.
      for (; x + 4 <= width; x += 4) {
        const at = padded + (<usize>x << 2);
        let m = f32x4.pmax(v128.load(at), v128.load(at, 4));
        m = f32x4.pmax(m, v128.load(at, 8));
        m = f32x4.pmax(m, v128.load(at, 12));
        m = f32x4.pmax(m, v128.load(at, 16));
        v128.store(dilated + (<usize>x << 2), m);
        baseFour(m, taper, unitTaper, convergenceLanes, base, x);
      }
    }
    for (; x + 4 <= width; x += 4) {
      const at = padded + (<usize>x << 2);
      let m = v128.load(at);
      for (let i = 1; i <= span; i++) m = f32x4.pmax(m, v128.load(at + (<usize>i << 2)));
      v128.store(dilated + (<usize>x << 2), m);
      baseFour(m, taper, unitTaper, convergenceLanes, base, x);
    }
    for (let tail = x; tail < width; tail++) {
      const at = padded + (<usize>tail << 2);
      let m = load<f32>(at);
      for (let i = 1; i <= span; i++) {
        const v = load<f32>(at + (<usize>i << 2));
        if (v > m) m = v;
      }
      store<f32>(dilated + (<usize>tail << 2), m);
    }
    baseRest(dilated, taper, convergence, convergenceLanes, base, x, width);
    return;
  }
  for (; x + 4 <= width; x += 4) baseFour(v128.load(depth + (<usize>x << 2)), taper, unitTaper, convergenceLanes, base, x);
  baseRest(depth, taper, convergence, convergenceLanes, base, x, width);
}

/** base[x .. x + 3] = (d − convergence) · taper in f64, rounded to f32 (see dilateAndShift). */
// @ts-ignore: decorator
@inline
function baseFour(d: v128, taper: usize, unitTaper: bool, convergenceLanes: v128, base: usize, x: i32): void {
  const at = <usize>x << 2;
  let low = f64x2.sub(f64x2.promote_low_f32x4(d), convergenceLanes);
  let high = f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<i32>(d, d, 2, 3, 2, 3)), convergenceLanes);
  if (!unitTaper) {
    const t = v128.load(taper + at);
    low = f64x2.mul(low, f64x2.promote_low_f32x4(t));
    high = f64x2.mul(high, f64x2.promote_low_f32x4(v128.shuffle<i32>(t, t, 2, 3, 2, 3)));
  }
  v128.store(base + at, v128.shuffle<i32>(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 1, 4, 5));
}

/** The base of pixels from .. width − 1 from `source` (fewer than four: two, then one at a time). */
function baseRest(source: usize, taper: usize, convergence: f64, convergenceLanes: v128, base: usize, from: i32, width: i32): void {
  let x = from;
  for (; x + 2 <= width; x += 2) {
    const at = <usize>x << 2;
    const d = f64x2.promote_low_f32x4(v128.load64_zero(source + at));
    const t = f64x2.promote_low_f32x4(v128.load64_zero(taper + at));
    v128.store64_lane(base + at, f32x4.demote_f64x2_zero(f64x2.mul(f64x2.sub(d, convergenceLanes), t)), 0);
  }
  for (; x < width; x++) {
    const at = <usize>x << 2;
    store<f32>(base + at, <f32>((<f64>load<f32>(source + at) - convergence) * <f64>load<f32>(taper + at)));
  }
}

/**
 * See anaglyphRow in src/stereo/anaglyph.ts: per pixel the left and right RGB through their 3×3
 * matrices (18 f64 at `matrices`, left then right, row-major), summed left to right in f64 as the
 * TypeScript does (four pixels a step in two f64x2 per plane: the same IEEE operations, so the
 * same bits), then clampByte. Rows are G, B, R (gbrp) for the views and for the output.
 * clampByte(v) = v ≤ 0 ? 0 : v ≥ 255 ? 255 : trunc(v + 0.5) equals floor(v + 0.5) saturated to
 * [0, 255] (for v + 0.5 ≥ 0 trunc is floor; below, both give 0), and the saturation is what
 * the i32 → i16 → u8 narrowing does.
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
  const half = f64x2.splat(0.5);
  const magic = f64x2.splat(WHOLE);
  let x = 0;
  for (; x + 4 <= width; x += 4) {
    const at = <usize>x;
    const LR = i32x4.extend_low_i16x8_u(v128.load8x8_u(lr + at));
    const LG = i32x4.extend_low_i16x8_u(v128.load8x8_u(lg + at));
    const LB = i32x4.extend_low_i16x8_u(v128.load8x8_u(lb + at));
    const RR = i32x4.extend_low_i16x8_u(v128.load8x8_u(rr + at));
    const RG = i32x4.extend_low_i16x8_u(v128.load8x8_u(rg + at));
    const RB = i32x4.extend_low_i16x8_u(v128.load8x8_u(rb + at));
    // Pixels x, x+1 (a) and x+2, x+3 (b) of each plane.
    const LRa = f64x2.convert_low_i32x4_s(LR);
    const LGa = f64x2.convert_low_i32x4_s(LG);
    const LBa = f64x2.convert_low_i32x4_s(LB);
    const RRa = f64x2.convert_low_i32x4_s(RR);
    const RGa = f64x2.convert_low_i32x4_s(RG);
    const RBa = f64x2.convert_low_i32x4_s(RB);
    const LRb = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(LR, LR, 2, 3, 2, 3));
    const LGb = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(LG, LG, 2, 3, 2, 3));
    const LBb = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(LB, LB, 2, 3, 2, 3));
    const RRb = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(RR, RR, 2, 3, 2, 3));
    const RGb = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(RG, RG, 2, 3, 2, 3));
    const RBb = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(RB, RB, 2, 3, 2, 3));
    storeBytes4(or + at, sum6(m0, LRa, m1, LGa, m2, LBa, n0, RRa, n1, RGa, n2, RBa), sum6(m0, LRb, m1, LGb, m2, LBb, n0, RRb, n1, RGb, n2, RBb), half, magic);
    storeBytes4(og + at, sum6(m3, LRa, m4, LGa, m5, LBa, n3, RRa, n4, RGa, n5, RBa), sum6(m3, LRb, m4, LGb, m5, LBb, n3, RRb, n4, RGb, n5, RBb), half, magic);
    storeBytes4(ob + at, sum6(m6, LRa, m7, LGa, m8, LBa, n6, RRa, n7, RGa, n8, RBa), sum6(m6, LRb, m7, LGb, m8, LBb, n6, RRb, n7, RGb, n8, RBb), half, magic);
  }
  anaglyphPixels(matrices, lg, lb, lr, rg, rb, rr, x, width, og, ob, or);
}

/** Fraction bits of anaglyphRowFixed's coefficients. */
const ANAGLYPH_BITS: i32 = 22;
/**
 * A bound on |S − 2^22·(v + 0.5)|, S the fixed-point sum and v the f64 sum anaglyphRow rounds:
 * each of the six coefficients is off by at most 1/2 (in 2^-22 units) times a byte (≤ 127.5 in
 * all), and the f64 sum is within 1e-12 of the exact one; rounded up with room to spare.
 */
const ANAGLYPH_MARGIN: i32 = 1024;
/** Bytes of anaglyphTable's table: 18 coefficients and 4 constants, each as an i32x4. */
const ANAGLYPH_TABLE_BYTES: i32 = 22 * 16;

/**
 * Writes anaglyphRowFixed's table for `matrices` (anaglyphRow's 18 f64) at `table`
 * (ANAGLYPH_TABLE_BYTES): each coefficient rounded to 22 fraction bits, as i32x4 lanes. Returns
 * false when some output's sum of coefficients · 255 could leave i32 (not for the built-in
 * matrices): anaglyphRow must then do the rows.
 */
export function anaglyphTable(matrices: usize, table: usize): bool {
  const scale = <f64>(1 << ANAGLYPH_BITS);
  for (let output = 0; output < 3; output++) {
    let positive: f64 = 0;
    let negative: f64 = 0;
    for (let i = 0; i < 3; i++) {
      const l = Math.round(load<f64>(matrices + (<usize>(3 * output + i) << 3)) * scale);
      const r = Math.round(load<f64>(matrices + (<usize>(9 + 3 * output + i) << 3)) * scale);
      if (l > 0) positive += l; else negative -= l;
      if (r > 0) positive += r; else negative -= r;
    }
    // Written so that a NaN fails too.
    if (!(positive * 255 + <f64>(1 << (ANAGLYPH_BITS - 1)) < 2147483647) || !(negative * 255 < 2147483647)) return false;
  }
  for (let i = 0; i < 18; i++) {
    v128.store(table + (<usize>i << 4), i32x4.splat(<i32>Math.round(load<f64>(matrices + (<usize>i << 3)) * scale)));
  }
  v128.store(table + 18 * 16, i32x4.splat(1 << (ANAGLYPH_BITS - 1)));
  v128.store(table + 19 * 16, i32x4.splat((1 << ANAGLYPH_BITS) - 1));
  v128.store(table + 20 * 16, i32x4.splat(ANAGLYPH_MARGIN));
  v128.store(table + 21 * 16, i32x4.splat((1 << ANAGLYPH_BITS) - ANAGLYPH_MARGIN));
  return true;
}

/**
 * anaglyphRow's bytes, eight pixels a step, from i32x4 sums of the bytes times the coefficients
 * of `table` (anaglyphTable): S = 2^21 + Σ round(c·2^22)·byte, byte = S >> 22 saturated to
 * [0, 255], which is floor(v + 0.5) saturated, the f64 result, whenever S lies further than the
 * error bound ANAGLYPH_MARGIN from a multiple of 2^22 (only there can the f64 and the fixed
 * point round to different bytes). Where any of eight pixels' 24 sums comes that close (about
 * one step in a hundred), those eight take anaglyphRow's f64 sums one at a time
 * (anaglyphPixels), as do the last width mod 8. The table's vectors are loaded, not splatted in
 * place: V8 re-splats a splat at every use inside the loop, which cost more than the sums.
 */
export function anaglyphRowFixed(
  table: usize, matrices: usize, lg: usize, lb: usize, lr: usize, rg: usize, rb: usize, rr: usize, width: i32, og: usize, ob: usize, or: usize,
): void {
  const q0 = v128.load(table, 0);
  const q1 = v128.load(table, 16);
  const q2 = v128.load(table, 32);
  const q3 = v128.load(table, 48);
  const q4 = v128.load(table, 64);
  const q5 = v128.load(table, 80);
  const q6 = v128.load(table, 96);
  const q7 = v128.load(table, 112);
  const q8 = v128.load(table, 128);
  const p0 = v128.load(table, 144);
  const p1 = v128.load(table, 160);
  const p2 = v128.load(table, 176);
  const p3 = v128.load(table, 192);
  const p4 = v128.load(table, 208);
  const p5 = v128.load(table, 224);
  const p6 = v128.load(table, 240);
  const p7 = v128.load(table, 256);
  const p8 = v128.load(table, 272);
  const half = v128.load(table, 288);
  const fraction = v128.load(table, 304);
  const below = v128.load(table, 320);
  const above = v128.load(table, 336);
  let x = 0;
  for (; x + 8 <= width; x += 8) {
    const at = <usize>x;
    const LR = v128.load8x8_u(lr + at);
    const LG = v128.load8x8_u(lg + at);
    const LB = v128.load8x8_u(lb + at);
    const RR = v128.load8x8_u(rr + at);
    const RG = v128.load8x8_u(rg + at);
    const RB = v128.load8x8_u(rb + at);
    // Pixels x .. x+3 (a) and x+4 .. x+7 (b).
    const LRa = i32x4.extend_low_i16x8_u(LR);
    const LGa = i32x4.extend_low_i16x8_u(LG);
    const LBa = i32x4.extend_low_i16x8_u(LB);
    const RRa = i32x4.extend_low_i16x8_u(RR);
    const RGa = i32x4.extend_low_i16x8_u(RG);
    const RBa = i32x4.extend_low_i16x8_u(RB);
    const LRb = i32x4.extend_high_i16x8_u(LR);
    const LGb = i32x4.extend_high_i16x8_u(LG);
    const LBb = i32x4.extend_high_i16x8_u(LB);
    const RRb = i32x4.extend_high_i16x8_u(RR);
    const RGb = i32x4.extend_high_i16x8_u(RG);
    const RBb = i32x4.extend_high_i16x8_u(RB);
    const redA = fixedSum6(half, q0, LRa, q1, LGa, q2, LBa, p0, RRa, p1, RGa, p2, RBa);
    const redB = fixedSum6(half, q0, LRb, q1, LGb, q2, LBb, p0, RRb, p1, RGb, p2, RBb);
    const greenA = fixedSum6(half, q3, LRa, q4, LGa, q5, LBa, p3, RRa, p4, RGa, p5, RBa);
    const greenB = fixedSum6(half, q3, LRb, q4, LGb, q5, LBb, p3, RRb, p4, RGb, p5, RBb);
    const blueA = fixedSum6(half, q6, LRa, q7, LGa, q8, LBa, p6, RRa, p7, RGa, p8, RBa);
    const blueB = fixedSum6(half, q6, LRb, q7, LGb, q8, LBb, p6, RRb, p7, RGb, p8, RBb);
    let near = v128.or(nearStep(redA, fraction, below, above), nearStep(redB, fraction, below, above));
    near = v128.or(near, v128.or(nearStep(greenA, fraction, below, above), nearStep(greenB, fraction, below, above)));
    near = v128.or(near, v128.or(nearStep(blueA, fraction, below, above), nearStep(blueB, fraction, below, above)));
    if (v128.any_true(near)) {
      anaglyphPixels(matrices, lg, lb, lr, rg, rb, rr, x, x + 8, og, ob, or);
      continue;
    }
    storeFixedBytes8(or + at, redA, redB);
    storeFixedBytes8(og + at, greenA, greenB);
    storeFixedBytes8(ob + at, blueA, blueB);
  }
  anaglyphPixels(matrices, lg, lb, lr, rg, rb, rr, x, width, og, ob, or);
}

/** half + Σ q·byte in i32 lanes (wrapping sums: only the final one has to fit, and it does). */
// @ts-ignore: decorator
@inline
function fixedSum6(half: v128, a: v128, x: v128, b: v128, y: v128, c: v128, z: v128, d: v128, u: v128, e: v128, v: v128, f: v128, w: v128): v128 {
  let s = i32x4.add(half, i32x4.mul(a, x));
  s = i32x4.add(s, i32x4.mul(b, y));
  s = i32x4.add(s, i32x4.mul(c, z));
  s = i32x4.add(s, i32x4.mul(d, u));
  s = i32x4.add(s, i32x4.mul(e, v));
  return i32x4.add(s, i32x4.mul(f, w));
}

/** Lanes whose sum lies within the margin of a multiple of 2^22 (where the byte could differ). */
// @ts-ignore: decorator
@inline
function nearStep(sum: v128, fraction: v128, below: v128, above: v128): v128 {
  const f = v128.and(sum, fraction);
  return v128.or(i32x4.lt_s(f, below), i32x4.gt_s(f, above));
}

/** Eight sums as bytes: sum >> 22 (the floor), saturated to [0, 255] by the narrowing. */
// @ts-ignore: decorator
@inline
function storeFixedBytes8(at: usize, a: v128, b: v128): void {
  const words = i16x8.narrow_i32x4_s(i32x4.shr_s(a, ANAGLYPH_BITS), i32x4.shr_s(b, ANAGLYPH_BITS));
  v128.store64_lane(at, i8x16.narrow_i16x8_u(words, words), 0);
}

/** anaglyphRow's pixels from .. to − 1, one at a time, with the same f64 sums. */
function anaglyphPixels(
  matrices: usize, lg: usize, lb: usize, lr: usize, rg: usize, rb: usize, rr: usize, from: i32, to: i32, og: usize, ob: usize, or: usize,
): void {
  for (let x = from; x < to; x++) {
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

/**
 * See upsampleChroma420 in src/frame/planar.ts: the yuv420p frame at `src` (width × height) as
 * yuv444p at `dst`, the chroma bilinear with centred siting, in the same integer rounding. Per
 * output row, the row mix (3·near + far + 2) >> 2 in i16x8 lanes into `row` + 1 (`row` holds
 * (width + 1) / 2 + 18 bytes; the first and last samples repeated once past each end), then
 * the columns: the same mix with the left (even columns) or right (odd) neighbour, interleaved.
 */
export function upsampleChroma420(src: usize, width: i32, height: i32, dst: usize, row: usize): void {
  const lumaBytes = <usize>(width * height);
  memory.copy(dst, src, lumaBytes);
  const chromaWidth = (width + 1) >> 1;
  const chromaHeight = (height + 1) >> 1;
  const two = i16x8.splat(2);
  const mid = row + 1;
  for (let plane = 1; plane <= 2; plane++) {
    const source = src + lumaBytes + <usize>((plane - 1) * chromaWidth * chromaHeight);
    const target = dst + <usize>plane * lumaBytes;
    for (let y = 0; y < height; y++) {
      const c = y >> 1;
      const other = (y & 1) == 1 ? min(c + 1, chromaHeight - 1) : max(c - 1, 0);
      const near = source + <usize>(c * chromaWidth);
      const far = source + <usize>(other * chromaWidth);
      let i = 0;
      for (; i + 8 <= chromaWidth; i += 8) {
        const mixed = mix31(v128.load8x8_u(near + <usize>i), v128.load8x8_u(far + <usize>i), two);
        v128.store64_lane(mid + <usize>i, i8x16.narrow_i16x8_u(mixed, mixed), 0);
      }
      for (; i < chromaWidth; i++) {
        store<u8>(mid + <usize>i, (3 * <i32>load<u8>(near + <usize>i) + <i32>load<u8>(far + <usize>i) + 2) >> 2);
      }
      store<u8>(row, load<u8>(mid));
      store<u8>(mid + <usize>chromaWidth, load<u8>(mid + <usize>(chromaWidth - 1)));
      const at = target + <usize>(y * width);
      let x = 0;
      for (; x + 16 <= width; x += 16) {
        const k = mid + <usize>(x >> 1);
        const centre = v128.load8x8_u(k);
        const even = mix31(centre, v128.load8x8_u(k - 1), two);
        const odd = mix31(centre, v128.load8x8_u(k + 1), two);
        const bytes = i8x16.narrow_i16x8_u(even, odd);
        v128.store(at + <usize>x, v128.shuffle<u8>(bytes, bytes, 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15));
      }
      for (; x < width; x++) {
        const k = mid + <usize>(x >> 1);
        const neighbour = (x & 1) == 0 ? k - 1 : k + 1;
        store<u8>(at + <usize>x, (3 * <i32>load<u8>(k) + <i32>load<u8>(neighbour) + 2) >> 2);
      }
    }
  }
}

/** (3·near + far + 2) >> 2 in u16 lanes. */
// @ts-ignore: decorator
@inline
function mix31(near: v128, far: v128, two: v128): v128 {
  return i16x8.shr_u(i16x8.add(i16x8.add(i16x8.add(i16x8.shl(near, 1), near), far), two), 2);
}

/** Bytes of anaglyphYuvRow's table: ANAGLYPH_YUV.count (src/stereo/anaglyph.ts) f32x4 splats. */
const ANAGLYPH_YUV_TABLE_BYTES: i32 = 37 * 16;
/** 2^23 as f32: adding it rounds an f32 in [0, 2^23) to an integer (ties to even) in the low bits. */
const WHOLE_F32: f32 = 8388608;
const WHOLE_F32_BITS: i32 = 0x4b000000;

/**
 * See anaglyphYuvRow in src/stereo/anaglyph.ts: per pixel each view's yuv444p samples (source
 * encoding) to RGB clamped to 0..255, the anaglyph matrices (clamped to 0..255), then BT.709
 * limited-range Y, Cb, Cr bytes; in f32, four pixels a step in f32x4, in the TypeScript's order
 * (the same IEEE single operations, so the same bytes; no fused multiply-add in WebAssembly).
 * `table` holds the ANAGLYPH_YUV constants, each as an f32x4 splat (ANAGLYPH_YUV_TABLE_BYTES).
 * The clamps are pmax/pmin (a < b ? b : a), what the TypeScript's comparisons do, and cheaper
 * than max/min in V8 (no NaN or signed-zero fix-up: neither can occur here).
 */
export function anaglyphYuvRow(
  table: usize, ly: usize, lu: usize, lv: usize, ry: usize, ru: usize, rv: usize, width: i32, oy: usize, ou: usize, ov: usize,
): void {
  const yo = v128.load(table, 0);
  const ys = v128.load(table, 16);
  const co = v128.load(table, 32);
  const rFromV = v128.load(table, 48);
  const gFromU = v128.load(table, 64);
  const gFromV = v128.load(table, 80);
  const bFromU = v128.load(table, 96);
  const zero = f32x4.splat(0);
  const top = v128.load(table, 576);
  // The rest of the table in locals too: V8 then keeps what fits in registers (a few % faster
  // than loading each constant where it is used).
  const l0 = v128.load(table, 112);
  const l1 = v128.load(table, 128);
  const l2 = v128.load(table, 144);
  const l3 = v128.load(table, 160);
  const l4 = v128.load(table, 176);
  const l5 = v128.load(table, 192);
  const l6 = v128.load(table, 208);
  const l7 = v128.load(table, 224);
  const l8 = v128.load(table, 240);
  const r0 = v128.load(table, 256);
  const r1 = v128.load(table, 272);
  const r2 = v128.load(table, 288);
  const r3 = v128.load(table, 304);
  const r4 = v128.load(table, 320);
  const r5 = v128.load(table, 336);
  const r6 = v128.load(table, 352);
  const r7 = v128.load(table, 368);
  const r8 = v128.load(table, 384);
  const outYOffset = v128.load(table, 400);
  const outCOffset = v128.load(table, 416);
  const toYFromR = v128.load(table, 432);
  const toYFromG = v128.load(table, 448);
  const toYFromB = v128.load(table, 464);
  const toCbFromR = v128.load(table, 480);
  const toCbFromG = v128.load(table, 496);
  const toCbFromB = v128.load(table, 512);
  const toCrFromR = v128.load(table, 528);
  const toCrFromG = v128.load(table, 544);
  const toCrFromB = v128.load(table, 560);
  let x = 0;
  for (; x + 4 <= width; x += 4) {
    const at = <usize>x;
    const lY = bytesToF32(ly + at);
    const lU = f32x4.sub(bytesToF32(lu + at), co);
    const lV = f32x4.sub(bytesToF32(lv + at), co);
    const lL = f32x4.mul(f32x4.sub(lY, yo), ys);
    const LR = clamp255(f32x4.add(lL, f32x4.mul(rFromV, lV)), zero, top);
    const LG = clamp255(f32x4.add(f32x4.add(lL, f32x4.mul(gFromU, lU)), f32x4.mul(gFromV, lV)), zero, top);
    const LB = clamp255(f32x4.add(lL, f32x4.mul(bFromU, lU)), zero, top);
    const rY = bytesToF32(ry + at);
    const rU = f32x4.sub(bytesToF32(ru + at), co);
    const rV = f32x4.sub(bytesToF32(rv + at), co);
    const rL = f32x4.mul(f32x4.sub(rY, yo), ys);
    const RR = clamp255(f32x4.add(rL, f32x4.mul(rFromV, rV)), zero, top);
    const RG = clamp255(f32x4.add(f32x4.add(rL, f32x4.mul(gFromU, rU)), f32x4.mul(gFromV, rV)), zero, top);
    const RB = clamp255(f32x4.add(rL, f32x4.mul(bFromU, rU)), zero, top);
    const red = clamp255(sum6f(
      l0, LR, l1, LG, l2, LB,
      r0, RR, r1, RG, r2, RB,
    ), zero, top);
    const green = clamp255(sum6f(
      l3, LR, l4, LG, l5, LB,
      r3, RR, r4, RG, r5, RB,
    ), zero, top);
    const blue = clamp255(sum6f(
      l6, LR, l7, LG, l8, LB,
      r6, RR, r7, RG, r8, RB,
    ), zero, top);
    storeWhole4(oy + at, sum3f(outYOffset, toYFromR, red, toYFromG, green, toYFromB, blue));
    storeWhole4(ou + at, sum3f(outCOffset, toCbFromR, red, toCbFromG, green, toCbFromB, blue));
    storeWhole4(ov + at, sum3f(outCOffset, toCrFromR, red, toCrFromG, green, toCrFromB, blue));
  }
  anaglyphYuvPixels(table, ly, lu, lv, ry, ru, rv, x, width, oy, ou, ov);
}

/** anaglyphYuvRow's pixels from .. to − 1, one at a time, with the same f32 steps. */
function anaglyphYuvPixels(
  table: usize, ly: usize, lu: usize, lv: usize, ry: usize, ru: usize, rv: usize, from: i32, to: i32, oy: usize, ou: usize, ov: usize,
): void {
  const yo = load<f32>(table, 0);
  const ys = load<f32>(table, 16);
  const co = load<f32>(table, 32);
  const rFromV = load<f32>(table, 48);
  const gFromU = load<f32>(table, 64);
  const gFromV = load<f32>(table, 80);
  const bFromU = load<f32>(table, 96);
  for (let x = from; x < to; x++) {
    const at = <usize>x;
    const lL: f32 = (<f32>load<u8>(ly + at) - yo) * ys;
    const lU: f32 = <f32>load<u8>(lu + at) - co;
    const lV: f32 = <f32>load<u8>(lv + at) - co;
    const LR = clampF32(lL + rFromV * lV, table);
    const LG = clampF32(lL + gFromU * lU + gFromV * lV, table);
    const LB = clampF32(lL + bFromU * lU, table);
    const rL: f32 = (<f32>load<u8>(ry + at) - yo) * ys;
    const rU: f32 = <f32>load<u8>(ru + at) - co;
    const rV: f32 = <f32>load<u8>(rv + at) - co;
    const RR = clampF32(rL + rFromV * rV, table);
    const RG = clampF32(rL + gFromU * rU + gFromV * rV, table);
    const RB = clampF32(rL + bFromU * rU, table);
    const T = table;
    const red = clampF32(
      load<f32>(T, 112) * LR + load<f32>(T, 128) * LG + load<f32>(T, 144) * LB + load<f32>(T, 256) * RR + load<f32>(T, 272) * RG + load<f32>(T, 288) * RB, T,
    );
    const green = clampF32(
      load<f32>(T, 160) * LR + load<f32>(T, 176) * LG + load<f32>(T, 192) * LB + load<f32>(T, 304) * RR + load<f32>(T, 320) * RG + load<f32>(T, 336) * RB, T,
    );
    const blue = clampF32(
      load<f32>(T, 208) * LR + load<f32>(T, 224) * LG + load<f32>(T, 240) * LB + load<f32>(T, 352) * RR + load<f32>(T, 368) * RG + load<f32>(T, 384) * RB, T,
    );
    store<u8>(oy + at, wholeF32(load<f32>(T, 400) + load<f32>(T, 432) * red + load<f32>(T, 448) * green + load<f32>(T, 464) * blue));
    store<u8>(ou + at, wholeF32(load<f32>(T, 416) + load<f32>(T, 480) * red + load<f32>(T, 496) * green + load<f32>(T, 512) * blue));
    store<u8>(ov + at, wholeF32(load<f32>(T, 416) + load<f32>(T, 528) * red + load<f32>(T, 544) * green + load<f32>(T, 560) * blue));
  }
}

/** Four bytes (load32) as f32x4. */
// @ts-ignore: decorator
@inline
function bytesToF32(at: usize): v128 {
  return f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(at))));
}

/** v clamped to [0, top] as the TypeScript compares: v > 0 ? v : 0, then < top ? · : top. */
// @ts-ignore: decorator
@inline
function clamp255(v: v128, zero: v128, top: v128): v128 {
  return f32x4.pmin(top, f32x4.pmax(zero, v));
}

// @ts-ignore: decorator
@inline
function clampF32(v: f32, table: usize): f32 {
  const low: f32 = v > 0 ? v : 0;
  const top = load<f32>(table, 576);
  return low < top ? low : top;
}

// @ts-ignore: decorator
@inline
function sum6f(a: v128, x: v128, b: v128, y: v128, c: v128, z: v128, d: v128, u: v128, e: v128, v: v128, f: v128, w: v128): v128 {
  let s = f32x4.add(f32x4.mul(a, x), f32x4.mul(b, y));
  s = f32x4.add(s, f32x4.mul(c, z));
  s = f32x4.add(s, f32x4.mul(d, u));
  s = f32x4.add(s, f32x4.mul(e, v));
  return f32x4.add(s, f32x4.mul(f, w));
}

// @ts-ignore: decorator
@inline
function sum3f(offset: v128, a: v128, x: v128, b: v128, y: v128, c: v128, z: v128): v128 {
  return f32x4.add(f32x4.add(f32x4.add(offset, f32x4.mul(a, x)), f32x4.mul(b, y)), f32x4.mul(c, z));
}

/** Four f32 in [0, 255.5) as their nearest bytes (ties to even): + 2^23 leaves the integer in the low bits. */
// @ts-ignore: decorator
@inline
function storeWhole4(at: usize, v: v128): void {
  const whole = i32x4.sub(f32x4.add(v, f32x4.splat(WHOLE_F32)), i32x4.splat(WHOLE_F32_BITS));
  const words = i16x8.narrow_i32x4_s(whole, whole);
  v128.store32_lane(at, i8x16.narrow_i16x8_u(words, words), 0);
}

// @ts-ignore: decorator
@inline
function wholeF32(v: f32): u8 {
  return <u8>(reinterpret<i32>(v + WHOLE_F32) - WHOLE_F32_BITS);
}

/** Four f64 (two f64x2) as four bytes: floor(v + 0.5), saturated to [0, 255] by the narrowing. */
// @ts-ignore: decorator
@inline
function storeBytes4(at: usize, a: v128, b: v128, half: v128, magic: v128): void {
  const whole = v128.shuffle<i32>(
    f64x2.add(f64x2.floor(f64x2.add(a, half)), magic), f64x2.add(f64x2.floor(f64x2.add(b, half)), magic), 0, 2, 4, 6,
  );
  const words = i16x8.narrow_i32x4_s(whole, whole);
  v128.store32_lane(at, i8x16.narrow_i16x8_u(words, words), 0);
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

/**
 * fieldRow for two rows at once, row 0 in lane 0 and row 1 in lane 1 of every f64x2: both rows
 * share the column runs, and each lane repeats its row's f64 steps exactly (the accumulation
 * stays sequential within a lane). pmax(d, 0) then pmin(·, 1) is d < 0 ? 0 : d > 1 ? 1 : d.
 * The guide's kind is tested once, outside the loops (fieldRowPairOf with a constant).
 */
export function fieldRowPair(
  aRow0: usize, bRow0: usize, aRow1: usize, bRow1: usize, runStart: usize, runWeight: usize, gridWidth: i32, leading: i32,
  step: f64, guide0: usize, guide1: usize, guideBytes: bool, out0: usize, out1: usize,
): void {
  if (guideBytes) fieldRowPairOf(aRow0, bRow0, aRow1, bRow1, runStart, runWeight, gridWidth, leading, step, guide0, guide1, true, out0, out1);
  else fieldRowPairOf(aRow0, bRow0, aRow1, bRow1, runStart, runWeight, gridWidth, leading, step, guide0, guide1, false, out0, out1);
}

/**
 * fieldRowPair's body. A cell's right coefficients are the next cell's left ones, so each cell
 * loads only its right column's (one f32 pair per row, promoted: the same f64s), and its run
 * starts where the last one ended.
 */
// @ts-ignore: decorator
@inline
function fieldRowPairOf(
  aRow0: usize, bRow0: usize, aRow1: usize, bRow1: usize, runStart: usize, runWeight: usize, gridWidth: i32, leading: i32,
  step: f64, guide0: usize, guide1: usize, guideBytes: bool, out0: usize, out1: usize,
): void {
  const zero = f64x2.splat(0);
  const one = f64x2.splat(1);
  let aNext = pairOf(aRow0, aRow1, 0);
  let bNext = pairOf(bRow0, bRow1, 0);
  for (let x = 0; x < leading; x++) {
    const d = f64x2.add(f64x2.mul(aNext, guidePair(guide0, guide1, guideBytes, x)), bNext);
    storePair(out0, out1, x, f64x2.pmin(f64x2.pmax(d, zero), one));
  }
  const steps = f64x2.splat(step);
  const lastCell = gridWidth - 1;
  let x = load<i32>(runStart);
  for (let g = 0; g < gridWidth; g++) {
    const gAt = <usize>g << 2;
    const end = load<i32>(runStart + gAt, 4);
    const ag0 = aNext;
    const bg0 = bNext;
    aNext = pairOf(aRow0, aRow1, gAt + 4);
    bNext = pairOf(bRow0, bRow1, gAt + 4);
    const da = f64x2.sub(aNext, ag0);
    const db = f64x2.sub(bNext, bg0);
    const w = f64x2.splat(<f64>load<f32>(runWeight + gAt));
    let ag = f64x2.add(ag0, f64x2.mul(w, da));
    let bg = f64x2.add(bg0, f64x2.mul(w, db));
    const last = g == lastCell;
    const sa = last ? zero : f64x2.mul(steps, da);
    const sb = last ? zero : f64x2.mul(steps, db);
    for (; x < end; x++) {
      const d = f64x2.add(f64x2.mul(ag, guidePair(guide0, guide1, guideBytes, x)), bg);
      storePair(out0, out1, x, f64x2.pmin(f64x2.pmax(d, zero), one));
      ag = f64x2.add(ag, sa);
      bg = f64x2.add(bg, sb);
    }
  }
}

/** The f32 at `at` of two rows as an f64x2. */
// @ts-ignore: decorator
@inline
function pairOf(row0: usize, row1: usize, at: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load32_lane(row1 + at, v128.load32_zero(row0 + at), 1));
}

/** Both rows' guide at x as an f64x2: bytes (zero-extended into i32 lanes 0 and 1) or f32s. */
// @ts-ignore: decorator
@inline
function guidePair(guide0: usize, guide1: usize, guideBytes: bool, x: i32): v128 {
  if (guideBytes) {
    const bytes = v128.load8_lane(guide1 + <usize>x, v128.load8_lane(guide0 + <usize>x, i32x4.splat(0), 0), 4);
    return f64x2.convert_low_i32x4_s(bytes);
  }
  return pairOf(guide0, guide1, <usize>x << 2);
}

/** Lane 0 as f32 at out0[x], lane 1 at out1[x]. */
// @ts-ignore: decorator
@inline
function storePair(out0: usize, out1: usize, x: i32, v: v128): void {
  const f = f32x4.demote_f64x2_zero(v);
  v128.store32_lane(out0 + (<usize>x << 2), f, 0);
  v128.store32_lane(out1 + (<usize>x << 2), f, 1);
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

// ---------------------------------------------------------------------------------------------
// The whole frame in one call (StereoRenderer.render with the WebAssembly set): the host writes
// a plan (offsets, sizes, options) at `plan` once per renderer, the frame and the field's
// coefficients before each call, and reads the packed output (and depth bytes) after it. The
// slots below are mirrored by RENDER_PLAN in src/stereo/kernels.ts.

// i32 slots, at plan + 4·slot.
const P_WIDTH = 0;
const P_HEIGHT = 1;
/** 0 yuv420p, 1 yuv444p, 2 gbrp. */
const P_FORMAT = 2;
/** 0 sbs, 1 cross-eyed, 2 tb, 3 half-sbs, 4 half-tb, 5 anaglyph. */
const P_MODE = 3;
const P_FRAME = 4;
/** Input planes 1 and 2: width, height, offset from the frame. */
const P_CHROMA_WIDTH = 5;
const P_CHROMA_HEIGHT = 6;
const P_PLANE1 = 7;
const P_PLANE2 = 8;
const P_FIELD_A = 9;
const P_FIELD_B = 10;
const P_GRID_WIDTH = 11;
const P_GRID_HEIGHT = 12;
const P_LEADING = 13;
const P_A_ROW = 14;
const P_B_ROW = 15;
const P_RUN_START = 16;
const P_RUN_WEIGHT = 17;
const P_GUIDE = 18;
const P_DEPTH_ROW = 19;
const P_DILATED = 20;
const P_PADDED = 21;
const P_TAPER = 22;
const P_BASE = 23;
const P_RADIUS = 24;
/** Per eye (+0 left, +1 right). */
const P_POSITIONS = 25;
const P_HALF_POSITIONS = 27;
const P_WARP_SCRATCH = 28;
const P_IDENTITY = 29;
/** Per eye and plane (+3·eye + plane): a sampled row before packing. */
const P_SCRATCH = 30;
/** Per eye and plane: half-tb's even row waiting for its odd partner. */
const P_PENDING = 36;
const P_MATRICES = 42;
const P_OUT = 43;
/** Output planes: 0's width and height, then 1 and 2's width, height and offsets from P_OUT. */
const P_OUT_WIDTH = 44;
const P_OUT_HEIGHT = 45;
const P_OUT_CHROMA_WIDTH = 46;
const P_OUT_CHROMA_HEIGHT = 47;
const P_OUT_PLANE1 = 48;
const P_OUT_PLANE2 = 49;
/** Depth bytes (width × height), or 0 for none. */
const P_DEPTH_OUT = 50;
/** The odd row's coefficient rows, depth row and (gbrp) guide: field rows are evaluated in pairs. */
const P_A_ROW2 = 51;
const P_B_ROW2 = 52;
const P_DEPTH_ROW2 = 53;
const P_GUIDE2 = 54;
/** anaglyphTable's table (ANAGLYPH_TABLE_BYTES), written at the start of every anaglyph frame. */
const P_ANAGLYPH_TABLE = 55;
/** Two sampleConstants blocks: for luma-width rows, then for chroma-width rows. */
const P_SAMPLE_CONSTANTS = 56;
/** anaglyphYuvRow's table (ANAGLYPH_YUV_TABLE_BYTES), written by the host: yuv444p anaglyphs. */
const P_ANAGLYPH_YUV_TABLE = 57;
// f64 slots, at plan + 256 + 8·slot.
const F_CELL_HEIGHT = 0;
const F_STEP = 1;
const F_CONVERGENCE = 2;
/** Per eye: its signed gain times the parallax shift, in pixels. */
const F_K = 3;

const MODE_CROSS_EYED = 1;
const MODE_TB = 2;
const MODE_HALF_SBS = 3;
const MODE_HALF_TB = 4;
const MODE_ANAGLYPH = 5;

// @ts-ignore: decorator
@inline
function slot(plan: usize, index: i32): i32 {
  return load<i32>(plan + (<usize>index << 2));
}

// @ts-ignore: decorator
@inline
function slotF(plan: usize, index: i32): f64 {
  return load<f64>(plan + 256 + (<usize>index << 3));
}

/** See StereoRenderer.render (TypeScript kernels): the same rows in the same order. */
export function renderFrame(plan: usize): void {
  const width = slot(plan, P_WIDTH);
  const height = slot(plan, P_HEIGHT);
  const format = slot(plan, P_FORMAT);
  const mode = slot(plan, P_MODE);
  const frame = <usize>slot(plan, P_FRAME);
  const subsampled = format == 0;
  const gbrp = format == 2;
  const chromaWidth = slot(plan, P_CHROMA_WIDTH);
  const gridWidth = slot(plan, P_GRID_WIDTH);
  const leading = slot(plan, P_LEADING);
  const step = slotF(plan, F_STEP);
  const aRow = <usize>slot(plan, P_A_ROW);
  const bRow = <usize>slot(plan, P_B_ROW);
  const runStart = <usize>slot(plan, P_RUN_START);
  const runWeight = <usize>slot(plan, P_RUN_WEIGHT);
  const guide = <usize>slot(plan, P_GUIDE);
  const depthRow = <usize>slot(plan, P_DEPTH_ROW);
  const dilated = <usize>slot(plan, P_DILATED);
  const padded = <usize>slot(plan, P_PADDED);
  const taper = <usize>slot(plan, P_TAPER);
  const base = <usize>slot(plan, P_BASE);
  const radius = slot(plan, P_RADIUS);
  const convergence = slotF(plan, F_CONVERGENCE);
  const unitTaper = allOnes(taper, width);
  const halfPositions = <usize>slot(plan, P_HALF_POSITIONS);
  const warpScratch = <usize>slot(plan, P_WARP_SCRATCH);
  const identity = <usize>slot(plan, P_IDENTITY);
  const depthOut = <usize>slot(plan, P_DEPTH_OUT);
  const aRow2 = <usize>slot(plan, P_A_ROW2);
  const bRow2 = <usize>slot(plan, P_B_ROW2);
  const guide2 = <usize>slot(plan, P_GUIDE2);
  const depthRow2 = <usize>slot(plan, P_DEPTH_ROW2);
  const matrices = <usize>slot(plan, P_MATRICES);
  const anaglyphTableAt = <usize>slot(plan, P_ANAGLYPH_TABLE);
  const yuvAnaglyph = mode == MODE_ANAGLYPH && format == 1;
  const anaglyphYuvTable = <usize>slot(plan, P_ANAGLYPH_YUV_TABLE);
  const fixedAnaglyph = mode == MODE_ANAGLYPH && gbrp && anaglyphTable(matrices, anaglyphTableAt);
  const lumaConstants = <usize>slot(plan, P_SAMPLE_CONSTANTS);
  const chromaConstants = lumaConstants + SAMPLE_CONSTANTS_BYTES;
  sampleConstants(lumaConstants, width);
  sampleConstants(chromaConstants, chromaWidth);
  for (let y = 0; y < height; y++) {
    const odd = (y & 1) == 1;
    if (!odd) {
      // Rows y and y + 1 of the field together, one in each f64x2 lane (the same runs).
      const rowAt = frame + <usize>(y * width);
      if (y + 1 < height) {
        prepareFieldRows(plan, y, aRow, bRow, guide, aRow2, bRow2, guide2);
        fieldRowPair(
          aRow, bRow, aRow2, bRow2, runStart, runWeight, gridWidth, leading, step,
          gbrp ? guide : rowAt, gbrp ? guide2 : rowAt + <usize>width, !gbrp, depthRow, depthRow2,
        );
      } else {
        prepareFieldRow(plan, y, aRow, bRow, guide);
        fieldRow(aRow, bRow, runStart, runWeight, gridWidth, leading, step, gbrp ? guide : rowAt, !gbrp, depthRow);
      }
    }
    const rowDepth = odd ? depthRow2 : depthRow;
    const depth = radius == 0 ? rowDepth : dilated;
    if (depthOut != 0) depthBytes(rowDepth, width, depthOut + <usize>(y * width));
    dilateAndShiftRow(rowDepth, width, radius, convergence, taper, unitTaper, padded, dilated, base);
    for (let eye = 0; eye < 2; eye++) {
      const k = slotF(plan, F_K + eye);
      const positions = <usize>slot(plan, P_POSITIONS + eye);
      if (k == 0) memory.copy(positions, identity, <usize>width << 2);
      else forwardWarpRow(base, k, depth, width, positions, warpScratch);
      if (!subsampled) {
        // Three full planes at the same positions: one gather of the indices for all three.
        sampleRowsLoaded(
          lumaConstants, 3, frame + <usize>(y * width), frame + <usize>(slot(plan, P_PLANE1) + y * width), frame + <usize>(slot(plan, P_PLANE2) + y * width),
          width, positions, width,
          sampleTarget(plan, mode, eye, 0, y, width), sampleTarget(plan, mode, eye, 1, y, width), sampleTarget(plan, mode, eye, 2, y, width),
        );
        for (let plane = 0; plane < 3; plane++) packPlane(plan, mode, eye, plane, y, width);
      } else {
        const lumaRow = frame + <usize>(y * width);
        const lumaTarget = sampleTarget(plan, mode, eye, 0, y, width);
        sampleRowsLoaded(lumaConstants, 1, lumaRow, lumaRow, lumaRow, width, positions, width, lumaTarget, lumaTarget, lumaTarget);
        packPlane(plan, mode, eye, 0, y, width);
        if ((y & 1) == 0) {
          halvePositions(positions, chromaWidth, halfPositions);
          const c = y >> 1;
          sampleRowsLoaded(
            chromaConstants, 2, frame + <usize>(slot(plan, P_PLANE1) + c * chromaWidth), frame + <usize>(slot(plan, P_PLANE2) + c * chromaWidth), 0,
            chromaWidth, halfPositions, chromaWidth,
            sampleTarget(plan, mode, eye, 1, c, chromaWidth), sampleTarget(plan, mode, eye, 2, c, chromaWidth), 0,
          );
          packPlane(plan, mode, eye, 1, c, chromaWidth);
          packPlane(plan, mode, eye, 2, c, chromaWidth);
        }
      }
    }
    if (mode == MODE_ANAGLYPH) {
      const out = <usize>slot(plan, P_OUT) + <usize>(y * width);
      const lg = <usize>slot(plan, P_SCRATCH);
      const lb = <usize>slot(plan, P_SCRATCH + 1);
      const lr = <usize>slot(plan, P_SCRATCH + 2);
      const rg = <usize>slot(plan, P_SCRATCH + 3);
      const rb = <usize>slot(plan, P_SCRATCH + 4);
      const rr = <usize>slot(plan, P_SCRATCH + 5);
      // Named for gbrp (G, B, R); yuv444p frames have Y, Cb, Cr in the same slots.
      const og = out;
      const ob = out + <usize>slot(plan, P_OUT_PLANE1);
      const or = out + <usize>slot(plan, P_OUT_PLANE2);
      if (yuvAnaglyph) anaglyphYuvRow(anaglyphYuvTable, lg, lb, lr, rg, rb, rr, width, og, ob, or);
      else if (fixedAnaglyph) anaglyphRowFixed(anaglyphTableAt, matrices, lg, lb, lr, rg, rb, rr, width, og, ob, or);
      else anaglyphRow(matrices, lg, lb, lr, rg, rb, rr, width, og, ob, or);
    }
  }
}

/**
 * Where one eye's row of one plane is sampled to (see StereoRenderer.pack): full modes sample
 * straight into the output, half modes and anaglyph into a scratch row (half-tb's even rows into
 * the pending row), which packPlane then packs.
 */
function sampleTarget(plan: usize, mode: i32, eye: i32, plane: i32, row: i32, srcWidth: i32): usize {
  const chroma = plane > 0;
  const planeHeight = chroma ? slot(plan, P_CHROMA_HEIGHT) : slot(plan, P_HEIGHT);
  const outWidth = chroma ? slot(plan, P_OUT_CHROMA_WIDTH) : slot(plan, P_OUT_WIDTH);
  const slotIndex = mode == MODE_CROSS_EYED ? 1 - eye : eye;
  if (mode == MODE_HALF_TB && (row & 1) == 0) return <usize>slot(plan, P_PENDING + 3 * eye + plane);
  if (mode == MODE_HALF_SBS || mode == MODE_HALF_TB || mode == MODE_ANAGLYPH) return <usize>slot(plan, P_SCRATCH + 3 * eye + plane);
  const outPlane = outputPlane(plan, plane);
  if (mode == MODE_TB) return outPlane + <usize>((slotIndex * planeHeight + row) * outWidth);
  return outPlane + <usize>(row * outWidth + slotIndex * srcWidth);
}

/** The half modes' pack of a row sampleTarget placed in scratch (the full modes are done). */
function packPlane(plan: usize, mode: i32, eye: i32, plane: i32, row: i32, srcWidth: i32): void {
  const chroma = plane > 0;
  const outWidth = chroma ? slot(plan, P_OUT_CHROMA_WIDTH) : slot(plan, P_OUT_WIDTH);
  const outHeight = chroma ? slot(plan, P_OUT_CHROMA_HEIGHT) : slot(plan, P_OUT_HEIGHT);
  const slotIndex = mode == MODE_CROSS_EYED ? 1 - eye : eye;
  const scratch = <usize>slot(plan, P_SCRATCH + 3 * eye + plane);
  if (mode == MODE_HALF_SBS) {
    const eyeWidth = outWidth >> 1;
    halveRow(scratch, outputPlane(plan, plane) + <usize>(row * outWidth + slotIndex * eyeWidth), eyeWidth);
  } else if (mode == MODE_HALF_TB && (row & 1) == 1) {
    const eyeHeight = outHeight >> 1;
    const outRow = row >> 1;
    if (outRow >= eyeHeight) return;
    const pending = <usize>slot(plan, P_PENDING + 3 * eye + plane);
    averageRows(pending, scratch, outputPlane(plan, plane) + <usize>((slotIndex * eyeHeight + outRow) * outWidth), srcWidth);
  }
}

// @ts-ignore: decorator
@inline
function outputPlane(plan: usize, plane: i32): usize {
  return <usize>slot(plan, P_OUT) + <usize>(plane == 0 ? 0 : slot(plan, plane == 1 ? P_OUT_PLANE1 : P_OUT_PLANE2));
}

/** half-tb's pack: out[i] = (a[i] + b[i] + 1) >> 1. */
function averageRows(a: usize, b: usize, out: usize, count: i32): void {
  let i = 0;
  for (; i + 16 <= count; i += 16) v128.store(out + <usize>i, i8x16.avgr_u(v128.load(a + <usize>i), v128.load(b + <usize>i)));
  for (; i < count; i++) store<u8>(out + <usize>i, (<i32>load<u8>(a + <usize>i) + <i32>load<u8>(b + <usize>i) + 1) >> 1);
}

/** See DepthFieldSampler.prepareRow: row y's coefficients per grid column and, for gbrp, its guide. */
function prepareFieldRow(plan: usize, y: i32, aRow: usize, bRow: usize, guide: usize): void {
  const gridWidth = slot(plan, P_GRID_WIDTH);
  const top = <f64>(slot(plan, P_GRID_HEIGHT) - 1);
  const gy = fieldGridY(plan, y, top);
  const j0 = fieldGridRow(gy, top);
  const j1 = j0 + 1 < top ? j0 + 1 : top;
  const fy = gy - j0;
  const a = <usize>slot(plan, P_FIELD_A);
  const b = <usize>slot(plan, P_FIELD_B);
  const r0 = <usize>(<i32>j0 * gridWidth) << 2;
  const r1 = <usize>(<i32>j1 * gridWidth) << 2;
  const yuv = slot(plan, P_FORMAT) != 2;
  const guideScale: f64 = yuv ? 1.0 / 255.0 : 1;
  const fyLanes = f64x2.splat(fy);
  const scaleLanes = f64x2.splat(guideScale);
  let g = 0;
  for (; g + 2 <= gridWidth; g += 2) {
    const at = <usize>g << 2;
    const a0 = f64x2.promote_low_f32x4(v128.load64_zero(a + r0 + at));
    const a1 = f64x2.promote_low_f32x4(v128.load64_zero(a + r1 + at));
    const b0 = f64x2.promote_low_f32x4(v128.load64_zero(b + r0 + at));
    const b1 = f64x2.promote_low_f32x4(v128.load64_zero(b + r1 + at));
    v128.store64_lane(aRow + at, f32x4.demote_f64x2_zero(f64x2.mul(f64x2.add(a0, f64x2.mul(fyLanes, f64x2.sub(a1, a0))), scaleLanes)), 0);
    v128.store64_lane(bRow + at, f32x4.demote_f64x2_zero(f64x2.add(b0, f64x2.mul(fyLanes, f64x2.sub(b1, b0)))), 0);
  }
  for (; g < gridWidth; g++) fieldCoefficientsAt(a, b, r0, r1, g, fy, guideScale, aRow, bRow);
  fieldRowEnd(plan, y, gridWidth, yuv, aRow, bRow, guide);
}

/**
 * prepareFieldRow for rows y and y + 1 (into aRow2, bRow2, guide2), with the plan's field and
 * frame. When both lie between the same two grid rows, as they mostly do, one pass: the grid
 * rows' loads and differences are shared, and each row takes its own steps from them,
 * prepareFieldRow's f64 operations. (Exported for its golden test.)
 */
export function prepareFieldRows(plan: usize, y: i32, aRow: usize, bRow: usize, guide: usize, aRow2: usize, bRow2: usize, guide2: usize): void {
  const top = <f64>(slot(plan, P_GRID_HEIGHT) - 1);
  const gy = fieldGridY(plan, y, top);
  const gy2 = fieldGridY(plan, y + 1, top);
  const j0 = fieldGridRow(gy, top);
  if (fieldGridRow(gy2, top) != j0) {
    prepareFieldRow(plan, y, aRow, bRow, guide);
    prepareFieldRow(plan, y + 1, aRow2, bRow2, guide2);
    return;
  }
  const gridWidth = slot(plan, P_GRID_WIDTH);
  const j1 = j0 + 1 < top ? j0 + 1 : top;
  const fy = gy - j0;
  const fy2 = gy2 - j0;
  const a = <usize>slot(plan, P_FIELD_A);
  const b = <usize>slot(plan, P_FIELD_B);
  const r0 = <usize>(<i32>j0 * gridWidth) << 2;
  const r1 = <usize>(<i32>j1 * gridWidth) << 2;
  const yuv = slot(plan, P_FORMAT) != 2;
  const guideScale: f64 = yuv ? 1.0 / 255.0 : 1;
  const fyLanes = f64x2.splat(fy);
  const fyLanes2 = f64x2.splat(fy2);
  const scaleLanes = f64x2.splat(guideScale);
  let g = 0;
  for (; g + 2 <= gridWidth; g += 2) {
    const at = <usize>g << 2;
    const a0 = f64x2.promote_low_f32x4(v128.load64_zero(a + r0 + at));
    const b0 = f64x2.promote_low_f32x4(v128.load64_zero(b + r0 + at));
    const da = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(a + r1 + at)), a0);
    const db = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(b + r1 + at)), b0);
    v128.store64_lane(aRow + at, f32x4.demote_f64x2_zero(f64x2.mul(f64x2.add(a0, f64x2.mul(fyLanes, da)), scaleLanes)), 0);
    v128.store64_lane(bRow + at, f32x4.demote_f64x2_zero(f64x2.add(b0, f64x2.mul(fyLanes, db))), 0);
    v128.store64_lane(aRow2 + at, f32x4.demote_f64x2_zero(f64x2.mul(f64x2.add(a0, f64x2.mul(fyLanes2, da)), scaleLanes)), 0);
    v128.store64_lane(bRow2 + at, f32x4.demote_f64x2_zero(f64x2.add(b0, f64x2.mul(fyLanes2, db))), 0);
  }
  for (; g < gridWidth; g++) {
    fieldCoefficientsAt(a, b, r0, r1, g, fy, guideScale, aRow, bRow);
    fieldCoefficientsAt(a, b, r0, r1, g, fy2, guideScale, aRow2, bRow2);
  }
  fieldRowEnd(plan, y, gridWidth, yuv, aRow, bRow, guide);
  fieldRowEnd(plan, y + 1, gridWidth, yuv, aRow2, bRow2, guide2);
}

/** Row y's position on the grid's rows, clamped to [0, top] (see DepthFieldSampler.prepareRow). */
// @ts-ignore: decorator
@inline
function fieldGridY(plan: usize, y: i32, top: f64): f64 {
  const gy: f64 = (<f64>y + 0.5) / slotF(plan, F_CELL_HEIGHT) - 0.5;
  return gy < 0 ? 0 : gy > top ? top : gy;
}

/** The grid row at or above gy (j0 of prepareFieldRow). */
// @ts-ignore: decorator
@inline
function fieldGridRow(gy: f64, top: f64): f64 {
  const floored = Math.floor(gy);
  return floored < top ? floored : top;
}

/** One grid column's coefficients of a row (prepareFieldRow's scalar step). */
// @ts-ignore: decorator
@inline
function fieldCoefficientsAt(a: usize, b: usize, r0: usize, r1: usize, g: i32, fy: f64, guideScale: f64, aRow: usize, bRow: usize): void {
  const at = <usize>g << 2;
  const a0 = <f64>load<f32>(a + r0 + at);
  const b0 = <f64>load<f32>(b + r0 + at);
  store<f32>(aRow + at, <f32>((a0 + fy * (<f64>load<f32>(a + r1 + at) - a0)) * guideScale));
  store<f32>(bRow + at, <f32>(b0 + fy * (<f64>load<f32>(b + r1 + at) - b0)));
}

/** A prepared row's spare last entry (the last column repeated) and, for gbrp, its guide. */
function fieldRowEnd(plan: usize, y: i32, gridWidth: i32, yuv: bool, aRow: usize, bRow: usize, guide: usize): void {
  const lastAt = <usize>gridWidth << 2;
  store<f32>(aRow + lastAt, load<f32>(aRow + lastAt - 4));
  store<f32>(bRow + lastAt, load<f32>(bRow + lastAt - 4));
  if (!yuv) {
    const width = slot(plan, P_WIDTH);
    const n = <usize>(width * slot(plan, P_HEIGHT));
    guideRowGbrp(<usize>slot(plan, P_FRAME) + <usize>(y * width), n, width, guide);
  }
}

/** See guideRow in src/depth/field.ts (gbrp): (2G + B + R) · (1/1020) in f64, stored as f32. */
function guideRowGbrp(row: usize, n: usize, width: i32, out: usize): void {
  const scale = f64x2.splat(1.0 / 1020.0);
  let x = 0;
  for (; x + 4 <= width; x += 4) {
    const at = <usize>x;
    const g = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(row + at)));
    const b = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(row + n + at)));
    const r = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(row + 2 * n + at)));
    const sum = i32x4.add(i32x4.add(i32x4.shl(g, 1), b), r);
    const low = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.convert_low_i32x4_s(sum), scale));
    const high = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.convert_low_i32x4_s(v128.shuffle<i32>(sum, sum, 2, 3, 0, 1)), scale));
    v128.store(out + (<usize>x << 2), v128.shuffle<i32>(low, high, 0, 1, 4, 5));
  }
  for (; x < width; x++) {
    const at = <usize>x;
    const sum = 2 * <i32>load<u8>(row + at) + <i32>load<u8>(row + n + at) + <i32>load<u8>(row + 2 * n + at);
    store<f32>(out + (<usize>x << 2), <f32>(<f64>sum * (1.0 / 1020.0)));
  }
}

/**
 * The renderer's depth output: (depth · 255 + 0.5) | 0 per pixel, in f64; four a step, where
 * the truncation of the positive sum is its floor.
 */
function depthBytes(depth: usize, width: i32, out: usize): void {
  const scale = f64x2.splat(255);
  const half = f64x2.splat(0.5);
  const magic = f64x2.splat(WHOLE);
  let x = 0;
  for (; x + 4 <= width; x += 4) {
    const d = v128.load(depth + (<usize>x << 2));
    const low = f64x2.floor(f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(d), scale), half));
    const high = f64x2.floor(f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<i32>(d, d, 2, 3, 2, 3)), scale), half));
    const whole = wholeLanes4(low, high, magic);
    const words = i16x8.narrow_i32x4_s(whole, whole);
    v128.store32_lane(out + <usize>x, i8x16.narrow_i16x8_u(words, words), 0);
  }
  for (; x < width; x++) {
    store<u8>(out + <usize>x, <i32>(<f64>load<f32>(depth + (<usize>x << 2)) * 255 + 0.5));
  }
}

/** halfPositions[j] = min(lumaPositions[2j] >> 1, max) (see sampleChromaRow). */
function halvePositions(lumaPositions: usize, chromaWidth: i32, halfPositions: usize): void {
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
}

// ---------------------------------------------------------------------------------------------
// The analysis grid (reduceToGrid in src/depth/grid.ts). Integer sums per cell are exact in any
// order, so they run sixteen (luma) or eight (gbrp) columns a step: each row is added into
// per-column 16-bit sums, and a cell's columns are summed once per row of cells. The caller
// keeps the rows per cell small enough for 16-bit sums (RowsPerCellFor16Bits in grid.ts) and
// 16 readable bytes before the frame and after it. The means are the TypeScript's f64 formulas.

/**
 * See reduceYuv (luma and detail): `columns` holds 2 × (width + 16) u16 sums. Per row of cells and
 * sixteen columns at a time, the cell's rows are added in registers, then stored once.
 */
export function reduceLumaGrid(
  frame: usize, width: i32, gridWidth: i32, gridHeight: i32, cellWidth: i32, cellHeight: i32, rowStep: i32,
  columns: usize, norm: f64, luma: usize, detail: usize,
): void {
  const used = gridWidth * cellWidth;
  const blocks = (used + 15) & ~15;
  const sums = columns;
  const changes = columns + (<usize>(width + 16) << 1);
  const rowBytes = <usize>(rowStep * width);
  for (let gy = 0; gy < gridHeight; gy++) {
    const top = gy * cellHeight;
    const first = ((top + rowStep - 1) / rowStep) * rowStep;
    const firstRow = frame + <usize>(first * width);
    const rowCount = (top + cellHeight - first + rowStep - 1) / rowStep;
    for (let x = 0; x < blocks; x += 16) {
      let sumLow = i16x8.splat(0);
      let sumHigh = i16x8.splat(0);
      let changeLow = i16x8.splat(0);
      let changeHigh = i16x8.splat(0);
      let at = firstRow + <usize>x;
      for (let k = 0; k < rowCount; k++, at += rowBytes) {
        const v = v128.load(at);
        const previous = v128.load(at - 1);
        const change = v128.or(i8x16.sub_sat_u(v, previous), i8x16.sub_sat_u(previous, v));
        sumLow = i16x8.add(sumLow, i16x8.extend_low_i8x16_u(v));
        sumHigh = i16x8.add(sumHigh, i16x8.extend_high_i8x16_u(v));
        changeLow = i16x8.add(changeLow, i16x8.extend_low_i8x16_u(change));
        changeHigh = i16x8.add(changeHigh, i16x8.extend_high_i8x16_u(change));
      }
      const s = sums + (<usize>x << 1);
      const c = changes + (<usize>x << 1);
      v128.store(s, sumLow);
      v128.store(s, sumHigh, 16);
      v128.store(c, changeLow);
      v128.store(c, changeHigh, 16);
    }
    // Column 0's left neighbour is itself (the TypeScript starts `previous` there): no change.
    store<u16>(changes, 0);
    sumCells(sums, changes, gy * gridWidth, gridWidth, cellWidth, norm, luma, detail, true);
  }
}

/**
 * reduceLumaGrid's luma alone (no detail): for the frames between depth estimates, which use the
 * grid's luma and chroma only. The same sums, so the same f32 means.
 */
export function reduceLumaOnly(
  frame: usize, width: i32, gridWidth: i32, gridHeight: i32, cellWidth: i32, cellHeight: i32, rowStep: i32,
  columns: usize, norm: f64, luma: usize,
): void {
  const used = gridWidth * cellWidth;
  const blocks = (used + 15) & ~15;
  const sums = columns;
  const rowBytes = <usize>(rowStep * width);
  for (let gy = 0; gy < gridHeight; gy++) {
    const top = gy * cellHeight;
    const first = ((top + rowStep - 1) / rowStep) * rowStep;
    const firstRow = frame + <usize>(first * width);
    const rowCount = (top + cellHeight - first + rowStep - 1) / rowStep;
    for (let x = 0; x < blocks; x += 16) {
      let sumLow = i16x8.splat(0);
      let sumHigh = i16x8.splat(0);
      let at = firstRow + <usize>x;
      for (let k = 0; k < rowCount; k++, at += rowBytes) {
        const v = v128.load(at);
        sumLow = i16x8.add(sumLow, i16x8.extend_low_i8x16_u(v));
        sumHigh = i16x8.add(sumHigh, i16x8.extend_high_i8x16_u(v));
      }
      const s = sums + (<usize>x << 1);
      v128.store(s, sumLow);
      v128.store(s, sumHigh, 16);
    }
    sumCells(sums, sums, gy * gridWidth, gridWidth, cellWidth, norm, luma, luma, false);
  }
}

/**
 * Per cell of a row of cells: the sum of its columns' sums, times `norm`, as f32 (and the same of
 * the changes `withChanges`).
 */
function sumCells(
  sums: usize, changes: usize, firstCell: i32, gridWidth: i32, cellWidth: i32, norm: f64, means: usize, changeMeans: usize, withChanges: bool,
): void {
  let x = 0;
  let gx = 0;
  if (cellWidth == 3) {
    // Four cells (twelve columns) a step: the columns regrouped by their place in the cell, the
    // three groups added (the same integer sums), the means four at a time.
    const norms = f64x2.splat(norm);
    for (; gx + 4 <= gridWidth; gx += 4, x += 12) {
      const cell = <usize>(firstCell + gx) << 2;
      v128.store(means + cell, cellMeans3(sums + (<usize>x << 1), norms));
      if (withChanges) v128.store(changeMeans + cell, cellMeans3(changes + (<usize>x << 1), norms));
    }
  }
  for (; gx < gridWidth; gx++) {
    let total = 0;
    let change = 0;
    for (let i = 0; i < cellWidth; i++, x++) {
      total += <i32>load<u16>(sums + (<usize>x << 1));
      if (withChanges) change += <i32>load<u16>(changes + (<usize>x << 1));
    }
    const cell = <usize>(firstCell + gx) << 2;
    store<f32>(means + cell, <f32>(<f64>total * norm));
    if (withChanges) store<f32>(changeMeans + cell, <f32>(<f64>change * norm));
  }
}

/** The f32 means (sum · norm) of four cells of three u16 column sums each, from `columns`. */
// @ts-ignore: decorator
@inline
function cellMeans3(columns: usize, norms: v128): v128 {
  const low = v128.load(columns);
  const high = v128.load(columns, 16);
  const first = i8x16.shuffle(low, high, 0, 1, 6, 7, 12, 13, 18, 19, 0, 1, 0, 1, 0, 1, 0, 1);
  const second = i8x16.shuffle(low, high, 2, 3, 8, 9, 14, 15, 20, 21, 0, 1, 0, 1, 0, 1, 0, 1);
  const third = i8x16.shuffle(low, high, 4, 5, 10, 11, 16, 17, 22, 23, 0, 1, 0, 1, 0, 1, 0, 1);
  const total = i32x4.add(i32x4.add(i32x4.extend_low_i16x8_u(first), i32x4.extend_low_i16x8_u(second)), i32x4.extend_low_i16x8_u(third));
  const meansLow = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.convert_low_i32x4_s(total), norms));
  const meansHigh = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.convert_low_i32x4_s(i32x4.shuffle(total, total, 2, 3, 0, 1)), norms));
  return i32x4.shuffle(meansLow, meansHigh, 0, 1, 4, 5);
}

/** See reduceGbrp: `columns` holds 4 × (width + 16) u16 sums (G, B, R, detail of 2G + B + R). */
export function reduceGbrpGrid(
  frame: usize, width: i32, height: i32, gridWidth: i32, gridHeight: i32, cellWidth: i32, cellHeight: i32, rowStep: i32,
  columns: usize, norm: f64, luma: usize, cb: usize, cr: usize, detail: usize,
): void {
  const n = <usize>(width * height);
  const used = gridWidth * cellWidth;
  const blocks = (used + 7) & ~7;
  const stride = <usize>(width + 16) << 1;
  const sumG = columns;
  const sumB = sumG + stride;
  const sumR = sumB + stride;
  const changes = sumR + stride;
  for (let gy = 0; gy < gridHeight; gy++) {
    memory.fill(columns, 0, stride << 2);
    const top = gy * cellHeight;
    for (let y = ((top + rowStep - 1) / rowStep) * rowStep; y < top + cellHeight; y += rowStep) {
      const row = frame + <usize>(y * width);
      for (let x = 0; x < blocks; x += 8) {
        const at = row + <usize>x;
        const g = v128.load8x8_u(at);
        const b = v128.load8x8_u(at + n);
        const r = v128.load8x8_u(at + 2 * n);
        const guide = i16x8.add(i16x8.add(i16x8.shl(g, 1), b), r);
        const previous = i16x8.add(i16x8.add(i16x8.shl(v128.load8x8_u(at - 1), 1), v128.load8x8_u(at + n - 1)), v128.load8x8_u(at + 2 * n - 1));
        const change = i16x8.abs(i16x8.sub(guide, previous));
        const column = <usize>x << 1;
        v128.store(sumG + column, i16x8.add(v128.load(sumG + column), g));
        v128.store(sumB + column, i16x8.add(v128.load(sumB + column), b));
        v128.store(sumR + column, i16x8.add(v128.load(sumR + column), r));
        v128.store(changes + column, i16x8.add(v128.load(changes + column), change));
      }
      const first = 2 * <i32>load<u8>(row) + <i32>load<u8>(row + n) + <i32>load<u8>(row + 2 * n);
      const before = 2 * <i32>load<u8>(row - 1) + <i32>load<u8>(row + n - 1) + <i32>load<u8>(row + 2 * n - 1);
      store<u16>(changes, <i32>load<u16>(changes) - (first > before ? first - before : before - first));
    }
    let x = 0;
    const quarter = norm / 4;
    for (let gx = 0; gx < gridWidth; gx++) {
      let sg = 0;
      let sb = 0;
      let sr = 0;
      let change = 0;
      for (let i = 0; i < cellWidth; i++, x++) {
        const column = <usize>x << 1;
        sg += <i32>load<u16>(sumG + column);
        sb += <i32>load<u16>(sumB + column);
        sr += <i32>load<u16>(sumR + column);
        change += <i32>load<u16>(changes + column);
      }
      const cell = <usize>(gy * gridWidth + gx) << 2;
      const gm = <f64>sg * norm;
      const bm = <f64>sb * norm;
      const rm = <f64>sr * norm;
      // f64 locals first: inside <f32>(…) AssemblyScript would type a leading literal as f32.
      const lumaMean: f64 = (2 * gm + bm + rm) / 4;
      const y601: f64 = 0.299 * rm + 0.587 * gm + 0.114 * bm;
      const cbMean: f64 = 0.564 * (bm - y601);
      const crMean: f64 = 0.713 * (rm - y601);
      store<f32>(luma + cell, <f32>lumaMean);
      store<f32>(cb + cell, <f32>cbMean);
      store<f32>(cr + cell, <f32>crMean);
      store<f32>(detail + cell, <f32>(<f64>change * quarter));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The depth estimate's filters (src/depth/filters.ts): box means and the guided filter on the
// analysis grid's f32 cells. The TypeScript computes in f64 and rounds to f32 on every store to a
// Float32Array; these do the same f64 operations in the same order, with f32 stores in the same
// places (the column sums are an f64 array there, so they stay f64 here).

/** 1 / (cells in the window) per position along an axis, as f32 (reciprocalCounts). */
function reciprocalCounts(out: usize, length: i32, r: i32): void {
  for (let i = 0; i < length; i++) {
    const hi = i + r < length - 1 ? i + r : length - 1;
    const lo = i - r > 0 ? i - r : 0;
    const reciprocal: f64 = 1.0 / <f64>(hi - lo + 1);
    store<f32>(out + (<usize>i << 2), <f32>reciprocal);
  }
}

/**
 * boxMean of src/depth/filters.ts: the horizontal running sums row by row (sequential, f64),
 * then the vertical ones, one f64 sum per column, two columns per f64x2 (the columns are
 * independent, each lane the TypeScript's steps). `scratch`: 12·width + 4·height bytes.
 */
export function boxMeanGrid(src: usize, width: i32, height: i32, r: i32, out: usize, tmp: usize, scratch: usize): void {
  const rx = r < width - 1 ? r : width - 1;
  const ry = r < height - 1 ? r : height - 1;
  const columns = scratch;
  const reciprocalX = columns + (<usize>width << 3);
  const reciprocalY = reciprocalX + (<usize>width << 2);
  reciprocalCounts(reciprocalX, width, rx);
  reciprocalCounts(reciprocalY, height, ry);
  // Four rows at a time: four independent running sums (each the TypeScript's sequence) overlap
  // in the pipeline, where one alone waits on its adds.
  const rowBytes = <usize>width << 2;
  let firstSingle = 0;
  for (let y = 0; y + 4 <= height; y += 4) {
    const row0 = src + (<usize>(y * width) << 2);
    const tmpRow0 = tmp + (<usize>(y * width) << 2);
    let sum0: f64 = 0;
    let sum1: f64 = 0;
    let sum2: f64 = 0;
    let sum3: f64 = 0;
    for (let x = 0; x <= rx; x++) {
      const at = row0 + (<usize>x << 2);
      sum0 += <f64>load<f32>(at);
      sum1 += <f64>load<f32>(at + rowBytes);
      sum2 += <f64>load<f32>(at + 2 * rowBytes);
      sum3 += <f64>load<f32>(at + 3 * rowBytes);
    }
    // Where the window both gains and loses a cell (rx ≤ x < width − rx − 1), without the tests.
    const middleEnd = width - rx - 1;
    let x = 0;
    for (; x < width; x++) {
      if (x == rx && x < middleEnd) {
        // The four sums as two f64x2 (rows 0 and 1, rows 2 and 3): each lane its row's steps.
        let sums01 = f64x2.replace_lane(f64x2.splat(sum0), 1, sum1);
        let sums23 = f64x2.replace_lane(f64x2.splat(sum2), 1, sum3);
        for (; x < middleEnd; x++) {
          const k = f64x2.splat(<f64>load<f32>(reciprocalX + (<usize>x << 2)));
          const out0 = tmpRow0 + (<usize>x << 2);
          const means01 = f32x4.demote_f64x2_zero(f64x2.mul(sums01, k));
          const means23 = f32x4.demote_f64x2_zero(f64x2.mul(sums23, k));
          v128.store32_lane(out0, means01, 0);
          v128.store32_lane(out0 + rowBytes, means01, 1);
          v128.store32_lane(out0 + 2 * rowBytes, means23, 0);
          v128.store32_lane(out0 + 3 * rowBytes, means23, 1);
          const add = row0 + (<usize>(x + rx + 1) << 2);
          const remove = row0 + (<usize>(x - rx) << 2);
          sums01 = f64x2.add(sums01, f64x2.promote_low_f32x4(v128.load32_lane(add + rowBytes, v128.load32_zero(add), 1)));
          sums23 = f64x2.add(sums23, f64x2.promote_low_f32x4(v128.load32_lane(add + 3 * rowBytes, v128.load32_zero(add + 2 * rowBytes), 1)));
          sums01 = f64x2.sub(sums01, f64x2.promote_low_f32x4(v128.load32_lane(remove + rowBytes, v128.load32_zero(remove), 1)));
          sums23 = f64x2.sub(sums23, f64x2.promote_low_f32x4(v128.load32_lane(remove + 3 * rowBytes, v128.load32_zero(remove + 2 * rowBytes), 1)));
        }
        sum0 = f64x2.extract_lane(sums01, 0);
        sum1 = f64x2.extract_lane(sums01, 1);
        sum2 = f64x2.extract_lane(sums23, 0);
        sum3 = f64x2.extract_lane(sums23, 1);
        if (x >= width) break;
      }
      const k = <f64>load<f32>(reciprocalX + (<usize>x << 2));
      const out0 = tmpRow0 + (<usize>x << 2);
      store<f32>(out0, <f32>(sum0 * k));
      store<f32>(out0 + rowBytes, <f32>(sum1 * k));
      store<f32>(out0 + 2 * rowBytes, <f32>(sum2 * k));
      store<f32>(out0 + 3 * rowBytes, <f32>(sum3 * k));
      const hi = x + rx + 1;
      const lo = x - rx;
      if (hi < width) {
        const at = row0 + (<usize>hi << 2);
        sum0 += <f64>load<f32>(at);
        sum1 += <f64>load<f32>(at + rowBytes);
        sum2 += <f64>load<f32>(at + 2 * rowBytes);
        sum3 += <f64>load<f32>(at + 3 * rowBytes);
      }
      if (lo >= 0) {
        const at = row0 + (<usize>lo << 2);
        sum0 -= <f64>load<f32>(at);
        sum1 -= <f64>load<f32>(at + rowBytes);
        sum2 -= <f64>load<f32>(at + 2 * rowBytes);
        sum3 -= <f64>load<f32>(at + 3 * rowBytes);
      }
    }
    firstSingle = y + 4;
  }
  for (let y = firstSingle; y < height; y++) {
    const row = src + (<usize>(y * width) << 2);
    const tmpRow = tmp + (<usize>(y * width) << 2);
    let sum: f64 = 0;
    for (let x = 0; x <= rx; x++) sum += <f64>load<f32>(row + (<usize>x << 2));
    for (let x = 0; x < width; x++) {
      store<f32>(tmpRow + (<usize>x << 2), <f32>(sum * <f64>load<f32>(reciprocalX + (<usize>x << 2))));
      const hi = x + rx + 1;
      const lo = x - rx;
      if (hi < width) sum += <f64>load<f32>(row + (<usize>hi << 2));
      if (lo >= 0) sum -= <f64>load<f32>(row + (<usize>lo << 2));
    }
  }
  for (let x = 0; x < width; x++) store<f64>(columns + (<usize>x << 3), 0);
  for (let y = 0; y <= ry; y++) addRowToColumns(columns, tmp + (<usize>(y * width) << 2), width, 1);
  const pairs = width & ~1;
  for (let y = 0; y < height; y++) {
    const outRow = out + (<usize>(y * width) << 2);
    const k = <f64>load<f32>(reciprocalY + (<usize>y << 2));
    const add = y + ry + 1;
    const remove = y - ry;
    const addRow = tmp + (<usize>(add * width) << 2);
    const removeRow = tmp + (<usize>(remove * width) << 2);
    if (add < height && remove >= 0) {
      const kk = f64x2.splat(k);
      let x = 0;
      for (; x < pairs; x += 2) {
        const at = columns + (<usize>x << 3);
        const c = v128.load(at);
        v128.store64_lane(outRow + (<usize>x << 2), f32x4.demote_f64x2_zero(f64x2.mul(c, kk)), 0);
        const added = f64x2.promote_low_f32x4(v128.load64_zero(addRow + (<usize>x << 2)));
        const removed = f64x2.promote_low_f32x4(v128.load64_zero(removeRow + (<usize>x << 2)));
        v128.store(at, f64x2.sub(f64x2.add(c, added), removed));
      }
      for (; x < width; x++) {
        const at = columns + (<usize>x << 3);
        const c = load<f64>(at);
        store<f32>(outRow + (<usize>x << 2), <f32>(c * k));
        store<f64>(at, c + <f64>load<f32>(addRow + (<usize>x << 2)) - <f64>load<f32>(removeRow + (<usize>x << 2)));
      }
    } else {
      for (let x = 0; x < width; x++) store<f32>(outRow + (<usize>x << 2), <f32>(load<f64>(columns + (<usize>x << 3)) * k));
      if (add < height) addRowToColumns(columns, addRow, width, 1);
      if (remove >= 0) addRowToColumns(columns, removeRow, width, -1);
    }
  }
}

/** columns[x] += row[x] (sign 1) or −= (sign −1), in f64. */
function addRowToColumns(columns: usize, row: usize, width: i32, sign: i32): void {
  for (let x = 0; x < width; x++) {
    const at = columns + (<usize>x << 3);
    const v = <f64>load<f32>(row + (<usize>x << 2));
    store<f64>(at, sign > 0 ? load<f64>(at) + v : load<f64>(at) - v);
  }
}

/**
 * GuidedFilter.coefficients of src/depth/filters.ts: the box-averaged coefficients of the local
 * linear fit input ≈ a·guide + b into `a` and `b`. `work` holds five f32 grids (meanI, meanP,
 * corr, varI, product, in that order, `cells` apart), then tmp, then boxMeanGrid's scratch.
 */
export function guidedCoefficients(guide: usize, input: usize, width: i32, height: i32, r: i32, eps: f64, a: usize, b: usize, work: usize): void {
  const n = width * height;
  const cells = <usize>n << 2;
  const meanI = work;
  const meanP = meanI + cells;
  const corr = meanP + cells;
  const varI = corr + cells;
  const product = varI + cells;
  const tmp = product + cells;
  const scratch = tmp + cells;
  boxMeanGrid(guide, width, height, r, meanI, tmp, scratch);
  boxMeanGrid(input, width, height, r, meanP, tmp, scratch);
  // The per-cell steps two cells per f64x2 (each lane the TypeScript's f64 formula), the odd
  // last cell alone.
  const pairs = n & ~1;
  let i = 0;
  for (; i < pairs; i += 2) {
    const at = <usize>i << 2;
    const p = f64x2.mul(f32Pair(guide + at), f32Pair(input + at));
    v128.store64_lane(product + at, f32x4.demote_f64x2_zero(p), 0);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const p: f64 = <f64>load<f32>(guide + at) * <f64>load<f32>(input + at);
    store<f32>(product + at, <f32>p);
  }
  boxMeanGrid(product, width, height, r, corr, tmp, scratch);
  for (i = 0; i < pairs; i += 2) {
    const at = <usize>i << 2;
    const g = f32Pair(guide + at);
    v128.store64_lane(product + at, f32x4.demote_f64x2_zero(f64x2.mul(g, g)), 0);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const g = <f64>load<f32>(guide + at);
    const p: f64 = g * g;
    store<f32>(product + at, <f32>p);
  }
  boxMeanGrid(product, width, height, r, varI, tmp, scratch);
  const epsilon = f64x2.splat(eps);
  for (i = 0; i < pairs; i += 2) {
    const at = <usize>i << 2;
    const mi = f32Pair(meanI + at);
    const mp = f32Pair(meanP + at);
    const ai = f64x2.div(
      f64x2.sub(f32Pair(corr + at), f64x2.mul(mi, mp)),
      f64x2.add(f64x2.sub(f32Pair(varI + at), f64x2.mul(mi, mi)), epsilon),
    );
    v128.store64_lane(product + at, f32x4.demote_f64x2_zero(ai), 0);
    v128.store64_lane(corr + at, f32x4.demote_f64x2_zero(f64x2.sub(mp, f64x2.mul(ai, mi))), 0);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const mi = <f64>load<f32>(meanI + at);
    const mp = <f64>load<f32>(meanP + at);
    const ai: f64 = (<f64>load<f32>(corr + at) - mi * mp) / (<f64>load<f32>(varI + at) - mi * mi + eps);
    store<f32>(product + at, <f32>ai);
    const bi: f64 = mp - ai * mi;
    store<f32>(corr + at, <f32>bi);
  }
  boxMeanGrid(product, width, height, r, a, tmp, scratch);
  boxMeanGrid(corr, width, height, r, b, tmp, scratch);
}

/** Two neighbouring f32 cells as f64x2. */
// @ts-ignore: decorator
@inline
function f32Pair(at: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(at));
}

/** GuidedFilter.filter: the coefficients, then out = a·guide + b. */
export function guidedFilter(guide: usize, input: usize, width: i32, height: i32, r: i32, eps: f64, out: usize, a: usize, b: usize, work: usize): void {
  guidedCoefficients(guide, input, width, height, r, eps, a, b, work);
  const n = width * height;
  const pairs = n & ~1;
  let i = 0;
  for (; i < pairs; i += 2) {
    const at = <usize>i << 2;
    const v = f64x2.add(f64x2.mul(f32Pair(a + at), f32Pair(guide + at)), f32Pair(b + at));
    v128.store64_lane(out + at, f32x4.demote_f64x2_zero(v), 0);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const v: f64 = <f64>load<f32>(a + at) * <f64>load<f32>(guide + at) + <f64>load<f32>(b + at);
    store<f32>(out + at, <f32>v);
  }
}

// ---------------------------------------------------------------------------------------------
// The figure cue (src/depth/figure.ts, FigureGround): one colour channel's minimum barrier
// distance to the border seeds on the coarse grid.

/**
 * shrink (2×2 block means of `channel`, `width` wide, into `coarse`, hw × hh), the barrier
 * passes of FigureGround.barrier on it (the same raster order, the same f64 cost and f32 stores),
 * then total += distance. `distance`, `upper`, `lower` and `offset` are its scratch grids.
 */
export function figureBarrier(
  channel: usize, width: i32, hw: i32, hh: i32, coarse: usize, seed: usize,
  distance: usize, upper: usize, lower: usize, offset: usize, total: usize,
): void {
  const n = hw * hh;
  for (let y = 0; y < hh; y++) {
    for (let x = 0; x < hw; x++) {
      let sum: f64 = 0;
      for (let j = 0; j < 2; j++) {
        const row = channel + (<usize>((y * 2 + j) * width + x * 2) << 2);
        sum += <f64>load<f32>(row);
        sum += <f64>load<f32>(row, 4);
      }
      store<f32>(coarse + (<usize>(y * hw + x) << 2), <f32>(sum * 0.25));
    }
  }
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    const s = load<f32>(seed + at);
    const v = load<f32>(coarse + at);
    store<f32>(distance + at, s);
    store<f32>(offset + at, s);
    store<f32>(upper + at, v);
    store<f32>(lower + at, v);
  }
  for (let pass = 0; pass < 4; pass++) {
    if (pass % 2 == 0) {
      for (let y = 0; y < hh; y++) {
        for (let x = 0; x < hw; x++) {
          const i = y * hw + x;
          const v = load<f32>(coarse + (<usize>i << 2));
          if (x > 0) relax(i, i - 1, v, distance, upper, lower, offset);
          if (y > 0) relax(i, i - hw, v, distance, upper, lower, offset);
        }
      }
    } else {
      for (let y = hh - 1; y >= 0; y--) {
        for (let x = hw - 1; x >= 0; x--) {
          const i = y * hw + x;
          const v = load<f32>(coarse + (<usize>i << 2));
          if (x < hw - 1) relax(i, i + 1, v, distance, upper, lower, offset);
          if (y < hh - 1) relax(i, i + hw, v, distance, upper, lower, offset);
        }
      }
    }
  }
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    let d = load<f32>(distance + at);
    if (d == Infinity) d = 0;
    store<f32>(distance + at, d);
    const t: f64 = <f64>load<f32>(total + at) + <f64>d;
    store<f32>(total + at, <f32>t);
  }
}

/** Cell i tries extending the best path of its neighbour j (FigureGround.barrier's step). */
// @ts-ignore: decorator
@inline
function relax(i: i32, j: i32, v: f32, distance: usize, upper: usize, lower: usize, offset: usize): void {
  const atJ = <usize>j << 2;
  const dj = load<f32>(distance + atJ);
  if (dj == Infinity) return;
  const uj = load<f32>(upper + atJ);
  const lj = load<f32>(lower + atJ);
  const hi = uj > v ? uj : v;
  const lo = lj < v ? lj : v;
  const oj = load<f32>(offset + atJ);
  const cost: f64 = <f64>oj + <f64>hi - <f64>lo;
  const atI = <usize>i << 2;
  if (cost < <f64>load<f32>(distance + atI)) {
    store<f32>(distance + atI, <f32>cost);
    store<f32>(upper + atI, hi);
    store<f32>(lower + atI, lo);
    store<f32>(offset + atI, oj);
  }
}

// ---------------------------------------------------------------------------------------------
// Depth cues (src/depth/cues.ts) on the analysis grid, with its f64 formulas and f32 stores.

/**
 * carryUp's vertical colour steps: each of luma, Cb, Cr box-smoothed (radius 1) into `smooth`,
 * then step[i] += |smooth[i] − smooth[i + width]| for the cells above the last row.
 */
export function carrySteps(luma: usize, cb: usize, cr: usize, width: i32, height: i32, step: usize, smooth: usize, tmp: usize, scratch: usize): void {
  const n = width * height;
  for (let i = 0; i < n; i++) store<f32>(step + (<usize>i << 2), 0);
  for (let c = 0; c < 3; c++) {
    const channel = c == 0 ? luma : c == 1 ? cb : cr;
    boxMeanGrid(channel, width, height, 1, smooth, tmp, scratch);
    const below = <usize>width << 2;
    for (let i = 0; i < n - width; i++) {
      const at = <usize>i << 2;
      const s: f64 = <f64>load<f32>(step + at) + abs<f64>(<f64>load<f32>(smooth + at) - <f64>load<f32>(smooth + at + below));
      store<f32>(step + at, <f32>s);
    }
  }
}

/**
 * carryUp's walk up each column, for all columns a row at a time (each column's f64 `carried`
 * kept in `carried`, width f64s): the same steps per column as the TypeScript's.
 */
export function carryColumns(prior: usize, step: usize, width: i32, height: i32, threshold: f64, decay: f64, out: usize, carried: usize): void {
  const bottom = <f64>load<f32>(prior + (<usize>(height - 1) << 2));
  const lastRow = out + (<usize>((height - 1) * width) << 2);
  for (let x = 0; x < width; x++) {
    store<f64>(carried + (<usize>x << 3), bottom);
    store<f32>(lastRow + (<usize>x << 2), <f32>bottom);
  }
  const thresholds = f64x2.splat(threshold);
  const decays = f64x2.splat(decay);
  const four = f64x2.splat(4.0);
  const zero = f64x2.splat(0.0);
  for (let y = height - 2; y >= 0; y--) {
    const p = <f64>load<f32>(prior + (<usize>y << 2));
    const ps = f64x2.splat(p);
    const row = <usize>(y * width) << 2;
    // Two columns per f64x2 (each lane one column's steps), the odd last one alone.
    let x = 0;
    for (; x + 2 <= width; x += 2) {
      const at = row + (<usize>x << 2);
      const excess = f64x2.sub(f32Pair(step + at), thresholds);
      const edge = v128.bitselect(f64x2.mul(four, excess), zero, f64x2.gt(excess, zero));
      let c = f64x2.sub(v128.load(carried + (<usize>x << 3)), f64x2.add(decays, edge));
      c = v128.bitselect(ps, c, f64x2.lt(c, ps));
      v128.store(carried + (<usize>x << 3), c);
      v128.store64_lane(out + at, f32x4.demote_f64x2_zero(c), 0);
    }
    for (; x < width; x++) {
      const at = row + (<usize>x << 2);
      const excess = <f64>load<f32>(step + at) - threshold;
      let c = load<f64>(carried + (<usize>x << 3));
      c -= decay + (excess > 0 ? 4.0 * excess : 0.0);
      if (c < p) c = p;
      store<f64>(carried + (<usize>x << 3), c);
      store<f32>(out + at, <f32>c);
    }
  }
}

// @ts-ignore: decorator
@inline
function chromaOf(cb: f64, cr: f64): f64 {
  return Math.sqrt(cb * cb + cr * cr);
}


/** chroma (√(Cb² + Cr²)) of two neighbouring cells, one per f64x2 lane. */
// @ts-ignore: decorator
@inline
function chromaPair(cb: usize, cr: usize): v128 {
  const u = f64x2.promote_low_f32x4(v128.load64_zero(cb));
  const v = f64x2.promote_low_f32x4(v128.load64_zero(cr));
  return f64x2.sqrt(f64x2.add(f64x2.mul(u, u), f64x2.mul(v, v)));
}

/**
 * minFilter of src/depth/filters.ts with radius 1 (3×3 window, shrunk at the borders). Inside
 * the borders four cells per f32x4: pmin(m, v) is `v < m ? v : m`, the TypeScript's step, taken
 * over the window in the same order from +∞.
 */
function minFilter3(src: usize, width: i32, height: i32, out: usize, tmp: usize): void {
  const infinity = f32x4.splat(Infinity);
  for (let y = 0; y < height; y++) {
    const row = <usize>(y * width) << 2;
    let x = 0;
    for (; x < 1 && x < width; x++) minRowCell(src + row, tmp + row, x, width);
    for (; x + 5 <= width; x += 4) {
      const at = src + row + (<usize>x << 2);
      const m = f32x4.pmin(f32x4.pmin(f32x4.pmin(infinity, v128.load(at - 4)), v128.load(at)), v128.load(at + 4));
      v128.store(tmp + row + (<usize>x << 2), m);
    }
    for (; x < width; x++) minRowCell(src + row, tmp + row, x, width);
  }
  for (let y = 0; y < height; y++) {
    const lo = y - 1 < 0 ? 0 : y - 1;
    const hi = y + 1 >= height ? height - 1 : y + 1;
    let x = 0;
    for (; x + 4 <= width; x += 4) {
      let m = infinity;
      for (let k = lo; k <= hi; k++) m = f32x4.pmin(m, v128.load(tmp + (<usize>(k * width + x) << 2)));
      v128.store(out + (<usize>(y * width + x) << 2), m);
    }
    for (; x < width; x++) {
      let m: f32 = Infinity;
      for (let k = lo; k <= hi; k++) {
        const v = load<f32>(tmp + (<usize>(k * width + x) << 2));
        if (v < m) m = v;
      }
      store<f32>(out + (<usize>(y * width + x) << 2), m);
    }
  }
}

/** One cell of minFilter3's horizontal pass (the borders). */
function minRowCell(srcRow: usize, tmpRow: usize, x: i32, width: i32): void {
  let m: f32 = Infinity;
  const lo = x - 1 < 0 ? 0 : x - 1;
  const hi = x + 1 >= width ? width - 1 : x + 1;
  for (let k = lo; k <= hi; k++) {
    const v = load<f32>(srcRow + (<usize>k << 2));
    if (v < m) m = v;
  }
  store<f32>(tmpRow + (<usize>x << 2), m);
}

/**
 * motionCue's block matching (src/depth/cues.ts): per block of 8×8 cells (bw × bh, raster
 * order), into `matches` (two i32 per block) the displacement (dx, dy) of its best match within
 * ±4 cells in `previous`, or dx = NO_MATCH where the block is textureless or its best match is
 * not clearly better than the average candidate. The same f64 sums in the same order.
 */
export function motionSearch(previous: usize, current: usize, gw: i32, gh: i32, bw: i32, bh: i32, matches: usize): void {
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      const x0 = bx * 8;
      const y0 = by * 8;
      const match = matches + (<usize>(by * bw + bx) << 3);
      store<i32>(match, NO_MATCH);
      store<i32>(match, 0, 4);
      let mean: f64 = 0;
      for (let j = 0; j < 8; j += 2) for (let i = 0; i < 8; i += 2) mean += <f64>load<f32>(current + (<usize>((y0 + j) * gw + x0 + i) << 2));
      mean /= 16;
      let texture: f64 = 0;
      for (let j = 0; j < 8; j += 2) {
        for (let i = 0; i < 8; i += 2) texture += abs<f64>(<f64>load<f32>(current + (<usize>((y0 + j) * gw + x0 + i) << 2)) - mean);
      }
      texture /= 16;
      if (texture < 0.01) continue;
      let best: f64 = Infinity;
      let bestDx = 0;
      let bestDy = 0;
      let total: f64 = 0;
      let tried = 0;
      const dxLo = -x0 > -4 ? -x0 : -4;
      const dxHi = gw - 8 - x0 < 4 ? gw - 8 - x0 : 4;
      for (let dy = -4; dy <= 4; dy++) {
        if (y0 + dy < 0 || y0 + dy + 8 > gh) continue;
        let dx = dxLo;
        // Four candidates (dx … dx + 3) a step, one per lane of two f64x2: each lane's SAD the
        // scalar's sum in its order; then the candidates are taken in order, as one by one.
        for (; dx + 3 <= dxHi; dx += 4) {
          let low = f64x2.splat(0);
          let high = f64x2.splat(0);
          for (let j = 0; j < 8; j += 2) {
            const rc = current + (<usize>((y0 + j) * gw + x0) << 2);
            const rp = previous + (<usize>((y0 + j + dy) * gw + x0 + dx) << 2);
            for (let i = 0; i < 8; i += 2) {
              const c = f64x2.splat(<f64>load<f32>(rc + (<usize>i << 2)));
              const p = v128.load(rp + (<usize>i << 2));
              low = f64x2.add(low, f64x2.abs(f64x2.sub(c, f64x2.promote_low_f32x4(p))));
              high = f64x2.add(high, f64x2.abs(f64x2.sub(c, f64x2.promote_low_f32x4(i32x4.shuffle(p, p, 2, 3, 0, 1)))));
            }
          }
          for (let k = 0; k < 4; k++) {
            const lanes = k < 2 ? low : high;
            let sad = (k & 1) == 0 ? f64x2.extract_lane(lanes, 0) : f64x2.extract_lane(lanes, 1);
            const penalty: f64 = 1e-4 * <f64>(abs<i32>(dx + k) + abs<i32>(dy));
            sad += penalty;
            total += sad;
            tried++;
            if (sad < best) {
              best = sad;
              bestDx = dx + k;
              bestDy = dy;
            }
          }
        }
        for (; dx <= dxHi; dx++) {
          let sad: f64 = 0;
          for (let j = 0; j < 8; j += 2) {
            const rc = current + (<usize>((y0 + j) * gw + x0) << 2);
            const rp = previous + (<usize>((y0 + j + dy) * gw + x0 + dx) << 2);
            for (let i = 0; i < 8; i += 2) sad += abs<f64>(<f64>load<f32>(rc + (<usize>i << 2)) - <f64>load<f32>(rp + (<usize>i << 2)));
          }
          const penalty: f64 = 1e-4 * <f64>(abs<i32>(dx) + abs<i32>(dy));
          sad += penalty;
          total += sad;
          tried++;
          if (sad < best) {
            best = sad;
            bestDx = dx;
            bestDy = dy;
          }
        }
      }
      if (tried == 0 || best > 0.6 * (total / <f64>tried)) continue;
      store<i32>(match, bestDx);
      store<i32>(match, bestDy, 4);
    }
  }
}

/** motionSearch's mark of a block without a match. */
const NO_MATCH: i32 = 127;

// ---------------------------------------------------------------------------------------------
// Histograms (percentiles in src/depth/filters.ts, histogramDistance in estimator.ts).

/** JavaScript's `x | 0` (ToInt32): truncation, then modulo 2^32 into the i32 range; NaN and ±∞ give 0. */
// @ts-ignore: decorator
@inline
function toInt32(x: f64): i32 {
  if (x > -2147483649.0 && x < 2147483648.0) return <i32>x;
  if (!isFinite<f64>(x)) return 0;
  return <i32><i64>(x % 4294967296.0);
}

/**
 * Adds `count` f32 values into `bins` u32 bins at `histogram` (not cleared here): bin
 * ((v − lo)·scale) | 0, clamped to the bins, as the TypeScript computes it. Four values a step
 * into four partial histograms in `scratch` (4·bins u32, cleared here), summed at the end: a run
 * of values in one bin (smooth depth) then is not one chain of read-modify-writes of a cell.
 */
export function histogramBins(values: usize, count: i32, lo: f64, scale: f64, bins: i32, histogram: usize, scratch: usize): void {
  const binBytes = <usize>bins << 2;
  memory.fill(scratch, 0, binBytes << 2);
  const quads = count & ~3;
  if (lo == 0 && scale >= 1 && scale <= 1048576 && (reinterpret<u64>(scale) & 0x000FFFFFFFFFFFFF) == 0) {
    binsScaledByPowerOfTwo(values, count, <f32>scale, bins, scratch);
    addPartialHistograms(histogram, scratch, bins);
    return;
  }
  const los = f64x2.splat(lo);
  const scales = f64x2.splat(scale);
  const below = f64x2.splat(-2147483649.0);
  const above = f64x2.splat(2147483648.0);
  const first = i32x4.splat(0);
  const last = i32x4.splat(bins - 1);
  let i = 0;
  for (; i < quads; i += 4) {
    const at = values + (<usize>i << 2);
    // Four bins at once where all four positions truncate in range (toInt32 is then a plain
    // truncation); else one by one.
    const v = v128.load(at);
    const low = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(v), los), scales);
    const high = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)), los), scales);
    const inRange = v128.and(
      v128.and(f64x2.gt(low, below), f64x2.lt(low, above)),
      v128.and(f64x2.gt(high, below), f64x2.lt(high, above)),
    );
    if (i64x2.all_true(inRange)) {
      const k = i32x4.min_s(i32x4.max_s(i32x4.shuffle(i32x4.trunc_sat_f64x2_s_zero(low), i32x4.trunc_sat_f64x2_s_zero(high), 0, 1, 4, 5), first), last);
      countBin(scratch, i32x4.extract_lane(k, 0));
      countBin(scratch + binBytes, i32x4.extract_lane(k, 1));
      countBin(scratch + 2 * binBytes, i32x4.extract_lane(k, 2));
      countBin(scratch + 3 * binBytes, i32x4.extract_lane(k, 3));
      continue;
    }
    countBin(scratch, toBin(load<f32>(at), lo, scale, bins));
    countBin(scratch + binBytes, toBin(load<f32>(at, 4), lo, scale, bins));
    countBin(scratch + 2 * binBytes, toBin(load<f32>(at, 8), lo, scale, bins));
    countBin(scratch + 3 * binBytes, toBin(load<f32>(at, 12), lo, scale, bins));
  }
  for (; i < count; i++) countBin(scratch, toBin(load<f32>(values + (<usize>i << 2)), lo, scale, bins));
  addPartialHistograms(histogram, scratch, bins);
}

/**
 * histogramBins' counting where lo is 0 and the scale a power of two (the cut detection's 32 bins,
 * the percentiles over [0, 1]): v·scale is then exact in f32 as in f64 wherever f32 does not
 * overflow, so four bins are found in f32 lanes where all four products lie within ±2^31 (else
 * one by one as in f64).
 */
function binsScaledByPowerOfTwo(values: usize, count: i32, scale: f32, bins: i32, scratch: usize): void {
  const binBytes = <usize>bins << 2;
  const quads = count & ~3;
  const scales = f32x4.splat(scale);
  const limit = f32x4.splat(2147483648.0);
  const first = i32x4.splat(0);
  const last = i32x4.splat(bins - 1);
  let i = 0;
  for (; i < quads; i += 4) {
    const at = values + (<usize>i << 2);
    const x = f32x4.mul(v128.load(at), scales);
    if (i32x4.all_true(f32x4.lt(f32x4.abs(x), limit))) {
      const k = i32x4.min_s(i32x4.max_s(i32x4.trunc_sat_f32x4_s(x), first), last);
      countBin(scratch, i32x4.extract_lane(k, 0));
      countBin(scratch + binBytes, i32x4.extract_lane(k, 1));
      countBin(scratch + 2 * binBytes, i32x4.extract_lane(k, 2));
      countBin(scratch + 3 * binBytes, i32x4.extract_lane(k, 3));
      continue;
    }
    countBin(scratch, toBin(load<f32>(at), 0, <f64>scale, bins));
    countBin(scratch + binBytes, toBin(load<f32>(at, 4), 0, <f64>scale, bins));
    countBin(scratch + 2 * binBytes, toBin(load<f32>(at, 8), 0, <f64>scale, bins));
    countBin(scratch + 3 * binBytes, toBin(load<f32>(at, 12), 0, <f64>scale, bins));
  }
  for (; i < count; i++) countBin(scratch, toBin(load<f32>(values + (<usize>i << 2)), 0, <f64>scale, bins));
}

/** histogram += the four partial histograms in `scratch` (bins u32 each). */
function addPartialHistograms(histogram: usize, scratch: usize, bins: i32): void {
  const binBytes = <usize>bins << 2;
  let k = 0;
  for (; k + 4 <= bins; k += 4) {
    const at = <usize>k << 2;
    const partial = i32x4.add(
      i32x4.add(v128.load(scratch + at), v128.load(scratch + binBytes + at)),
      i32x4.add(v128.load(scratch + 2 * binBytes + at), v128.load(scratch + 3 * binBytes + at)),
    );
    v128.store(histogram + at, i32x4.add(v128.load(histogram + at), partial));
  }
  for (; k < bins; k++) {
    const at = <usize>k << 2;
    const partial = load<u32>(scratch + at) + load<u32>(scratch + binBytes + at) + load<u32>(scratch + 2 * binBytes + at) + load<u32>(scratch + 3 * binBytes + at);
    store<u32>(histogram + at, load<u32>(histogram + at) + partial);
  }
}

/** histogramBins' bin of one value. */
// @ts-ignore: decorator
@inline
function toBin(value: f32, lo: f64, scale: f64, bins: i32): i32 {
  let k = toInt32((<f64>value - lo) * scale);
  if (k < 0) k = 0;
  else if (k >= bins) k = bins - 1;
  return k;
}

// @ts-ignore: decorator
@inline
function countBin(histogram: usize, k: i32): void {
  const at = histogram + (<usize>k << 2);
  store<u32>(at, load<u32>(at) + 1);
}

/**
 * gradientMagnitude (cues.ts): √(gx² + gy²) of the central differences, clamped at the borders;
 * inside the left and right borders two cells per f64x2 (each lane the same f64 steps).
 */
export function gradientGrid(luma: usize, width: i32, height: i32, out: usize): void {
  for (let y = 0; y < height; y++) {
    const row = luma + (<usize>(y * width) << 2);
    const up = luma + (<usize>((y > 0 ? y - 1 : 0) * width) << 2);
    const down = luma + (<usize>((y < height - 1 ? y + 1 : height - 1) * width) << 2);
    const outRow = out + (<usize>(y * width) << 2);
    let x = 0;
    for (; x < 1 && x < width; x++) gradientCell(row, up, down, outRow, x, width);
    for (; x + 3 <= width; x += 2) {
      const at = <usize>x << 2;
      const gx = f64x2.sub(f32Pair(row + at + 4), f32Pair(row + at - 4));
      const gy = f64x2.sub(f32Pair(down + at), f32Pair(up + at));
      const g = f64x2.sqrt(f64x2.add(f64x2.mul(gx, gx), f64x2.mul(gy, gy)));
      v128.store64_lane(outRow + at, f32x4.demote_f64x2_zero(g), 0);
    }
    for (; x < width; x++) gradientCell(row, up, down, outRow, x, width);
  }
}

function gradientCell(row: usize, up: usize, down: usize, outRow: usize, x: i32, width: i32): void {
  const left = x > 0 ? x - 1 : 0;
  const right = x < width - 1 ? x + 1 : width - 1;
  const gx = <f64>load<f32>(row + (<usize>right << 2)) - <f64>load<f32>(row + (<usize>left << 2));
  const gy = <f64>load<f32>(down + (<usize>x << 2)) - <f64>load<f32>(up + (<usize>x << 2));
  store<f32>(outRow + (<usize>x << 2), <f32>Math.sqrt(gx * gx + gy * gy));
}

/**
 * estimateHorizon's row statistics (cues.ts): per row the mean luma, gradient and chroma, summed
 * along the row in order, into `features` (f64: three runs of `height`).
 */
export function horizonFeatures(luma: usize, gradient: usize, cb: usize, cr: usize, width: i32, height: i32, features: usize): void {
  const runBytes = <usize>height << 3;
  for (let y = 0; y < height; y++) {
    let l: f64 = 0;
    let g: f64 = 0;
    let s: f64 = 0;
    const row = <usize>(y * width) << 2;
    // The chroma of two cells per f64x2 sqrt, the sums taking the cells in order.
    let x = 0;
    for (; x + 2 <= width; x += 2) {
      const at = row + (<usize>x << 2);
      const c = chromaPair(cb + at, cr + at);
      l += <f64>load<f32>(luma + at);
      g += <f64>load<f32>(gradient + at);
      s += f64x2.extract_lane(c, 0);
      l += <f64>load<f32>(luma + at, 4);
      g += <f64>load<f32>(gradient + at, 4);
      s += f64x2.extract_lane(c, 1);
    }
    for (; x < width; x++) {
      const at = row + (<usize>x << 2);
      l += <f64>load<f32>(luma + at);
      g += <f64>load<f32>(gradient + at);
      s += chromaOf(<f64>load<f32>(cb + at), <f64>load<f32>(cr + at));
    }
    const at = <usize>y << 3;
    store<f64>(features + at, l / <f64>width);
    store<f64>(features + runBytes + at, g / <f64>width);
    store<f64>(features + 2 * runBytes + at, s / <f64>width);
  }
}

/**
 * MotionFollower.follow (src/depth/motion-follow.ts) against a reference: `source[i] = i` and
 * `mismatch[i]` the luma change; then, unless no cell or more than a quarter of them changed by
 * more than `changed`, each changed cell takes the reference cell within ±4 of the closest colour
 * when it is closer than its own. The same f64 distances and f32 stores. Two cells (or two
 * candidates) per f64x2: each lane keeps the first smallest distance of its candidates (strict <,
 * in scan order), and of the two lanes' the smaller wins, on a tie the earlier cell: the first
 * smallest in scan order, as the TypeScript's one-by-one search finds it.
 */
export function followCells(
  luma: usize, cb: usize, cr: usize, refLuma: usize, refCb: usize, refCr: usize, gw: i32, gh: i32, changed: f64,
  source: usize, mismatch: usize,
): void {
  const n = gw * gh;
  const threshold = f64x2.splat(changed);
  let counted = i64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i << 2;
    store<i32>(source + at, i);
    store<i32>(source + at, i + 1, 4);
    const change = f64x2.abs(f64x2.sub(f32Pair(luma + at), f32Pair(refLuma + at)));
    v128.store64_lane(mismatch + at, f32x4.demote_f64x2_zero(change), 0);
    counted = i64x2.sub(counted, f64x2.gt(change, threshold));
  }
  let changedCells = <i32>(i64x2.extract_lane(counted, 0) + i64x2.extract_lane(counted, 1));
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<i32>(source + at, i);
    const change = abs<f64>(<f64>load<f32>(luma + at) - <f64>load<f32>(refLuma + at));
    store<f32>(mismatch + at, <f32>change);
    if (change > changed) changedCells++;
  }
  if (changedCells == 0 || <f64>changedCells > 0.25 * <f64>n) return;
  const lastLane = i64x2(-1, 0);
  const two = i64x2.splat(2);
  for (let y = 0; y < gh; y++) {
    const top = y > 4 ? y - 4 : 0;
    const bottom = y + 4 < gh ? y + 4 : gh - 1;
    for (let x = 0; x < gw; x++) {
      const i = y * gw + x;
      const at = <usize>i << 2;
      if (<f64>load<f32>(mismatch + at) <= changed) continue;
      const left = x > 4 ? x - 4 : 0;
      const right = x + 4 < gw ? x + 4 : gw - 1;
      const l = <f64>load<f32>(luma + at);
      const u = <f64>load<f32>(cb + at);
      const v = <f64>load<f32>(cr + at);
      const ls = f64x2.splat(l);
      const us = f64x2.splat(u);
      const vs = f64x2.splat(v);
      let best = f64x2.splat(Infinity);
      let from = i64x2.splat(i);
      for (let yy = top; yy <= bottom; yy++) {
        let j = yy * gw + left;
        const end = yy * gw + right;
        let candidates = i64x2(j, j + 1);
        for (; j < end; j += 2, candidates = i64x2.add(candidates, two)) {
          const atJ = <usize>j << 2;
          const distance = f64x2.add(
            f64x2.add(f64x2.abs(f64x2.sub(f32Pair(refLuma + atJ), ls)), f64x2.abs(f64x2.sub(f32Pair(refCb + atJ), us))),
            f64x2.abs(f64x2.sub(f32Pair(refCr + atJ), vs)),
          );
          const closer = f64x2.lt(distance, best);
          best = v128.bitselect(distance, best, closer);
          from = v128.bitselect(candidates, from, closer);
        }
        if (j == end) {
          // The row's odd last candidate, in the first lane only.
          const atJ = <usize>j << 2;
          const distance = f64x2.add(
            f64x2.add(f64x2.abs(f64x2.sub(f64x2.splat(<f64>load<f32>(refLuma + atJ)), ls)), f64x2.abs(f64x2.sub(f64x2.splat(<f64>load<f32>(refCb + atJ)), us))),
            f64x2.abs(f64x2.sub(f64x2.splat(<f64>load<f32>(refCr + atJ)), vs)),
          );
          const closer = v128.and(f64x2.lt(distance, best), lastLane);
          best = v128.bitselect(distance, best, closer);
          from = v128.bitselect(i64x2.splat(j), from, closer);
        }
      }
      const best0 = f64x2.extract_lane(best, 0);
      const best1 = f64x2.extract_lane(best, 1);
      const from0 = <i32>i64x2.extract_lane(from, 0);
      const from1 = <i32>i64x2.extract_lane(from, 1);
      const second = best1 < best0 || (best1 == best0 && from1 < from0);
      const bestDistance = second ? best1 : best0;
      const bestFrom = second ? from1 : from0;
      const own: f64 = abs<f64>(<f64>load<f32>(refLuma + at) - l) + abs<f64>(<f64>load<f32>(refCb + at) - u) + abs<f64>(<f64>load<f32>(refCr + at) - v);
      if (bestDistance < own) {
        store<i32>(source + at, bestFrom);
        const m: f64 = abs<f64>(<f64>load<f32>(refLuma + (<usize>bestFrom << 2)) - l);
        store<f32>(mismatch + at, <f32>m);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The depth estimate, fused kernels (src/depth/*.ts). Each does what the TypeScript twin named
// in its comment does, with the same f64 operations in the same order and f32 stores in the same
// places; SIMD lanes only ever hold independent instances of those steps.

/**
 * FigureGround.compute's three barriers at once: the shrink, barrier passes and total += distance
 * of figureBarrier for `c0`, `c1`, `c2` (in that order for the total), the channels in the lanes
 * of f32x4 (the fourth lane idle). A lane steps exactly as figureBarrier's scalar relax: a cost
 * from a neighbour at +∞ never wins, and the f64 cost and comparison are per lane. `work`: five
 * arrays of hw·hh f32x4 (value, distance, upper, lower, offset).
 */
export function figureBarriers(
  c0: usize, c1: usize, c2: usize, width: i32, hw: i32, hh: i32, seed: usize, work: usize, total: usize,
): void {
  const n = hw * hh;
  const lanes = <usize>n << 4;
  const value = work;
  const distance = value + lanes;
  const upper = distance + lanes;
  const lower = upper + lanes;
  const offset = lower + lanes;
  for (let c = 0; c < 3; c++) {
    const channel = c == 0 ? c0 : c == 1 ? c1 : c2;
    for (let y = 0; y < hh; y++) {
      for (let x = 0; x < hw; x++) {
        let sum: f64 = 0;
        for (let j = 0; j < 2; j++) {
          const row = channel + (<usize>((y * 2 + j) * width + x * 2) << 2);
          sum += <f64>load<f32>(row);
          sum += <f64>load<f32>(row, 4);
        }
        store<f32>(value + (<usize>(y * hw + x) << 4) + (<usize>c << 2), <f32>(sum * 0.25));
      }
    }
  }
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 4;
    store<f32>(value + at, 0, 12);
    const s = v128.load32_splat(seed + (<usize>i << 2));
    const v = v128.load(value + at);
    v128.store(distance + at, s);
    v128.store(offset + at, s);
    v128.store(upper + at, v);
    v128.store(lower + at, v);
  }
  // Two rows at a time, the second one cell behind: a cell's neighbours along the row and across
  // are done before it, as in the raster order, so every cell takes the same steps on the same
  // values, and the two rows' chains of dependent steps overlap.
  for (let pass = 0; pass < 4; pass++) {
    if (pass % 2 == 0) {
      for (let y = 0; y < hh; y += 2) {
        if (y + 1 < hh) {
          for (let x = 0; x < hw; x++) {
            forwardCell(y, x, hw, value, distance, upper, lower, offset);
            if (x > 0) forwardCell(y + 1, x - 1, hw, value, distance, upper, lower, offset);
          }
          forwardCell(y + 1, hw - 1, hw, value, distance, upper, lower, offset);
        } else {
          for (let x = 0; x < hw; x++) forwardCell(y, x, hw, value, distance, upper, lower, offset);
        }
      }
    } else {
      for (let y = hh - 1; y >= 0; y -= 2) {
        if (y > 0) {
          for (let x = hw - 1; x >= 0; x--) {
            backwardCell(y, x, hw, hh, value, distance, upper, lower, offset);
            if (x < hw - 1) backwardCell(y - 1, x + 1, hw, hh, value, distance, upper, lower, offset);
          }
          backwardCell(y - 1, 0, hw, hh, value, distance, upper, lower, offset);
        } else {
          for (let x = hw - 1; x >= 0; x--) backwardCell(y, x, hw, hh, value, distance, upper, lower, offset);
        }
      }
    }
  }
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    let t = load<f32>(total + at);
    for (let c = 0; c < 3; c++) {
      let d = load<f32>(distance + (<usize>i << 4) + (<usize>c << 2));
      if (d == Infinity) d = 0;
      t = <f32>(<f64>t + <f64>d);
    }
    store<f32>(total + at, t);
  }
}

/** A forward pass's cell: from its left, then its upper neighbour. */
// @ts-ignore: decorator
@inline
function forwardCell(y: i32, x: i32, hw: i32, value: usize, distance: usize, upper: usize, lower: usize, offset: usize): void {
  const i = y * hw + x;
  if (x > 0) relax4(i, i - 1, value, distance, upper, lower, offset);
  if (y > 0) relax4(i, i - hw, value, distance, upper, lower, offset);
}

/** A backward pass's cell: from its right, then its lower neighbour. */
// @ts-ignore: decorator
@inline
function backwardCell(y: i32, x: i32, hw: i32, hh: i32, value: usize, distance: usize, upper: usize, lower: usize, offset: usize): void {
  const i = y * hw + x;
  if (x < hw - 1) relax4(i, i + 1, value, distance, upper, lower, offset);
  if (y < hh - 1) relax4(i, i + hw, value, distance, upper, lower, offset);
}

/** figureBarrier's relax (cell i from neighbour j) in each lane. */
// @ts-ignore: decorator
@inline
function relax4(i: i32, j: i32, value: usize, distance: usize, upper: usize, lower: usize, offset: usize): void {
  const atI = <usize>i << 4;
  const atJ = <usize>j << 4;
  const v = v128.load(value + atI);
  const dj = v128.load(distance + atJ);
  const hi = f32x4.pmax(v, v128.load(upper + atJ));
  const lo = f32x4.pmin(v, v128.load(lower + atJ));
  const oj = v128.load(offset + atJ);
  const di = v128.load(distance + atI);
  // The f64 cost of lanes 0, 1 and of lanes 2, 3.
  const costLow = f64x2.sub(f64x2.add(f64x2.promote_low_f32x4(oj), f64x2.promote_low_f32x4(hi)), f64x2.promote_low_f32x4(lo));
  const costHigh = f64x2.sub(
    f64x2.add(f64x2.promote_low_f32x4(i32x4.shuffle(oj, oj, 2, 3, 0, 1)), f64x2.promote_low_f32x4(i32x4.shuffle(hi, hi, 2, 3, 0, 1))),
    f64x2.promote_low_f32x4(i32x4.shuffle(lo, lo, 2, 3, 0, 1)),
  );
  const betterLow = f64x2.lt(costLow, f64x2.promote_low_f32x4(di));
  const betterHigh = f64x2.lt(costHigh, f64x2.promote_low_f32x4(i32x4.shuffle(di, di, 2, 3, 0, 1)));
  const better = v128.and(i32x4.shuffle(betterLow, betterHigh, 0, 2, 4, 6), f32x4.ne(dj, f32x4.splat(Infinity)));
  if (!v128.any_true(better)) return;
  const cost = i32x4.shuffle(f32x4.demote_f64x2_zero(costLow), f32x4.demote_f64x2_zero(costHigh), 0, 1, 4, 5);
  v128.store(distance + atI, v128.bitselect(cost, di, better));
  v128.store(upper + atI, v128.bitselect(hi, v128.load(upper + atI), better));
  v128.store(lower + atI, v128.bitselect(lo, v128.load(lower + atI), better));
  v128.store(offset + atI, v128.bitselect(oj, v128.load(offset + atI), better));
}

/**
 * The chroma means of the analysis grid (see reduceYuv in src/depth/grid.ts), the samples' rows
 * summed first: per row of cells and sixteen chroma columns at a time, each plane's samplesY rows
 * added in u16 registers (at most 256 rows a run, so no sum overflows; longer runs are added on
 * in u32), then stored as one (Cb, Cr) pair of u32 sums per column; per cell its samplesX
 * columns' pairs added and both means computed in one f64x2. The same integer sums and the same
 * f64 formula per plane, so the same f32 means. `sums`: 8·(chromaWidth + 15) bytes; 16 bytes
 * past each row readable.
 */
export function reduceChromaRows(
  frame: usize, u: i32, v: i32, chromaWidth: i32, gridWidth: i32, gridHeight: i32, samplesX: i32, samplesY: i32, columns: usize,
  rows: usize, norm: f64, cb: usize, cr: usize, sums: usize,
): void {
  const blocks = (chromaWidth + 15) & ~15;
  const norms = f64x2.splat(norm);
  const offset = f64x2.splat(128.0 / 255.0);
  for (let gy = 0; gy < gridHeight; gy++) {
    const firstRow = rows + (<usize>(gy * samplesY) << 2);
    for (let x = 0; x < blocks; x += 16) {
      const at = sums + (<usize>x << 3);
      for (let j0 = 0; j0 < samplesY; j0 += 256) {
        const end = samplesY - j0 < 256 ? samplesY : j0 + 256;
        let uLow = i16x8.splat(0);
        let uHigh = i16x8.splat(0);
        let vLow = i16x8.splat(0);
        let vHigh = i16x8.splat(0);
        for (let j = j0; j < end; j++) {
          const r = frame + <usize>(load<i32>(firstRow + (<usize>j << 2)) + x);
          const bu = v128.load(r + <usize>u);
          const bv = v128.load(r + <usize>v);
          uLow = i16x8.add(uLow, i16x8.extend_low_i8x16_u(bu));
          uHigh = i16x8.add(uHigh, i16x8.extend_high_i8x16_u(bu));
          vLow = i16x8.add(vLow, i16x8.extend_low_i8x16_u(bv));
          vHigh = i16x8.add(vHigh, i16x8.extend_high_i8x16_u(bv));
        }
        storeChromaPairs(at, i16x8.shuffle(uLow, vLow, 0, 8, 1, 9, 2, 10, 3, 11), j0 > 0);
        storeChromaPairs(at + 32, i16x8.shuffle(uLow, vLow, 4, 12, 5, 13, 6, 14, 7, 15), j0 > 0);
        storeChromaPairs(at + 64, i16x8.shuffle(uHigh, vHigh, 0, 8, 1, 9, 2, 10, 3, 11), j0 > 0);
        storeChromaPairs(at + 96, i16x8.shuffle(uHigh, vHigh, 4, 12, 5, 13, 6, 14, 7, 15), j0 > 0);
      }
    }
    let gx = 0;
    if (samplesX == 2) {
      // Two cells a step (four columns' pairs), both cells' means in one f32x4.
      for (; gx + 2 <= gridWidth; gx += 2) {
        const picks = v128.load(columns + (<usize>(gx * 2) << 2));
        const first = i32x4.add(
          v128.load64_zero(sums + (<usize>i32x4.extract_lane(picks, 0) << 3)),
          v128.load64_zero(sums + (<usize>i32x4.extract_lane(picks, 1) << 3)),
        );
        const second = i32x4.add(
          v128.load64_zero(sums + (<usize>i32x4.extract_lane(picks, 2) << 3)),
          v128.load64_zero(sums + (<usize>i32x4.extract_lane(picks, 3) << 3)),
        );
        const meansFirst = f32x4.demote_f64x2_zero(f64x2.sub(f64x2.mul(f64x2.convert_low_i32x4_u(first), norms), offset));
        const meansSecond = f32x4.demote_f64x2_zero(f64x2.sub(f64x2.mul(f64x2.convert_low_i32x4_u(second), norms), offset));
        const cell = <usize>(gy * gridWidth + gx) << 2;
        // (cb, cb') and (cr, cr') of the two cells.
        v128.store64_lane(cb + cell, i32x4.shuffle(meansFirst, meansSecond, 0, 4, 1, 5), 0);
        v128.store64_lane(cr + cell, i32x4.shuffle(meansFirst, meansSecond, 1, 5, 0, 4), 0);
      }
    }
    for (; gx < gridWidth; gx++) {
      let pair = i32x4.splat(0);
      for (let i = gx * samplesX, end = i + samplesX; i < end; i++) {
        const cx = <usize>load<i32>(columns + (<usize>i << 2)) << 3;
        pair = i32x4.add(pair, v128.load64_zero(sums + cx));
      }
      const means = f32x4.demote_f64x2_zero(f64x2.sub(f64x2.mul(f64x2.convert_low_i32x4_u(pair), norms), offset));
      const cell = <usize>(gy * gridWidth + gx) << 2;
      v128.store32_lane(cb + cell, means, 0);
      v128.store32_lane(cr + cell, means, 1);
    }
  }
}

/** Four columns' (Cb, Cr) u16 sums, interleaved, as u32 pairs at `at` (added to what is there when `add`). */
// @ts-ignore: decorator
@inline
function storeChromaPairs(at: usize, pairs: v128, add: bool): void {
  let low = i32x4.extend_low_i16x8_u(pairs);
  let high = i32x4.extend_high_i16x8_u(pairs);
  if (add) {
    low = i32x4.add(low, v128.load(at));
    high = i32x4.add(high, v128.load(at, 16));
  }
  v128.store(at, low);
  v128.store(at, high, 16);
}

/** DepthEstimator.estimate's motion memory: m = 0.5·m + weight·motion (weight = 0.5·confidence). */
export function blendMotionMemory(memory: usize, motion: usize, n: i32, weight: f64): void {
  const half = f64x2.splat(0.5);
  const weights = f64x2.splat(weight);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i << 2;
    const m = f64x2.add(f64x2.mul(half, f32Pair(memory + at)), f64x2.mul(weights, f32Pair(motion + at)));
    v128.store64_lane(memory + at, f32x4.demote_f64x2_zero(m), 0);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const m: f64 = 0.5 * <f64>load<f32>(memory + at) + weight * <f64>load<f32>(motion + at);
    store<f32>(memory + at, <f32>m);
  }
}

/**
 * DepthEstimator.estimate's cue fusion: ground·carry + figure·figure + defocus·defocus +
 * atmosphere·atmosphere + (motion·memory, or 0 without `withMemory`), summed in that order.
 */
export function fuseCues(
  carry: usize, figure: usize, defocus: usize, atmosphere: usize, memory: usize, n: i32,
  ground: f64, figureWeight: f64, defocusWeight: f64, atmosphereWeight: f64, motionWeight: f64, withMemory: bool, out: usize,
): void {
  const pairs = n & ~1;
  const wg = f64x2.splat(ground);
  const wf = f64x2.splat(figureWeight);
  const wd = f64x2.splat(defocusWeight);
  const wa = f64x2.splat(atmosphereWeight);
  const wm = f64x2.splat(motionWeight);
  let i = 0;
  for (; i < pairs; i += 2) {
    const at = <usize>i << 2;
    let sum = f64x2.add(f64x2.mul(wg, f32Pair(carry + at)), f64x2.mul(wf, f32Pair(figure + at)));
    sum = f64x2.add(sum, f64x2.mul(wd, f32Pair(defocus + at)));
    sum = f64x2.add(sum, f64x2.mul(wa, f32Pair(atmosphere + at)));
    sum = f64x2.add(sum, withMemory ? f64x2.mul(wm, f32Pair(memory + at)) : f64x2.splat(0));
    v128.store64_lane(out + at, f32x4.demote_f64x2_zero(sum), 0);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const m: f64 = withMemory ? motionWeight * <f64>load<f32>(memory + at) : 0;
    const sum: f64 = ground * <f64>load<f32>(carry + at) + figureWeight * <f64>load<f32>(figure + at) +
      defocusWeight * <f64>load<f32>(defocus + at) + atmosphereWeight * <f64>load<f32>(atmosphere + at) + m;
    store<f32>(out + at, <f32>sum);
  }
}

/** sendSkyFarthest (estimator.ts): the sky cells (`sky` bytes ≠ 0) take the least depth of the others. */
export function skyFarthest(depth: usize, sky: usize, n: i32): void {
  let farthest: f64 = Infinity;
  for (let i = 0; i < n; i++) {
    const d = <f64>load<f32>(depth + (<usize>i << 2));
    if (!load<u8>(sky + <usize>i) && d < farthest) farthest = d;
  }
  if (farthest == Infinity) return;
  for (let i = 0; i < n; i++) if (load<u8>(sky + <usize>i)) store<f32>(depth + (<usize>i << 2), <f32>farthest);
}

/**
 * DepthEstimator.estimate's temporal blend: keep = keepMax·(1 − min(1, mismatch / change)), then
 * depth = keep·previous[source] + (1 − keep)·depth.
 */
export function blendTemporal(depth: usize, previous: usize, source: usize, mismatch: usize, n: i32, keepMax: f64, change: f64): void {
  // Two cells per f64x2 (f64x2.min is Math.min), the previous depths fetched one by one.
  const keeps = f64x2.splat(keepMax);
  const changes = f64x2.splat(change);
  const one = f64x2.splat(1);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i << 2;
    const keep = f64x2.mul(keeps, f64x2.sub(one, f64x2.min(one, f64x2.div(f32Pair(mismatch + at), changes))));
    const from0 = <usize>load<i32>(source + at) << 2;
    const from1 = <usize>load<i32>(source + at, 4) << 2;
    const previous2 = f64x2.promote_low_f32x4(v128.load32_lane(previous + from1, v128.load32_zero(previous + from0), 1));
    const d = f64x2.add(f64x2.mul(keep, previous2), f64x2.mul(f64x2.sub(one, keep), f32Pair(depth + at)));
    v128.store64_lane(depth + at, f32x4.demote_f64x2_zero(d), 0);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const keep: f64 = keepMax * (1 - min<f64>(1, <f64>load<f32>(mismatch + at) / change));
    const from = <usize>load<i32>(source + at) << 2;
    const d: f64 = keep * <f64>load<f32>(previous + from) + (1 - keep) * <f64>load<f32>(depth + at);
    store<f32>(depth + at, <f32>d);
  }
}

/** DepthEstimator.estimate's normalisation: (depth − lo)·scale clamped to [0, 1] (NaN stays). */
export function normaliseDepth(depth: usize, n: i32, lo: f64, scale: f64, out: usize): void {
  // Two cells per f64x2, the same selections by mask (NaN and −0 pass through as in the scalar steps).
  const los = f64x2.splat(lo);
  const scales = f64x2.splat(scale);
  const zero = f64x2.splat(0);
  const one = f64x2.splat(1);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i << 2;
    const v = f64x2.mul(f64x2.sub(f32Pair(depth + at), los), scales);
    const clamped = v128.bitselect(zero, v128.bitselect(one, v, f64x2.gt(v, one)), f64x2.lt(v, zero));
    v128.store64_lane(out + at, f32x4.demote_f64x2_zero(clamped), 0);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const v: f64 = (<f64>load<f32>(depth + at) - lo) * scale;
    store<f32>(out + at, <f32>(v < 0 ? 0 : v > 1 ? 1 : v));
  }
}

/** DepthEstimator.reuseFit: each cell takes the fit of its source cell. */
export function followFit(fitA: usize, fitB: usize, source: usize, n: i32, a: usize, b: usize): void {
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    const from = <usize>load<i32>(source + at) << 2;
    store<u32>(a + at, load<u32>(fitA + from));
    store<u32>(b + at, load<u32>(fitB + from));
  }
}

/**
 * Math.log as V8 computes it (src/base/ieee754.cc: fdlibm's __ieee754_log, step for step): the
 * same IEEE f64 operations, so the same bits (test/depth-wasm.test.ts compares it with Math.log).
 */
function fdlibmLog(value: f64): f64 {
  const ln2Hi: f64 = 6.93147180369123816490e-01;
  const ln2Lo: f64 = 1.90821492927058770002e-10;
  const two54: f64 = 1.80143985094819840000e16;
  const lg1: f64 = 6.666666666666735130e-01;
  const lg2: f64 = 3.999999999940941908e-01;
  const lg3: f64 = 2.857142874366239149e-01;
  const lg4: f64 = 2.222219843214978396e-01;
  const lg5: f64 = 1.818357216161805012e-01;
  const lg6: f64 = 1.531383769920937332e-01;
  const lg7: f64 = 1.479819860511658591e-01;
  let x = value;
  let bits = reinterpret<u64>(x);
  let hx = <i32>(bits >> 32);
  const lx = <u32>bits;
  let k = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lx) == 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= two54;
    bits = reinterpret<u64>(x);
    hx = <i32>(bits >> 32);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  x = reinterpret<f64>((<u64>(<u32>(hx | (i ^ 0x3ff00000))) << 32) | (reinterpret<u64>(x) & 0xffffffff));
  k += i >> 20;
  const f = x - 1.0;
  if ((0x000fffff & (2 + hx)) < 3) {
    if (f == 0) {
      if (k == 0) return 0;
      const dk = <f64>k;
      return dk * ln2Hi + dk * ln2Lo;
    }
    const r = f * f * (0.5 - 0.33333333333333333 * f);
    if (k == 0) return f - r;
    const dk = <f64>k;
    return dk * ln2Hi - ((r - dk * ln2Lo) - f);
  }
  const s = f / (2.0 + f);
  const dk = <f64>k;
  const z = s * s;
  let m = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (lg2 + w * (lg4 + w * lg6));
  const t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)));
  m |= j;
  const r = t2 + t1;
  if (m > 0) {
    const hfsq = 0.5 * f * f;
    if (k == 0) return f - (hfsq - s * (hfsq + r));
    return dk * ln2Hi - ((hfsq - (s * (hfsq + r) + dk * ln2Lo)) - f);
  }
  if (k == 0) return f - s * (f - r);
  return dk * ln2Hi - ((s * (f - r) - dk * ln2Lo) - f);
}

/** fdlibmLog of `count` f64 values into `out` (for the golden test against Math.log). */
export function logValues(values: usize, count: i32, out: usize): void {
  for (let i = 0; i < count; i++) store<f64>(out + (<usize>i << 3), fdlibmLog(load<f64>(values + (<usize>i << 3))));
}

/**
 * defocusCue's ratios (cues.ts): per cell with a gradient of at least 0.02, log((detail + 0.002) /
 * (gradient / (2·cellWidth) + 0.002)) into `out` and, in order, into `values`; NaN elsewhere.
 * Returns how many.
 */
export function defocusRatios(gradient: usize, detail: usize, n: i32, cellWidth: f64, out: usize, values: usize): i32 {
  let count = 0;
  const span = 2 * cellWidth;
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    const g = <f64>load<f32>(gradient + at);
    if (g < 0.02) {
      store<f32>(out + at, NaN);
      continue;
    }
    const contrast = g / span;
    const ratio = fdlibmLog((<f64>load<f32>(detail + at) + 0.002) / (contrast + 0.002));
    store<f32>(out + at, <f32>ratio);
    store<f32>(values + (<usize>count << 2), <f32>ratio);
    count++;
  }
  return count;
}

/** defocusCue's standardisation: NaN → 0, else (v − median) / spread clamped to ±1.5. */
export function defocusStandardise(out: usize, n: i32, median: f64, spread: f64): void {
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    const v = <f64>load<f32>(out + at);
    store<f32>(out + at, <f32>(isNaN<f64>(v) ? 0 : max<f64>(-1.5, min<f64>(1.5, (v - median) / spread))));
  }
}

/** carrySteps from planes already box-smoothed (radius 1): step[i] = Σ |s[i] − s[i + width]|, plane by plane. */
export function carryStepsOf(luma: usize, cb: usize, cr: usize, width: i32, height: i32, step: usize): void {
  const n = width * height;
  memory.fill(step, 0, <usize>n << 2);
  const below = <usize>width << 2;
  const pairs = (n - width) & ~1;
  for (let c = 0; c < 3; c++) {
    const smooth = c == 0 ? luma : c == 1 ? cb : cr;
    let i = 0;
    for (; i < pairs; i += 2) {
      const at = <usize>i << 2;
      const s = f64x2.add(f32Pair(step + at), f64x2.abs(f64x2.sub(f32Pair(smooth + at), f32Pair(smooth + at + below))));
      v128.store64_lane(step + at, f32x4.demote_f64x2_zero(s), 0);
    }
    for (; i < n - width; i++) {
      const at = <usize>i << 2;
      const s: f64 = <f64>load<f32>(step + at) + abs<f64>(<f64>load<f32>(smooth + at) - <f64>load<f32>(smooth + at + below));
      store<f32>(step + at, <f32>s);
    }
  }
}

/**
 * motionCue's cells (cues.ts): each cell takes its block's magnitude (√(dx² + dy²) as f32; 0
 * without a match) as min(1.5, (m − mean) / p90); cells past the last whole block take its values.
 */
export function motionCells(matches: usize, bw: i32, bh: i32, gw: i32, gh: i32, mean: f64, p90: f64, out: usize): void {
  // A block's value once (its cells all take the same), kept where its match was (as f32 bits).
  const blocks = bw * bh;
  for (let k = 0; k < blocks; k++) {
    const match = matches + (<usize>k << 3);
    const dx = load<i32>(match);
    const dy = load<i32>(match, 4);
    let v: f64 = 0;
    if (dx != NO_MATCH) {
      const m = <f64><f32>Math.sqrt(<f64>(dx * dx + dy * dy));
      v = min<f64>(1.5, (m - mean) / p90);
    }
    store<f32>(match, <f32>v);
  }
  for (let y = 0; y < gh; y++) {
    const by = y >> 3 < bh - 1 ? y >> 3 : bh - 1;
    for (let x = 0; x < gw; x++) {
      const bx = x >> 3 < bw - 1 ? x >> 3 : bw - 1;
      store<f32>(out + (<usize>(y * gw + x) << 2), load<f32>(matches + (<usize>(by * bw + bx) << 3)));
    }
  }
}

/**
 * The end of FigureGround.compute (figure.ts) on its coarse grid `total` (hw × hh): total =
 * min(1, total·scale); weighBySize (figures: 4-connected cells ≥ 0.3, found from the first cell
 * in raster order by a depth-first stack, each scaled by the smoothstep of its share of the frame
 * between 1 % and 10 %); then each cell of `out` (width × height) takes its coarse cell's value.
 * `label`, `stack`: hw·hh i32; `gains`: hw·hh f32.
 */
export function figureFinish(
  total: usize, hw: i32, hh: i32, scale: f64, label: usize, stack: usize, gains: usize, width: i32, height: i32, out: usize,
): void {
  const n = hw * hh;
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(total + at, <f32>min<f64>(1, <f64>load<f32>(total + at) * scale));
    store<i32>(label + at, -1);
  }
  let figures = 0;
  for (let start = 0; start < n; start++) {
    if (load<i32>(label + (<usize>start << 2)) != -1 || <f64>load<f32>(total + (<usize>start << 2)) < 0.3) continue;
    store<i32>(label + (<usize>start << 2), figures);
    store<i32>(stack, start);
    let pending = 1;
    let size = 0;
    while (pending > 0) {
      pending--;
      const i = load<i32>(stack + (<usize>pending << 2));
      size++;
      const x = i % hw;
      for (let side = 0; side < 4; side++) {
        const j = side == 0 ? (x > 0 ? i - 1 : -1) : side == 1 ? (x < hw - 1 ? i + 1 : -1) : side == 2 ? i - hw : i + hw;
        if (j < 0 || j >= n) continue;
        const atJ = <usize>j << 2;
        if (load<i32>(label + atJ) != -1 || <f64>load<f32>(total + atJ) < 0.3) continue;
        store<i32>(label + atJ, figures);
        store<i32>(stack + (<usize>pending << 2), j);
        pending++;
      }
    }
    const t = max<f64>(0, min<f64>(1, (<f64>size / <f64>n - 0.01) / (0.1 - 0.01)));
    store<f32>(gains + (<usize>figures << 2), <f32>(t * t * (3 - 2 * t)));
    figures++;
  }
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    const figure = load<i32>(label + at);
    if (figure >= 0) store<f32>(total + at, <f32>(<f64>load<f32>(total + at) * <f64>load<f32>(gains + (<usize>figure << 2))));
  }
  for (let y = 0; y < height; y++) {
    const row = (y >> 1 < hh - 1 ? y >> 1 : hh - 1) * hw;
    const outRow = out + (<usize>(y * width) << 2);
    for (let x = 0; x < width; x++) {
      const cell = row + (x >> 1 < hw - 1 ? x >> 1 : hw - 1);
      store<u32>(outRow + (<usize>x << 2), load<u32>(total + (<usize>cell << 2)));
    }
  }
}

/**
 * atmosphereCue: the dark channel, its 3×3 minimum, and the standardised clear-air nearness, with
 * each cell's chroma (f64) computed once into `chroma` (8 bytes a cell) and read back by the
 * variance and the cue: the same f64 values as the TypeScript's, which computes it three times.
 */
export function atmosphereGrid(
  luma: usize, cb: usize, cr: usize, width: i32, height: i32, out: usize, darkest: usize, tmp: usize, chroma: usize,
): void {
  const n = width * height;
  // The dark channel two cells per f64x2 (f64x2.min is Math.min: NaN and −0 alike).
  const pairs2 = n & ~1;
  const kr = f64x2.splat(1.402);
  const kgu = f64x2.splat(0.344);
  const kgv = f64x2.splat(0.714);
  const kb = f64x2.splat(1.772);
  let c = 0;
  for (; c < pairs2; c += 2) {
    const at = <usize>c << 2;
    const y = f32Pair(luma + at);
    const u = f32Pair(cb + at);
    const v = f32Pair(cr + at);
    const r = f64x2.add(y, f64x2.mul(kr, v));
    const g = f64x2.sub(f64x2.sub(y, f64x2.mul(kgu, u)), f64x2.mul(kgv, v));
    const b = f64x2.add(y, f64x2.mul(kb, u));
    v128.store64_lane(out + at, f32x4.demote_f64x2_zero(f64x2.min(f64x2.min(r, g), b)), 0);
  }
  for (; c < n; c++) {
    const at = <usize>c << 2;
    const y = <f64>load<f32>(luma + at);
    const u = <f64>load<f32>(cb + at);
    const v = <f64>load<f32>(cr + at);
    const r: f64 = y + 1.402 * v;
    const g: f64 = y - 0.344 * u - 0.714 * v;
    const b: f64 = y + 1.772 * u;
    store<f32>(out + at, <f32>min<f64>(min<f64>(r, g), b));
  }
  minFilter3(out, width, height, darkest, tmp);
  // Two cells per f64x2 (each lane the TypeScript's formula); the sums take the lanes in order.
  const pairs = n & ~1;
  let meanDark: f64 = 0;
  let meanSat: f64 = 0;
  let i = 0;
  for (; i < pairs; i += 2) {
    const at = <usize>i << 2;
    const c = chromaPair(cb + at, cr + at);
    v128.store(chroma + (<usize>i << 3), c);
    meanDark += <f64>load<f32>(darkest + at);
    meanSat += f64x2.extract_lane(c, 0);
    meanDark += <f64>load<f32>(darkest + at, 4);
    meanSat += f64x2.extract_lane(c, 1);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    meanDark += <f64>load<f32>(darkest + at);
    const c = chromaOf(<f64>load<f32>(cb + at), <f64>load<f32>(cr + at));
    store<f64>(chroma + (<usize>i << 3), c);
    meanSat += c;
  }
  meanDark /= <f64>n;
  meanSat /= <f64>n;
  const meanDarks = f64x2.splat(meanDark);
  const meanSats = f64x2.splat(meanSat);
  let varDark: f64 = 0;
  let varSat: f64 = 0;
  for (i = 0; i < pairs; i += 2) {
    const at = <usize>i << 2;
    const dd = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(darkest + at)), meanDarks);
    const ds = f64x2.sub(v128.load(chroma + (<usize>i << 3)), meanSats);
    const dd2 = f64x2.mul(dd, dd);
    const ds2 = f64x2.mul(ds, ds);
    varDark += f64x2.extract_lane(dd2, 0);
    varSat += f64x2.extract_lane(ds2, 0);
    varDark += f64x2.extract_lane(dd2, 1);
    varSat += f64x2.extract_lane(ds2, 1);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const dd = <f64>load<f32>(darkest + at) - meanDark;
    varDark += dd * dd;
    const ds = load<f64>(chroma + (<usize>i << 3)) - meanSat;
    varSat += ds * ds;
  }
  const sdDark: f64 = Math.sqrt(varDark / <f64>n) + 0.02;
  const sdSat: f64 = Math.sqrt(varSat / <f64>n) + 0.02;
  const sdDarks = f64x2.splat(sdDark);
  const sdSats = f64x2.splat(sdSat);
  // clear / 2 as clear · 0.5: both are the one correctly rounded half (a division less per pair).
  const half = f64x2.splat(0.5);
  const one = f64x2.splat(1);
  const minusTwo = f64x2.splat(-2);
  for (i = 0; i < pairs; i += 2) {
    const at = <usize>i << 2;
    const haze = f64x2.div(f64x2.neg(f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(darkest + at)), meanDarks)), sdDarks);
    const clear = f64x2.add(haze, f64x2.div(f64x2.sub(v128.load(chroma + (<usize>i << 3)), meanSats), sdSats));
    const v = f64x2.max(minusTwo, f64x2.min(one, f64x2.mul(clear, half)));
    v128.store64_lane(out + at, f32x4.demote_f64x2_zero(v), 0);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const clear: f64 = -(<f64>load<f32>(darkest + at) - meanDark) / sdDark + (load<f64>(chroma + (<usize>i << 3)) - meanSat) / sdSat;
    const half: f64 = clear / 2;
    store<f32>(out + at, <f32>max<f64>(-2.0, min<f64>(1.0, half)));
  }
}
