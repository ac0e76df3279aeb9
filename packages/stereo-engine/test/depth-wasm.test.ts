// Golden tests: the depth estimate's WebAssembly kernels (assembly/kernels.ts, on grids living in
// a GridMemory) against their TypeScript twins (src/depth/*.ts). They repeat the TypeScript's f64
// operations in the same order with f32 stores in the same places, so the bar is the same f32
// bits, on odd grid sizes, and whole estimates over a sequence with motion and a cut.
import { createHash } from 'node:crypto';
import { atmosphereCue, carryUp, defocusCue, estimateHorizon, gradientMagnitude, motionCue } from '../src/depth/cues';
import { DepthEstimator, histogramDistance } from '../src/depth/estimator';
import { FigureGround } from '../src/depth/figure';
import { boxMean, boxMeanTypeScript, GuidedFilter, percentiles } from '../src/depth/filters';
import { createAnalysisGrid, gridReducerBytes, gridReducerIn, gridSizeFor, reduceToGrid, type AnalysisGrid } from '../src/depth/grid';
import { GridMemory, gridMemoryOf } from '../src/depth/memory';
import { MotionFollower } from '../src/depth/motion-follow';
import { frameLayout, type FrameLayout } from '../src/frame/planar';
import { availableKernelSet } from '../src/stereo/kernels';
import { random } from './support/random';


function bitsOf(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/** Smooth regions with steps and noise, like an analysis grid's luma or depth. */
function fillCells(values: Float32Array, width: number, next: () => number, lo = 0, hi = 1): void {
  const cx = next() * width;
  for (let i = 0; i < values.length; i++) {
    const x = i % width;
    const step = x > cx ? 0.4 : 0;
    values[i] = lo + (hi - lo) * Math.min(1, Math.max(0, 0.3 * next() + step + (0.2 * x) / width));
  }
}

const SIZES: ReadonlyArray<readonly [number, number]> = [[1, 1], [1, 7], [7, 1], [2, 3], [5, 5], [17, 9], [33, 19], [97, 55], [255, 143]];

describe('depth estimate kernels in WebAssembly', () => {
  it('run here (the module loads)', () => {
    expect(availableKernelSet()).toBe('wasm-simd');
  });

  it('boxMean: the same f32 bits as the TypeScript twin at odd sizes and every radius', () => {
    for (const [width, height] of SIZES) {
      // Prepare
      const n = width * height;
      const memory = new GridMemory('wasm-simd', 6 * 4 * n + 64, width, height);
      const [src, out, tmp] = [memory.float32(n), memory.float32(n), memory.float32(n)];
      const [reference, referenceTmp] = [new Float32Array(n), new Float32Array(n)];
      fillCells(src, width, random(width * 31 + height), -1, 2);
      expect(gridMemoryOf(src, out, tmp)).toBe(memory);
      for (const r of [1, 2, 3, 11, 40]) {
        // Act
        boxMean(src, width, height, r, out, tmp);
        boxMeanTypeScript(src, width, height, r, reference, referenceTmp);
        // Assess
        expect(bitsOf(out).equals(bitsOf(reference))).toBe(true);
      }
    }
  });

  it('GuidedFilter: coefficients and output with the same f32 bits as the TypeScript twin at odd sizes', () => {
    for (const [width, height] of SIZES) {
      // Prepare
      const n = width * height;
      const memory = new GridMemory('wasm-simd', 8 * 4 * n + 6 * 4 * n + 12 * width + 4 * height + 256, width, height);
      const wasmFilter = new GuidedFilter(width, height, memory);
      const typeScriptFilter = new GuidedFilter(width, height);
      const next = random(n + 7);
      const [guide, input, out, a, b] = [memory.float32(n), memory.float32(n), memory.float32(n), memory.float32(n), memory.float32(n)];
      fillCells(guide, width, next);
      fillCells(input, width, next, -0.5, 1.5);
      const [plainGuide, plainInput] = [Float32Array.from(guide), Float32Array.from(input)];
      const [referenceOut, referenceA, referenceB] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      for (const [r, eps] of [[2, 2e-3], [5, 0.1], [11, 0.1]] as const) {
        // Act
        wasmFilter.coefficients(guide, input, r, eps, a, b);
        typeScriptFilter.coefficients(plainGuide, plainInput, r, eps, referenceA, referenceB);
        // Assess
        expect(bitsOf(a).equals(bitsOf(referenceA))).toBe(true);
        expect(bitsOf(b).equals(bitsOf(referenceB))).toBe(true);
        // Act
        wasmFilter.filter(guide, input, r, eps, out, a, b);
        typeScriptFilter.filter(plainGuide, plainInput, r, eps, referenceOut, referenceA, referenceB);
        // Assess
        expect(bitsOf(out).equals(bitsOf(referenceOut))).toBe(true);
      }
    }
  });

  /** A grid of `width` × `height` cells in `memory` (or plain arrays), filled like a picture's. */
  function gridOf(width: number, height: number, seed: number, memory?: GridMemory): AnalysisGrid {
    const size = { ...gridSizeFor(width * 4, height * 4, Math.max(width, height)), gridWidth: width, gridHeight: height };
    const grid = createAnalysisGrid(size, memory ? (length) => memory.float32(length) : undefined);
    const next = random(seed);
    fillCells(grid.luma, width, next);
    fillCells(grid.cb, width, next, -0.3, 0.3);
    fillCells(grid.cr, width, next, -0.3, 0.3);
    fillCells(grid.detail, width, next, 0, 0.1);
    return grid;
  }

  function plainCopy(grid: AnalysisGrid): AnalysisGrid {
    return { ...grid, luma: Float32Array.from(grid.luma), cb: Float32Array.from(grid.cb), cr: Float32Array.from(grid.cr), detail: Float32Array.from(grid.detail) };
  }

  it('carryUp and atmosphereCue: the same f32 bits as the TypeScript twins at odd sizes', () => {
    for (const [width, height] of SIZES.filter(([, h]) => h >= 2)) {
      // Prepare
      const n = width * height;
      const memory = new GridMemory('wasm-simd', 14 * 4 * n + 4 * height + 512, width, height);
      const grid = gridOf(width, height, n + 11, memory);
      const plain = plainCopy(grid);
      const prior = memory.float32(height);
      for (let y = 0; y < height; y++) prior[y] = y < height / 3 ? 0 : (y - height / 3 + 1) / (height - height / 3);
      const plainPrior = Float32Array.from(prior);
      const [out, step, smooth, tmp] = [memory.float32(n), memory.float32(n), memory.float32(n), memory.float32(n)];
      const [reference, referenceStep, referenceSmooth, referenceTmp] = [new Float32Array(n), new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      // Act
      carryUp(grid, prior, height / 3, out, { step, smooth, tmp });
      carryUp(plain, plainPrior, height / 3, reference, { step: referenceStep, smooth: referenceSmooth, tmp: referenceTmp });
      // Assess
      expect(bitsOf(out).equals(bitsOf(reference))).toBe(true);
      expect(bitsOf(step).equals(bitsOf(referenceStep))).toBe(true);
      // Act: with the planes smoothed beforehand (as the estimator passes them).
      const smoothed = [memory.float32(n), memory.float32(n), memory.float32(n)] as const;
      [grid.luma, grid.cb, grid.cr].forEach((plane, k) => boxMean(plane, width, height, 1, smoothed[k]!, tmp));
      carryUp(grid, prior, height / 3, out, { step, smooth, tmp }, smoothed);
      // Assess
      expect(bitsOf(out).equals(bitsOf(reference))).toBe(true);
      expect(bitsOf(step).equals(bitsOf(referenceStep))).toBe(true);
      // Act: the TypeScript twin with them.
      const plainSmoothed = [Float32Array.from(smoothed[0]), Float32Array.from(smoothed[1]), Float32Array.from(smoothed[2])] as const;
      carryUp(plain, plainPrior, height / 3, reference, { step: referenceStep, smooth: referenceSmooth, tmp: referenceTmp }, plainSmoothed);
      // Assess
      expect(bitsOf(out).equals(bitsOf(reference))).toBe(true);
      expect(bitsOf(step).equals(bitsOf(referenceStep))).toBe(true);
      // Act
      atmosphereCue(grid, out, { a: step, b: smooth });
      atmosphereCue(plain, reference, { a: referenceStep, b: referenceSmooth });
      // Assess
      expect(bitsOf(out).equals(bitsOf(reference))).toBe(true);
      expect(bitsOf(step).equals(bitsOf(referenceStep))).toBe(true);
      // Act: the WebAssembly kernel (atmosphereGrid; it takes the chroma scratch).
      out.fill(0);
      atmosphereCue(grid, out, { a: step, b: smooth, chroma: memory.float64(n) });
      // Assess
      expect(bitsOf(out).equals(bitsOf(reference))).toBe(true);
      expect(bitsOf(step).equals(bitsOf(referenceStep))).toBe(true);
    }
  });

  it('motionCue: the same cue and confidence as the TypeScript twin, with blocks moving by different amounts', () => {
    for (const [width, height] of [[17, 17], [33, 19], [97, 55], [255, 143]] as const) {
      // Prepare: a textured grid, and the same one with its left half moved 3 cells right and
      // 1 down, its right half 1 cell left.
      const n = width * height;
      const memory = new GridMemory('wasm-simd', 3 * 4 * n + 256, width, height);
      const [previous, current, out] = [memory.float32(n), memory.float32(n), memory.float32(n)];
      const next = random(n);
      for (let i = 0; i < n; i++) previous[i] = next();
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const [sx, sy] = x < width / 2 ? [x - 3, y - 1] : [x + 1, y];
          current[y * width + x] = sx >= 0 && sx < width && sy >= 0 ? previous[sy * width + sx]! : next();
        }
      }
      const [plainPrevious, plainCurrent, reference] = [Float32Array.from(previous), Float32Array.from(current), new Float32Array(n)];
      // Act
      const confidence = motionCue(previous, current, width, height, out);
      const referenceConfidence = motionCue(plainPrevious, plainCurrent, width, height, reference);
      // Assess
      expect(confidence).toBe(referenceConfidence);
      expect(bitsOf(out).equals(bitsOf(reference))).toBe(true);
      if (width > 90) expect(referenceConfidence).toBeGreaterThan(0);
    }
  });

  it('percentiles and histogramDistance: the same bins as the TypeScript, out-of-range values, NaN and infinities included', () => {
    // Prepare: values in and far outside the range (where `| 0` wraps modulo 2^32).
    const special = [Number.NaN, Infinity, -Infinity, -0, 0, 1, -1, 0.99999, 1e9, -1e9, 3e9, -3e9, 5e12, -5e12, 1e30, -1e30, 2 ** 31, -(2 ** 31)];
    for (const length of [1, 7, 33, 1001]) {
      const memory = new GridMemory('wasm-simd', 2 * 4 * length + 64, 8, 8);
      const [values, other] = [memory.float32(length), memory.float32(length)];
      const next = random(length);
      for (let i = 0; i < length; i++) {
        values[i] = i % 5 === 0 ? special[(i / 5) % special.length]! : next() * 3 - 1;
        other[i] = next() * 1.2 - 0.1;
      }
      const [plainValues, plainOther] = [Float32Array.from(values), Float32Array.from(other)];
      for (const [lo, hi] of [[0, 1], [-1, 2], [-8, 8], [0, 3e-6]] as const) {
        // Act
        const fractions = [0, 0.1, 0.15, 0.5, 0.75, 0.9, 0.95, 1];
        const found = percentiles(values, fractions, lo, hi);
        const reference = percentiles(plainValues, fractions, lo, hi);
        // Assess
        expect(found).toEqual(reference);
      }
      // Act / Assess
      expect(histogramDistance(values, other)).toBe(histogramDistance(plainValues, plainOther));
      expect(histogramDistance(other, values)).toBe(histogramDistance(plainOther, plainValues));
    }
  });

  it.each([
    ['yuv420p', 641, 361, 256, 2],
    ['yuv420p', 97, 35, 64, 1],
    ['yuv420p', 33, 17, 32, 1],
    ['yuv444p', 99, 21, 48, 0.5],
  ] as const)('the grid reduction without detail (%s %i×%i): the luma and chroma bits of the TypeScript reduction, the detail left as it was', (format, width, height, resolution, pixelAspect) => {
    // Prepare: a grid in a GridMemory whose detail holds a marker, frames of noise with flat blocks.
    const layout = frameLayout(format, width, height);
    const size = gridSizeFor(width, height, resolution, pixelAspect);
    const n = size.gridWidth * size.gridHeight;
    const memory = new GridMemory('wasm-simd', 4 * 4 * n + gridReducerBytes(layout, size) + 256, size.gridWidth, size.gridHeight);
    const grid = createAnalysisGrid(size, (length) => memory.float32(length));
    const reducer = gridReducerIn(memory, layout, grid)!;
    const next = random(width * height);
    for (let round = 0; round < 2; round++) {
      const frame = new Uint8Array(layout.byteLength);
      let level = 0;
      for (let i = 0; i < frame.length; i++) {
        if (next() < 0.05) level = Math.floor(next() * 256);
        frame[i] = Math.min(255, Math.max(0, level + Math.floor((next() - 0.5) * 24)));
      }
      grid.detail.fill(-7);
      const expected = createAnalysisGrid(size);
      reduceToGrid(frame, layout, expected, 'typescript');
      // Act
      reducer.reduce(frame, grid, false);
      // Assess
      for (const key of ['luma', 'cb', 'cr'] as const) expect({ key, round, same: bitsOf(grid[key]).equals(bitsOf(expected[key])) }).toEqual({ key, round, same: true });
      expect(grid.detail.every((value) => value === -7)).toBe(true);
      // Act / Assess: with the detail, all four.
      reducer.reduce(frame, grid, true);
      for (const key of ['luma', 'cb', 'cr', 'detail'] as const) expect({ key, round, same: bitsOf(grid[key]).equals(bitsOf(expected[key])) }).toEqual({ key, round, same: true });
    }
  });

  it('histogramBins: the same bins as the TypeScript formula, in f32 lanes (lo 0, a power-of-two scale) and in f64', () => {
    // Prepare: values on and one f32 step either side of bin edges, subnormals, products past
    // ±2^31 and past the f32 range, NaN and infinities, in every lane position.
    const next = random(7);
    const edges = Array.from({ length: 200 }, () => Math.floor(next() * 1100) / 1024);
    const near = edges.flatMap((edge) => {
      const [value] = Float32Array.of(edge);
      const bits = new Int32Array(Float32Array.of(value!).buffer)[0]!;
      return [value!, new Float32Array(Int32Array.of(bits + 1).buffer)[0]!, new Float32Array(Int32Array.of(bits - 1).buffer)[0]!];
    });
    const special = [Number.NaN, Infinity, -Infinity, -0, 1e-45, -1e-45, 1e-40, 3e36, -3e36, 2 ** 21, 2 ** 22, -(2 ** 21), 2 ** 31, 3e9, -3e9];
    const all = [...near, ...special, ...Array.from({ length: 300 }, () => next() * 3 - 1)];
    const length = all.length;
    const memory = new GridMemory('wasm-simd', 4 * length + 64, 8, 8);
    const values = memory.float32(length);
    values.set(all);
    for (const [lo, scale, bins] of [[0, 32, 32], [0, 1024, 1024], [0, 1048576, 1024], [0, 1024 / 3, 1024], [-1, 1024 / 3, 1024], [-8, 64, 1024]] as const) {
      // Act
      const histogram = memory.histogram!.subarray(0, bins).fill(0);
      memory.kernels!.histogramBins(values.byteOffset, length, lo, scale, bins, histogram.byteOffset, memory.histogramScratch);
      // Assess
      const expected = new Uint32Array(bins);
      for (const value of values) {
        let k = ((value - lo) * scale) | 0;
        if (k < 0) k = 0;
        else if (k >= bins) k = bins - 1;
        expected[k]!++;
      }
      expect({ lo, scale, same: Buffer.from(histogram.slice().buffer).equals(Buffer.from(expected.buffer)) }).toEqual({ lo, scale, same: true });
    }
  });

  it("the defocus cue's log: the same f64 bits as Math.log, over its range, near 1, special values and random bit patterns", () => {
    // Prepare
    const count = 1 << 18;
    const memory = new GridMemory('wasm-simd', 16 * count + 64, 8, 8);
    const buffer = memory.memoryBuffer!;
    const [inputAt, outputAt] = [memory.block(8 * count), memory.block(8 * count)];
    const [input, output] = [new Float64Array(buffer, inputAt, count), new Float64Array(buffer, outputAt, count)];
    const bits = new Uint32Array(buffer, inputAt, 2 * count);
    const next = random(17);
    for (let i = 0; i < count; i++) {
      const kind = i % 4;
      if (kind === 0) input[i] = Math.exp((next() - 0.5) * 20);
      else if (kind === 1) input[i] = 1 + (next() - 0.5) * 1e-5;
      else if (kind === 2) [bits[2 * i], bits[2 * i + 1]] = [(next() * 2 ** 32) >>> 0, (next() * 2 ** 32) >>> 0];
      else input[i] = Math.fround(next() * 4 + 1e-3) / Math.fround(next() + 0.002);
    }
    input.set([0, -0, -1, Infinity, -Infinity, Number.NaN, 1, 2, 0.5, 5e-324, 2.2250738585072014e-308, Number.MAX_VALUE, Math.E]);
    // Act
    memory.kernels!.logValues(inputAt, count, outputAt);
    // Assess
    let differences = 0;
    for (let i = 0; i < count; i++) if (!Object.is(output[i], Math.log(input[i]!))) differences++;
    expect(differences).toBe(0);
  });

  it('defocusCue: the same cue and confidence as the TypeScript twin at odd sizes, flat cells included', () => {
    for (const [width, height] of SIZES) {
      // Prepare: a gradient with flat stretches (below 0.02) and detail from none to plenty.
      const n = width * height;
      const memory = new GridMemory('wasm-simd', 8 * 4 * n + 512, width, height);
      const grid = gridOf(width, height, n + 23, memory);
      const plain = plainCopy(grid);
      const [gradient, out, values] = [memory.float32(n), memory.float32(n), memory.float32(n)];
      fillCells(gradient, width, random(n + 29), -0.05, 0.3);
      const [plainGradient, reference, referenceValues] = [Float32Array.from(gradient), new Float32Array(n), new Float32Array(n)];
      // Act
      const confidence = defocusCue(grid, gradient, out, values);
      const referenceConfidence = defocusCue(plain, plainGradient, reference, referenceValues);
      // Assess
      expect(confidence).toBe(referenceConfidence);
      expect(bitsOf(out).equals(bitsOf(reference))).toBe(true);
      if (n > 1000) expect(referenceConfidence).toBeGreaterThan(0);
    }
  });

  it('gradientMagnitude and estimateHorizon: the same gradient bits and horizon as the TypeScript twins at odd sizes', () => {
    for (const [width, height] of SIZES) {
      // Prepare
      const n = width * height;
      const memory = new GridMemory('wasm-simd', 5 * 4 * n + 512, width, height);
      const grid = gridOf(width, height, n + 5, memory);
      const plain = plainCopy(grid);
      const [gradient, reference] = [memory.float32(n), new Float32Array(n)];
      // Act
      gradientMagnitude(grid.luma, width, height, gradient);
      gradientMagnitude(plain.luma, width, height, reference);
      // Assess
      expect(bitsOf(gradient).equals(bitsOf(reference))).toBe(true);
      expect(estimateHorizon(grid, gradient)).toEqual(estimateHorizon(plain, reference));
    }
  });

  it('MotionFollower: the same sources and mismatches as the TypeScript twin, a small subject moved', () => {
    for (const [width, height] of SIZES) {
      // Prepare: a reference grid, then the same with a block of cells moved 2 right and 1 down.
      const n = width * height;
      const memory = new GridMemory('wasm-simd', 16 * 4 * n + 512, width, height);
      const reference = gridOf(width, height, n + 1, memory);
      const moved = gridOf(width, height, n + 1, memory);
      const [bx, by, bw, bh] = [width >> 2, height >> 2, Math.max(1, width >> 2), Math.max(1, height >> 2)];
      for (const plane of ['luma', 'cb', 'cr'] as const) {
        for (let y = by; y < by + bh; y++) {
          for (let x = bx; x < bx + bw; x++) {
            const [tx, ty] = [x + 2, y + 1];
            if (tx < width && ty < height) moved[plane][ty * width + tx] = reference[plane][y * width + x]! + (plane === 'luma' ? 0.3 : 0);
          }
        }
      }
      const wasmFollower = new MotionFollower(width, height, 0.04, memory);
      const typeScriptFollower = new MotionFollower(width, height, 0.04);
      // Act
      wasmFollower.remember(reference);
      typeScriptFollower.remember(plainCopy(reference));
      wasmFollower.follow(moved);
      typeScriptFollower.follow(plainCopy(moved));
      // Assess
      expect(Buffer.from(wasmFollower.source.buffer, wasmFollower.source.byteOffset, 4 * n).equals(Buffer.from(typeScriptFollower.source.buffer))).toBe(true);
      expect(bitsOf(wasmFollower.mismatch).equals(bitsOf(typeScriptFollower.mismatch))).toBe(true);
      if (n > 1000) expect(typeScriptFollower.source.some((from, i) => from !== i)).toBe(true);
    }
  });

  it('FigureGround: the same figure strengths as the TypeScript twin at odd sizes', () => {
    for (const [width, height] of SIZES.filter(([w, h]) => w >= 2 && h >= 2)) {
      // Prepare
      const n = width * height;
      const memory = new GridMemory('wasm-simd', 4 * 4 * n + FigureGround.memoryBytes(width, height) + 512, width, height);
      const wasmFigure = new FigureGround(width, height, memory);
      const typeScriptFigure = new FigureGround(width, height);
      const next = random(n + 3);
      const channels = [memory.float32(n), memory.float32(n), memory.float32(n)];
      channels.forEach((channel, k) => fillCells(channel, width, next, k === 0 ? 0 : -0.3, k === 0 ? 1 : 0.3));
      const plainChannels = channels.map((channel) => Float32Array.from(channel));
      const [out, reference] = [memory.float32(n), new Float32Array(n)];
      // Act: three channels (figureBarriers, one per SIMD lane), then two (figureBarrier, one by one).
      wasmFigure.compute(channels, out);
      typeScriptFigure.compute(plainChannels, reference);
      // Assess
      expect(bitsOf(out).equals(bitsOf(reference))).toBe(true);
      if (n > 1000) expect(reference.some((strength) => strength > 0 && strength < 1)).toBe(true);
      // Act
      wasmFigure.compute(channels.slice(1), out);
      typeScriptFigure.compute(plainChannels.slice(1), reference);
      // Assess
      expect(bitsOf(out).equals(bitsOf(reference))).toBe(true);
    }
  });
});

/**
 * A yuv420p sequence: a textured scene with a bright sky band, a subject moving right across it
 * frame by frame, then a cut to a different scene with the subject moving down.
 */
function movingSequence(layout: FrameLayout, frames: number): Uint8Array[] {
  const { width, height } = layout;
  const chroma = layout.planes[1]!;
  const sequence: Uint8Array[] = [];
  for (let f = 0; f < frames; f++) {
    const cut = f >= frames / 2;
    const next = random(cut ? 99 : 5);
    const frame = new Uint8Array(layout.byteLength);
    const [sx, sy] = cut ? [width / 3, 10 + 9 * f] : [20 + 13 * f, height / 3];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inSubject = x >= sx && x < sx + width / 4 && y >= sy && y < sy + height / 3;
        const sky = !cut && y < height / 4;
        const texture = (next() * 40) | 0;
        frame[y * width + x] = inSubject ? 60 + texture : sky ? 200 + (texture >> 3) : cut ? 30 + ((x * 3) % 150) : 90 + texture + ((y * 80) / height | 0);
      }
    }
    for (let plane = 1; plane <= 2; plane++) {
      const { offset } = layout.planes[plane]!;
      for (let y = 0; y < chroma.height; y++) {
        for (let x = 0; x < chroma.width; x++) {
          const inSubject = 2 * x >= sx && 2 * x < sx + width / 4 && 2 * y >= sy && 2 * y < sy + height / 3;
          frame[offset + y * chroma.width + x] = inSubject ? (plane === 1 ? 90 : 180) : !cut && 2 * y < height / 4 ? (plane === 1 ? 160 : 110) : 128 + ((next() * 10) | 0);
        }
      }
    }
    sequence.push(frame);
  }
  return sequence;
}

describe('DepthEstimator with the WebAssembly kernels', () => {
  it.each([
    ['every frame', 1],
    ['every other frame', 2],
  ])('gives the same f32 fields and grid depth as with the TypeScript kernels (%s, a moving subject, a cut)', (_, refreshInterval) => {
    // Prepare
    const layout = frameLayout('yuv420p', 333, 187);
    const frames = movingSequence(layout, 10);
    const withWasm = new DepthEstimator(layout, { refreshInterval, kernelSet: 'wasm-simd' });
    const withTypeScript = new DepthEstimator(layout, { refreshInterval, kernelSet: 'typescript' });
    const cuts: boolean[] = [];
    let wasmField = withWasm.estimate(frames[0]!);
    withTypeScript.estimate(frames[0]!);
    for (const frame of frames.slice(1)) {
      // Act
      wasmField = withWasm.estimate(frame);
      const typeScriptField = withTypeScript.estimate(frame);
      // Assess
      expect(bitsOf(wasmField.a).equals(bitsOf(typeScriptField.a))).toBe(true);
      expect(bitsOf(wasmField.b).equals(bitsOf(typeScriptField.b))).toBe(true);
      expect(bitsOf(withWasm.lastGridDepth!).equals(bitsOf(withTypeScript.lastGridDepth!))).toBe(true);
      expect(withWasm.lastDiagnostics).toEqual(withTypeScript.lastDiagnostics);
      cuts.push(withWasm.lastDiagnostics!.sceneCut);
    }
    // The WebAssembly estimator's grids live in its kernels' memory (so they ran), and the
    // sequence has its cut where it was made.
    expect(gridMemoryOf(wasmField.a)?.kernels).toBeDefined();
    expect(cuts.indexOf(true)).toBe(4);
  });
});

/**
 * A yuv420p sequence with parallax: a smooth patterned background drifting 1 pixel a frame under a
 * plain bright sky band, a patterned subject moving 5 pixels a frame across it; then a cut to
 * another scene whose subject moves down.
 */
function parallaxSequence(layout: FrameLayout, frames: number): Uint8Array[] {
  const { width, height } = layout;
  const chroma = layout.planes[1]!;
  const sequence: Uint8Array[] = [];
  for (let f = 0; f < frames; f++) {
    const cut = f >= frames / 2;
    const t = cut ? f - frames / 2 : f;
    const frame = new Uint8Array(layout.byteLength);
    const [sx, sy, sw, sh] = cut ? [width / 3, 100 + 4 * t, width / 3, height / 3] : [60 + 5 * t, height / 3, width / 3, height / 2.5];
    const region = (x: number, y: number): number =>
      x >= sx && x < sx + sw && y >= sy && y < sy + sh ? 2 : !cut && y < height / 6 ? 0 : 1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const r = region(x, y);
        const v = r === 2
          ? (cut ? 70 + 50 * Math.sin((y - 4 * t) / 9) : 150 + 60 * Math.sin((x - 5 * t) / 11 + y / 19))
          : r === 0 ? 215 + 10 * Math.sin(x / 40) : (cut ? 40 + 30 * Math.cos(x / 25 + y / 31) : 100 + 50 * Math.sin((x + t) / 17) * Math.cos(y / 23) + (y * 40) / height);
        frame[y * width + x] = Math.round(v);
      }
    }
    for (let plane = 1; plane <= 2; plane++) {
      const { offset } = layout.planes[plane]!;
      for (let y = 0; y < chroma.height; y++) {
        for (let x = 0; x < chroma.width; x++) {
          const r = region(2 * x, 2 * y);
          frame[offset + y * chroma.width + x] = r === 2 ? (plane === 1 ? 90 : 170) : r === 0 ? (plane === 1 ? 160 : 110) : 128 + Math.round(8 * Math.sin(x / 13 + plane));
        }
      }
    }
    sequence.push(frame);
  }
  return sequence;
}

/**
 * The digest (SHA-256 of the f32 bits of the fields' A and B and of the grid depth, frame by
 * frame) of the estimates over parallaxSequence at 640×720 (half width), as the estimator gave
 * them before its kernels were rewritten for speed (commit 1d7ad63), with either kernel set: a
 * rewrite must not change the depth. Change these only with a deliberate change of the estimate.
 */
const PINNED_DIGESTS: Record<number, string> = {
  1: '7a94c1356613d37398212e340787d9df55c045dcf3313e604987ba11b72535fe',
  2: '828a19470a29026b75db5a02ff5b0aaec296f9548edaf34cdcfe7902930118d0',
};

describe('DepthEstimator fields pinned', () => {
  // A half-width 720p frame (as a half-sbs conversion estimates), a subject moving frame by frame
  // (motion cue and motion follower at work), a sky band, a cut.
  const layout = frameLayout('yuv420p', 640, 720);
  let frames: Uint8Array[] = [];
  beforeAll(() => {
    frames = parallaxSequence(layout, 16);
  });

  it.each([
    ['wasm-simd', 'every frame', 1],
    ['wasm-simd', 'every other frame', 2],
    ['typescript', 'every frame', 1],
    ['typescript', 'every other frame', 2],
  ] as const)('%s kernels, re-estimated %s: the same f32 bits as pinned over a moving sequence', (kernelSet, _, refreshInterval) => {
    // Prepare
    const estimator = new DepthEstimator(layout, { pixelAspect: 2, refreshInterval, kernelSet });
    const digest = createHash('sha256');
    let moving = 0;
    // Act
    for (const frame of frames) {
      const field = estimator.estimate(frame);
      for (const values of [field.a, field.b, estimator.lastGridDepth!]) digest.update(bitsOf(values));
      if (estimator.lastDiagnostics!.motionConfidence > 0) moving++;
    }
    // Assess
    expect(digest.digest('hex')).toBe(PINNED_DIGESTS[refreshInterval]);
    expect(moving).toBeGreaterThan(0);
  });
});
