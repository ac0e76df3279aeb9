// Golden tests: the WebAssembly SIMD kernels (assembly/kernels.ts) against the TypeScript kernels
// they replace. Every kernel here is integer-exact or repeats the TypeScript's f64 arithmetic in
// the same order, so the bar is bytes equal (no ±1 tolerance anywhere), on odd sizes, strong
// parallax and holes. (The dilation's window max may differ from the TypeScript's in the sign of
// a zero among equal maxima: equal floats, equal bases, equal output bytes.)
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import type { OutputMode } from '@stereo-spot/shared-types';
import { DepthFieldSampler, fieldRowLengths } from '../src/depth/field';
import { createAnalysisGrid, gridSizeFor, reduceToGrid } from '../src/depth/grid';
import { frameLayout, upsampleChroma420, type PlanarFormat } from '../src/frame/planar';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ANAGLYPH_TABLE_BYTES, ANAGLYPH_YUV_TABLE_BYTES, RENDER_PLAN, WASM_KERNELS_FILE, WasmKernelArena, availableKernelSet, loadWasmKernels, warpScratchBytes, type WasmKernelExports } from '../src/stereo/kernels';
import { ANAGLYPH_MATRICES, anaglyphRow, anaglyphYuvConstants, anaglyphYuvRow, type YuvEncoding } from '../src/stereo/anaglyph';
import { StereoRenderer, type RenderOptions } from '../src/stereo/renderer';
import { forwardWarpRow, sampleChromaRow, sampleRow } from '../src/stereo/warp';
import { random } from './support/random';


/** A depth row of near and far blocks with gentle slopes: folds, tears (holes) and stretches. */
function blockyDepth(width: number, next: () => number): Float32Array {
  const depth = new Float32Array(width);
  let level = next();
  for (let x = 0; x < width; x++) {
    if (next() < 0.08) level = next() < 0.5 ? next() * 0.2 : 0.8 + next() * 0.2;
    depth[x] = Math.min(1, Math.max(0, level + (next() - 0.5) * 0.05));
  }
  return depth;
}

const WIDTHS = [1, 2, 3, 5, 7, 17, 33, 97, 641];
/** Signed gains in pixels, up to a 40 px parallax: both walk directions, big disocclusions. */
const GAINS = [-40, -9.6, -2.5, -0.3, 0.3, 2.5, 9.6, 40];

/** One kernel instance with room for rows up to `width` pixels. */
function wasmRows(width: number) {
  const arena = new WasmKernelArena();
  const base = arena.reserve(4 * width);
  const depth = arena.reserve(4 * width);
  const positions = arena.reserve(4 * (width + 1));
  const warpScratch = arena.reserve(warpScratchBytes(width));
  const half = arena.reserve(4 * width);
  const src = arena.reserve(width);
  const dst = arena.reserve(width);
  const { kernels, buffer } = arena.instantiate();
  return {
    kernels: kernels as WasmKernelExports,
    warpScratch,
    base: { at: base, view: new Float32Array(buffer, base, width) },
    depth: { at: depth, view: new Float32Array(buffer, depth, width) },
    positions: { at: positions, view: new Int32Array(buffer, positions, width) },
    half: { at: half, view: new Int32Array(buffer, half, width) },
    src: { at: src, view: new Uint8Array(buffer, src, width) },
    dst: { at: dst, view: new Uint8Array(buffer, dst, width) },
  };
}

beforeAll(() => {
  // The real build step, as the bootstrap runs it (a no-op when the .wasm is current).
  execFileSync(process.execPath, [path.join(__dirname, '..', '..', '..', 'scripts', 'build-wasm.mjs'), '--strict'], { stdio: 'pipe' });
});

describe('WebAssembly SIMD kernels', () => {
  it('load in this Node', () => {
    expect(availableKernelSet()).toBe('wasm-simd');
    expect('module' in loadWasmKernels(WASM_KERNELS_FILE)).toBe(true);
  });

  it('give way, with a reason, when the build is missing or not WebAssembly', () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'kernels-'));
    const corrupt = path.join(dir, 'kernels.wasm');
    writeFileSync(corrupt, 'not wasm');

    // Act
    const missing = loadWasmKernels(path.join(dir, 'absent.wasm'));
    const broken = loadWasmKernels(corrupt);

    // Assess
    expect(missing).toEqual({ failure: expect.stringContaining('absent.wasm is missing (node scripts/build-wasm.mjs builds it)') });
    expect(broken).toEqual({ failure: expect.stringMatching(/WebAssembly|magic|wasm/i) });
  });

  it('forwardWarpRow: the same fixed-point positions, bytes equal, at odd widths, strong parallax and holes', () => {
    const next = random(1);
    for (const width of WIDTHS) {
      const rows = wasmRows(width);
      for (const k of GAINS) {
        // Prepare
        const depth = blockyDepth(width, next);
        const base = depth.map((d) => d - 0.5);
        rows.depth.view.set(depth);
        rows.base.view.set(base);
        const expected = new Int32Array(width);

        // Act
        forwardWarpRow(base, k, depth, width, expected);
        rows.kernels.forwardWarpRow(rows.base.at, k, rows.depth.at, width, rows.positions.at, rows.warpScratch);

        // Assess
        expect({ width, k, positions: Array.from(rows.positions.view) }).toEqual({ width, k, positions: Array.from(expected) });
      }
    }
  });

  it('forwardWarpRow: opens holes and folds surfaces over the way the TypeScript kernel does', () => {
    // Prepare: a near block (sources 10..19, depth 1) on a far background (depth 0, no shift),
    // the block shifted 12 px right: it covers background 22..31 and leaves a hole at 10..21.
    const width = 41;
    const depth = Float32Array.from({ length: width }, (_, x) => (x >= 10 && x < 20 ? 1 : 0));
    const rows = wasmRows(width);
    rows.depth.view.set(depth);
    rows.base.view.set(depth);

    // Act
    rows.kernels.forwardWarpRow(rows.base.at, 12, rows.depth.at, width, rows.positions.at, rows.warpScratch);

    // Assess: the block pixel 13 is at 25, the hole is filled from the background (source 9,
    // the farther neighbour), and the whole row equals the TypeScript kernel's.
    const positions = Array.from(rows.positions.view);
    expect(positions[25]! >> 8).toBe(13);
    expect(positions.slice(10, 20).map((q) => q >> 8)).toEqual(new Array<number>(10).fill(9));
    const expected = new Int32Array(width);
    forwardWarpRow(depth, 12, depth, width, expected);
    expect(positions).toEqual(Array.from(expected));
  });

  it('sampleRow: bytes equal at odd widths, on warped positions and at the clamp', () => {
    const next = random(2);
    for (const width of WIDTHS) {
      const rows = wasmRows(width);
      for (const k of GAINS) {
        // Prepare
        const depth = blockyDepth(width, next);
        const positions = new Int32Array(width);
        forwardWarpRow(depth.map((d) => d - 0.5), k, depth, width, positions);
        // Past the end too: both kernels clamp to the last interpolation interval.
        if (width > 2) positions[width - 1] = width * 256 + 77;
        const src = Uint8Array.from({ length: width }, () => Math.floor(next() * 256));
        rows.src.view.set(src);
        rows.positions.view.set(positions);
        const expected = new Uint8Array(width);

        // Act
        sampleRow(src, 0, width, positions, width, expected, 0);
        rows.kernels.sampleRow(rows.src.at, width, rows.positions.at, width, rows.dst.at);

        // Assess
        expect({ width, k, bytes: Array.from(rows.dst.view) }).toEqual({ width, k, bytes: Array.from(expected) });
      }
    }
  });

  it('sampleChromaRow: bytes equal for every chroma width of an odd luma width', () => {
    const next = random(3);
    for (const lumaWidth of WIDTHS) {
      const chromaWidth = (lumaWidth + 1) >> 1;
      if (chromaWidth < 2) continue; // the renderer never samples a 1-wide chroma row this way
      const rows = wasmRows(lumaWidth);
      for (const k of GAINS) {
        // Prepare
        const depth = blockyDepth(lumaWidth, next);
        const lumaPositions = new Int32Array(lumaWidth + 1);
        forwardWarpRow(depth.map((d) => d - 0.5), k, depth, lumaWidth, lumaPositions);
        const src = Uint8Array.from({ length: chromaWidth }, () => Math.floor(next() * 256));
        rows.src.view.set(src);
        rows.positions.view.set(lumaPositions.subarray(0, lumaWidth));
        const expected = new Uint8Array(chromaWidth);

        // Act
        sampleChromaRow(src, 0, chromaWidth, lumaPositions, expected, 0, new Int32Array(chromaWidth));
        rows.kernels.sampleChromaRow(rows.src.at, chromaWidth, rows.positions.at, rows.dst.at, rows.half.at);

        // Assess
        expect({ lumaWidth, k, bytes: Array.from(rows.dst.view.subarray(0, chromaWidth)) }).toEqual({ lumaWidth, k, bytes: Array.from(expected) });
      }
    }
  });

  it.each([2, 3])('sampleRows (%i planes at shared positions): each plane\'s bytes equal to sampleRow\'s, at odd widths', (planes) => {
    const next = random(7 + planes);
    for (const width of WIDTHS) {
      for (const k of GAINS) {
        // Prepare
        const arena = new WasmKernelArena();
        const at = { positions: arena.reserve(4 * width), src: [0, 1, 2].map(() => arena.reserve(width)), dst: [0, 1, 2].map(() => arena.reserve(width)) };
        const { kernels, buffer } = arena.instantiate();
        const depth = blockyDepth(width, next);
        const positions = new Int32Array(width);
        forwardWarpRow(depth.map((d) => d - 0.5), k, depth, width, positions);
        if (width > 2) positions[0] = width * 256 + 5; // past the end: clamped like sampleRow
        new Int32Array(buffer, at.positions, width).set(positions);
        const sources = at.src.map((offset) => {
          const view = new Uint8Array(buffer, offset, width);
          view.set(Uint8Array.from({ length: width }, () => Math.floor(next() * 256)));
          return view;
        });
        const expected = sources.slice(0, planes).map((src) => {
          const row = new Uint8Array(width);
          sampleRow(src, 0, width, positions, width, row, 0);
          return Array.from(row);
        });

        // Act
        kernels.sampleRows(planes, at.src[0]!, at.src[1]!, at.src[2]!, width, at.positions, width, at.dst[0]!, at.dst[1]!, at.dst[2]!);

        // Assess
        const actual = at.dst.slice(0, planes).map((offset) => Array.from(new Uint8Array(buffer, offset, width)));
        expect({ width, k, actual }).toEqual({ width, k, actual: expected });
      }
    }
  });

  it('halveRow: bytes equal to the half-sbs average (a + b + 1) >> 1', () => {
    const next = random(4);
    for (const width of WIDTHS) {
      // Prepare
      const rows = wasmRows(width);
      const outWidth = width >> 1;
      const src = Uint8Array.from({ length: width }, () => Math.floor(next() * 256));
      rows.src.view.set(src);
      const expected = Array.from({ length: outWidth }, (_, i) => (src[2 * i]! + src[2 * i + 1]! + 1) >> 1);

      // Act
      rows.kernels.halveRow(rows.src.at, rows.dst.at, outWidth);

      // Assess
      expect(Array.from(rows.dst.view.subarray(0, outWidth))).toEqual(expected);
    }
  });
});

describe('WebAssembly SIMD anaglyph', () => {
  it.each(Object.keys(ANAGLYPH_MATRICES) as Array<keyof typeof ANAGLYPH_MATRICES>)('anaglyphRow (%s): bytes equal at odd widths, over the whole byte range', (method) => {
    const next = random(6);
    for (const width of WIDTHS) {
      // Prepare: six view rows (G, B, R of each eye) with extremes, so both clamps are hit.
      const arena = new WasmKernelArena();
      const matrices = arena.reserve(18 * 8);
      const rows = Array.from({ length: 6 }, () => arena.reserve(width));
      const outRows = Array.from({ length: 3 }, () => arena.reserve(width));
      const { kernels, buffer } = arena.instantiate();
      const { left, right } = ANAGLYPH_MATRICES[method];
      new Float64Array(buffer, matrices, 18).set([...left, ...right]);
      const views = rows.map((at) => {
        const view = new Uint8Array(buffer, at, width);
        view.set(Uint8Array.from({ length: width }, () => (next() < 0.2 ? (next() < 0.5 ? 0 : 255) : Math.floor(next() * 256))));
        return view;
      });
      const expected = new Uint8Array(3 * width);

      // Act
      anaglyphRow(ANAGLYPH_MATRICES[method], [views[0]!, views[1]!, views[2]!], [views[3]!, views[4]!, views[5]!], width, expected, [0, width, 2 * width]);
      kernels.anaglyphRow(matrices, rows[0]!, rows[1]!, rows[2]!, rows[3]!, rows[4]!, rows[5]!, width, outRows[0]!, outRows[1]!, outRows[2]!);

      // Assess
      const actual = outRows.flatMap((at) => Array.from(new Uint8Array(buffer, at, width)));
      expect({ width, bytes: actual }).toEqual({ width, bytes: Array.from(expected) });
    }
  });
});

describe('WebAssembly SIMD anaglyph from YUV', () => {
  const ENCODINGS: YuvEncoding[] = [
    { matrix: 'bt709', fullRange: false },
    { matrix: 'bt601', fullRange: false },
    { matrix: 'bt709', fullRange: true },
    { matrix: 'bt2020', fullRange: false },
    { matrix: 'smpte240m', fullRange: true },
  ];
  const CASES = (Object.keys(ANAGLYPH_MATRICES) as Array<keyof typeof ANAGLYPH_MATRICES>).flatMap((method) =>
    ENCODINGS.map((source) => ({ method, matrix: source.matrix, fullRange: source.fullRange })),
  );

  it.each(CASES)('anaglyphYuvRow ($method, $matrix, full range $fullRange): bytes equal at odd widths, out-of-gamut samples included', ({ method, matrix, fullRange }) => {
    const next = random(11);
    const constants = anaglyphYuvConstants(ANAGLYPH_MATRICES[method], { matrix, fullRange });
    for (const width of WIDTHS) {
      // Prepare: Y, Cb, Cr rows of each eye with extremes (0 and 255 lie outside the RGB gamut
      // in most combinations, so the per-view clamp is hit), the table as f32x4 splats.
      const arena = new WasmKernelArena();
      const table = arena.reserve(ANAGLYPH_YUV_TABLE_BYTES);
      const rows = Array.from({ length: 6 }, () => arena.reserve(width));
      const outRows = Array.from({ length: 3 }, () => arena.reserve(width));
      const { kernels, buffer } = arena.instantiate();
      const splats = new Float32Array(buffer, table, ANAGLYPH_YUV_TABLE_BYTES / 4);
      constants.forEach((value, i) => splats.fill(value, 4 * i, 4 * i + 4));
      const views = rows.map((at) => {
        const view = new Uint8Array(buffer, at, width);
        view.set(Uint8Array.from({ length: width }, () => (next() < 0.2 ? (next() < 0.5 ? 0 : 255) : Math.floor(next() * 256))));
        return view;
      });
      const expected = new Uint8Array(3 * width);

      // Act
      anaglyphYuvRow(constants, [views[0]!, views[1]!, views[2]!], [views[3]!, views[4]!, views[5]!], width, expected, [0, width, 2 * width]);
      kernels.anaglyphYuvRow(table, rows[0]!, rows[1]!, rows[2]!, rows[3]!, rows[4]!, rows[5]!, width, outRows[0]!, outRows[1]!, outRows[2]!);

      // Assess
      const actual = outRows.flatMap((at) => Array.from(new Uint8Array(buffer, at, width)));
      expect({ width, bytes: actual }).toEqual({ width, bytes: Array.from(expected) });
    }
  });
});

describe('WebAssembly SIMD chroma upsampling', () => {
  it('upsampleChroma420: bytes equal at odd and tiny sizes', () => {
    const next = random(13);
    for (const [width, height] of [[1, 1], [2, 2], [3, 5], [17, 3], [33, 9], [47, 12], [130, 7]] as const) {
      // Prepare: a noisy 4:2:0 frame with extremes, in the module's memory.
      const source = frameLayout('yuv420p', width, height);
      const target = frameLayout('yuv444p', width, height);
      const arena = new WasmKernelArena();
      const src = arena.reserve(source.byteLength);
      const dst = arena.reserve(target.byteLength);
      const row = arena.reserve(((width + 1) >> 1) + 18);
      const { kernels, buffer } = arena.instantiate();
      const frame = new Uint8Array(buffer, src, source.byteLength);
      frame.set(Uint8Array.from({ length: source.byteLength }, () => (next() < 0.2 ? (next() < 0.5 ? 0 : 255) : Math.floor(next() * 256))));
      const expected = new Uint8Array(target.byteLength);

      // Act
      upsampleChroma420(frame, source, expected);
      kernels.upsampleChroma420(src, width, height, dst, row);

      // Assess
      expect({ width, height, bytes: Array.from(new Uint8Array(buffer, dst, target.byteLength)) }).toEqual({ width, height, bytes: Array.from(expected) });
    }
  });
});

describe('WebAssembly SIMD anaglyph in fixed point', () => {
  /** Six view rows of `width` pixels in one kernel instance, with the matrices and the table. */
  function fixedRows(method: keyof typeof ANAGLYPH_MATRICES, width: number) {
    const arena = new WasmKernelArena();
    const matrices = arena.reserve(18 * 8);
    const table = arena.reserve(ANAGLYPH_TABLE_BYTES);
    const rows = Array.from({ length: 6 }, () => arena.reserve(width));
    const outRows = Array.from({ length: 3 }, () => arena.reserve(width));
    const { kernels, buffer } = arena.instantiate();
    const { left, right } = ANAGLYPH_MATRICES[method];
    new Float64Array(buffer, matrices, 18).set([...left, ...right]);
    const views = rows.map((at) => new Uint8Array(buffer, at, width));
    const render = (): { expected: number[]; actual: number[] } => {
      const expected = new Uint8Array(3 * width);
      anaglyphRow(ANAGLYPH_MATRICES[method], [views[0]!, views[1]!, views[2]!], [views[3]!, views[4]!, views[5]!], width, expected, [0, width, 2 * width]);
      kernels.anaglyphRowFixed(table, matrices, rows[0]!, rows[1]!, rows[2]!, rows[3]!, rows[4]!, rows[5]!, width, outRows[0]!, outRows[1]!, outRows[2]!);
      return { expected: Array.from(expected), actual: outRows.flatMap((at) => Array.from(new Uint8Array(buffer, at, width))) };
    };
    return { kernels, buffer, matrices, table, views, render };
  }

  it.each(Object.keys(ANAGLYPH_MATRICES) as Array<keyof typeof ANAGLYPH_MATRICES>)('anaglyphRowFixed (%s): bytes equal to the f64 sums at odd widths, over the whole byte range', (method) => {
    const next = random(16);
    for (const width of [...WIDTHS, 4096]) {
      // Prepare: six view rows with extremes, so both clamps are hit.
      const { kernels, matrices, table, views, render } = fixedRows(method, width);
      for (const view of views) view.set(Uint8Array.from({ length: width }, () => (next() < 0.2 ? (next() < 0.5 ? 0 : 255) : Math.floor(next() * 256))));

      // Act
      const fits = kernels.anaglyphTable(matrices, table);
      const { expected, actual } = render();

      // Assess
      expect(fits).toBe(1);
      expect({ width, bytes: actual }).toEqual({ width, bytes: expected });
    }
  });

  it.each(['dubois', 'gray'] as const)('anaglyphRowFixed (%s): bytes equal where a sum lies within the fixed point\'s error of a rounding step', (method) => {
    // Prepare: pixels (searched at random) whose f64 sum for some output lies within 2e-4 of a
    // half (765 / 2^22 is the fixed point's error bound), so the f64 fallback has to decide.
    const { left, right } = ANAGLYPH_MATRICES[method];
    const next = random(17);
    const width = 8 * 64;
    const { kernels, matrices, table, views, render } = fixedRows(method, width);
    let found = 0;
    for (let x = 0; x < width; x++) {
      for (;;) {
        const bytes = Array.from({ length: 6 }, () => Math.floor(next() * 256));
        const [lg, lb, lr, rg, rb, rr] = bytes as [number, number, number, number, number, number];
        const sums = [0, 1, 2].map((o) => left[3 * o]! * lr + left[3 * o + 1]! * lg + left[3 * o + 2]! * lb + right[3 * o]! * rr + right[3 * o + 1]! * rg + right[3 * o + 2]! * rb);
        const near = sums.some((v) => v > 0 && v < 255 && Math.abs(v + 0.5 - Math.round(v + 0.5)) < 2e-4);
        // Every other pixel near a step; the others anything.
        if (near || x % 2 === 1) {
          if (near) found++;
          bytes.forEach((b, plane) => { views[plane]![x] = b; });
          break;
        }
      }
    }

    // Act
    kernels.anaglyphTable(matrices, table);
    const { expected, actual } = render();

    // Assess
    expect(found).toBeGreaterThanOrEqual(width / 2);
    expect(actual).toEqual(expected);
  });

  it('anaglyphTable refuses matrices whose fixed-point sums could leave i32 (the renderer then sums in f64)', () => {
    // Prepare
    const arena = new WasmKernelArena();
    const matrices = arena.reserve(18 * 8);
    const table = arena.reserve(ANAGLYPH_TABLE_BYTES);
    const { kernels, buffer } = arena.instantiate();
    const huge = new Float64Array(18);
    huge[0] = 3; // 3 · 255 · 2^22 > 2^31
    const negative = new Float64Array(18);
    negative[9] = -2.5;
    const notANumber = new Float64Array(18).fill(Number.NaN);

    // Act
    const answers = [huge, negative, notANumber].map((m) => {
      new Float64Array(buffer, matrices, 18).set(m);
      return kernels.anaglyphTable(matrices, table);
    });

    // Assess
    expect(answers).toEqual([0, 0, 0]);
  });
});

describe('WebAssembly depth field rows', () => {
  it.each([
    { format: 'yuv420p' as const, width: 97, height: 23, cells: 64 },
    { format: 'gbrp' as const, width: 83, height: 19, cells: 48 },
    { format: 'yuv444p' as const, width: 7, height: 5, cells: 4 },
  ])('fieldRow and fieldRowPair ($format $width×$height): the same f32 depth as DepthFieldSampler.row, every row', ({ format, width, height, cells }) => {
    // Prepare: a random field (depth beyond [0, 1] too, so both clamps are hit) and frame.
    const next = random(width);
    const layout = frameLayout(format, width, height);
    const grid = gridSizeFor(width, height, cells);
    const n = grid.gridWidth * grid.gridHeight;
    const field = {
      ...grid,
      a: Float32Array.from({ length: n }, () => (next() - 0.5) * 3),
      b: Float32Array.from({ length: n }, () => next() * 1.6 - 0.3),
    };
    const frame = Uint8Array.from({ length: layout.byteLength }, () => Math.floor(next() * 256));
    const gridRow = fieldRowLengths(width, grid.gridWidth).grid;
    const arena = new WasmKernelArena();
    const at = {
      frame: arena.reserve(layout.byteLength), aRow: arena.reserve(4 * gridRow), bRow: arena.reserve(4 * gridRow),
      runStart: arena.reserve(4 * gridRow), runWeight: arena.reserve(4 * gridRow), guide: arena.reserve(4 * width), out: arena.reserve(4 * width),
      aRow2: arena.reserve(4 * gridRow), bRow2: arena.reserve(4 * gridRow), guide2: arena.reserve(4 * width), out2: arena.reserve(4 * width),
    };
    const { kernels, buffer } = arena.instantiate();
    new Uint8Array(buffer, at.frame, layout.byteLength).set(frame);
    const reference = new DepthFieldSampler(layout, grid.gridWidth, grid.gridHeight, grid.cellWidth, grid.cellHeight);
    const placed = new DepthFieldSampler(layout, grid.gridWidth, grid.gridHeight, grid.cellWidth, grid.cellHeight, {
      aRow: new Float32Array(buffer, at.aRow, gridRow), bRow: new Float32Array(buffer, at.bRow, gridRow),
      runStart: new Int32Array(buffer, at.runStart, gridRow), runWeight: new Float32Array(buffer, at.runWeight, gridRow),
      guide: new Float32Array(buffer, at.guide, width),
    });
    const expected = new Float32Array(width);
    const yuv = format !== 'gbrp';
    for (let y = 0; y < height; y++) {
      // Act
      reference.row(frame, field, y, expected);
      placed.prepareRow(frame, field, y);
      kernels.fieldRow(at.aRow, at.bRow, at.runStart, at.runWeight, grid.gridWidth, placed.leadingPixels, placed.step,
        yuv ? at.frame + y * width : at.guide, yuv ? 1 : 0, at.out);

      // Assess
      expect({ y, depth: Array.from(new Float32Array(buffer, at.out, width)) }).toEqual({ y, depth: Array.from(expected) });
    }
    // fieldRowPair: rows y and y + 1 at once (the row before in the second coefficient rows).
    const second = new DepthFieldSampler(layout, grid.gridWidth, grid.gridHeight, grid.cellWidth, grid.cellHeight, {
      aRow: new Float32Array(buffer, at.aRow2, gridRow), bRow: new Float32Array(buffer, at.bRow2, gridRow),
      runStart: new Int32Array(buffer, at.runStart, gridRow), runWeight: new Float32Array(buffer, at.runWeight, gridRow),
      guide: new Float32Array(buffer, at.guide2, width),
    });
    const expectedNext = new Float32Array(width);
    for (let y = 0; y + 1 < height; y++) {
      // Act
      reference.row(frame, field, y, expected);
      reference.row(frame, field, y + 1, expectedNext);
      placed.prepareRow(frame, field, y);
      second.prepareRow(frame, field, y + 1);
      kernels.fieldRowPair(at.aRow, at.bRow, at.aRow2, at.bRow2, at.runStart, at.runWeight, grid.gridWidth, placed.leadingPixels, placed.step,
        yuv ? at.frame + y * width : at.guide, yuv ? at.frame + (y + 1) * width : at.guide2, yuv ? 1 : 0, at.out, at.out2);

      // Assess
      expect({ y, depth: Array.from(new Float32Array(buffer, at.out, width)), next: Array.from(new Float32Array(buffer, at.out2, width)) })
        .toEqual({ y, depth: Array.from(expected), next: Array.from(expectedNext) });
    }
  });
});

describe('WebAssembly depth field coefficient rows', () => {
  it.each([
    // Cells 5, 4 and 3 px high (two rows mostly between the same grid rows, the one pass) and
    // 1 px (never); odd grid widths (the scalar column after the pairs), YUV (A scaled by
    // 1/255) and gbrp (with its guide row).
    { format: 'yuv420p' as const, width: 98, height: 45, cells: 20 },
    { format: 'yuv444p' as const, width: 77, height: 35, cells: 16 },
    { format: 'gbrp' as const, width: 83, height: 31, cells: 24 },
    { format: 'gbrp' as const, width: 83, height: 31, cells: 16 },
    { format: 'gbrp' as const, width: 9, height: 7, cells: 64 },
  ])('prepareFieldRows ($format $width×$height): rows y and y + 1 the same f32 coefficients (and guide) as DepthFieldSampler.prepareRow', ({ format, width, height, cells }) => {
    // Prepare: a random field and frame, and the plan slots prepareFieldRows reads.
    const next = random(width * 7 + height);
    const layout = frameLayout(format, width, height);
    const grid = gridSizeFor(width, height, cells);
    const n = grid.gridWidth * grid.gridHeight;
    const field = {
      ...grid,
      a: Float32Array.from({ length: n }, () => (next() - 0.5) * 3),
      b: Float32Array.from({ length: n }, () => next() * 1.6 - 0.3),
    };
    const frame = Uint8Array.from({ length: layout.byteLength }, () => Math.floor(next() * 256));
    const gridRow = fieldRowLengths(width, grid.gridWidth).grid;
    const arena = new WasmKernelArena();
    const at = {
      plan: arena.reserve(RENDER_PLAN.bytes), frame: arena.reserve(layout.byteLength), fieldA: arena.reserve(4 * n), fieldB: arena.reserve(4 * n),
      aRow: arena.reserve(4 * gridRow), bRow: arena.reserve(4 * gridRow), guide: arena.reserve(4 * width),
      aRow2: arena.reserve(4 * gridRow), bRow2: arena.reserve(4 * gridRow), guide2: arena.reserve(4 * width),
    };
    const { kernels, buffer } = arena.instantiate();
    new Uint8Array(buffer, at.frame, layout.byteLength).set(frame);
    new Float32Array(buffer, at.fieldA, n).set(field.a);
    new Float32Array(buffer, at.fieldB, n).set(field.b);
    const ints = new Int32Array(buffer, at.plan, 64);
    const { int, float, formats } = RENDER_PLAN;
    ints[int.width] = width;
    ints[int.height] = height;
    ints[int.format] = formats[format];
    ints[int.frame] = at.frame;
    ints[int.fieldA] = at.fieldA;
    ints[int.fieldB] = at.fieldB;
    ints[int.gridWidth] = grid.gridWidth;
    ints[int.gridHeight] = grid.gridHeight;
    new Float64Array(buffer, at.plan + 256, 8)[float.cellHeight] = grid.cellHeight;
    const reference = new DepthFieldSampler(layout, grid.gridWidth, grid.gridHeight, grid.cellWidth, grid.cellHeight);
    const rows = (a: number, b: number, guide: number) => ({
      a: Array.from(new Float32Array(buffer, a, gridRow)),
      b: Array.from(new Float32Array(buffer, b, gridRow)),
      guide: format === 'gbrp' ? Array.from(new Float32Array(buffer, guide, width)) : [],
    });
    const expected = (y: number) => {
      reference.prepareRow(frame, field, y);
      return { a: Array.from(reference.aRow), b: Array.from(reference.bRow), guide: format === 'gbrp' ? Array.from(reference.guide) : [] };
    };
    for (let y = 0; y + 1 < height; y++) {
      // Act
      kernels.prepareFieldRows(at.plan, y, at.aRow, at.bRow, at.guide, at.aRow2, at.bRow2, at.guide2);

      // Assess
      expect({ y, rows: rows(at.aRow, at.bRow, at.guide) }).toEqual({ y, rows: expected(y) });
      expect({ y: y + 1, rows: rows(at.aRow2, at.bRow2, at.guide2) }).toEqual({ y: y + 1, rows: expected(y + 1) });
    }
  });
});

describe('WebAssembly SIMD analysis grid', () => {
  it.each([
    // rowStep 2 (cells ≥ 4 px high), 3-px-wide cells, an unused right column and bottom row.
    { format: 'yuv420p' as const, width: 641, height: 361, resolution: 256, pixelAspect: 2 },
    { format: 'yuv420p' as const, width: 97, height: 35, resolution: 64, pixelAspect: 1 },
    // rowStep 1 (cells under 4 px high) and 1-px cells.
    { format: 'yuv420p' as const, width: 33, height: 17, resolution: 32, pixelAspect: 1 },
    { format: 'yuv444p' as const, width: 99, height: 21, resolution: 48, pixelAspect: 0.5 },
    { format: 'gbrp' as const, width: 83, height: 29, resolution: 24, pixelAspect: 1 },
    { format: 'gbrp' as const, width: 385, height: 217, resolution: 384, pixelAspect: 1 },
    { format: 'gbrp' as const, width: 7, height: 5, resolution: 16, pixelAspect: 1 },
  ])('reduceToGrid ($format $width×$height, $resolution cells): the same f32 bits as the TypeScript reduction', ({ format, width, height, resolution, pixelAspect }) => {
    const next = random(width + height);
    const layout = frameLayout(format, width, height);
    const size = gridSizeFor(width, height, resolution, pixelAspect);
    for (let round = 0; round < 2; round++) {
      // Prepare: flat blocks with noise and extremes (large and small steps between neighbours).
      const frame = new Uint8Array(layout.byteLength);
      let level = 0;
      for (let i = 0; i < frame.length; i++) {
        if (next() < 0.05) level = next() < 0.3 ? (next() < 0.5 ? 0 : 255) : Math.floor(next() * 256);
        frame[i] = Math.min(255, Math.max(0, level + Math.floor((next() - 0.5) * 24)));
      }
      const expected = createAnalysisGrid(size);
      const actual = createAnalysisGrid(size);

      // Act
      reduceToGrid(frame, layout, expected, 'typescript');
      reduceToGrid(frame, layout, actual, 'wasm-simd');

      // Assess
      for (const key of ['luma', 'cb', 'cr', 'detail'] as const) {
        expect({ key, round, bits: Buffer.from(actual[key].buffer).equals(Buffer.from(expected[key].buffer)) }).toEqual({ key, round, bits: true });
      }
    }
  });
});

describe('WebAssembly SIMD analysis grid, several frame sizes on one thread', () => {
  it('reduceToGrid interleaving six sizes (more than it keeps instances for): the same f32 bits every time', () => {
    const next = random(42);
    const sizes = [[64, 36], [48, 48], [97, 35], [32, 18], [40, 30], [66, 22]] as const;
    for (let round = 0; round < 2; round++) {
      for (const [width, height] of sizes) {
        // Prepare
        const layout = frameLayout('yuv420p', width, height);
        const size = gridSizeFor(width, height, 32);
        const frame = Uint8Array.from({ length: layout.byteLength }, () => Math.floor(next() * 256));
        const expected = createAnalysisGrid(size);
        const actual = createAnalysisGrid(size);

        // Act
        reduceToGrid(frame, layout, expected, 'typescript');
        reduceToGrid(frame, layout, actual, 'wasm-simd');

        // Assess
        const same = (['luma', 'cb', 'cr', 'detail'] as const).every((key) => Buffer.from(actual[key].buffer).equals(Buffer.from(expected[key].buffer)));
        expect({ round, width, height, same }).toEqual({ round, width, height, same: true });
      }
    }
  });
});

describe('WebAssembly SIMD edge dilation', () => {
  it('dilateAndShift: the clamped window max and the f32 base the TypeScript computes, at every radius and odd widths, with and without a border taper', () => {
    const next = random(5);
    for (const width of WIDTHS) {
      for (const [radius, unitTaper] of [0, 1, 2, 3, 7, 16].flatMap((r) => [[r, false], [r, true]] as const)) {
        // Prepare
        const arena = new WasmKernelArena();
        const at = {
          depth: arena.reserve(4 * width), taper: arena.reserve(4 * width), padded: arena.reserve(4 * (width + 32)),
          dilated: arena.reserve(4 * width), base: arena.reserve(4 * width),
        };
        const { kernels, buffer } = arena.instantiate();
        const depth = blockyDepth(width, next);
        // All ones (no zero-parallax border: the kernel leaves the product out) or mostly ones.
        const taper = Float32Array.from({ length: width }, () => (unitTaper || next() < 0.7 ? 1 : next()));
        new Float32Array(buffer, at.depth, width).set(depth);
        new Float32Array(buffer, at.taper, width).set(taper);
        const convergence = 0.4;
        // The TypeScript renderer's result, written plainly: max over the clamped window, then
        // (max − convergence) · taper in doubles, stored as f32.
        const expectedDilated = Float32Array.from({ length: width }, (_, x) => {
          let m = depth[x]!;
          for (let i = x - radius; i <= x + radius; i++) m = Math.max(m, depth[Math.min(width - 1, Math.max(0, i))]!);
          return m;
        });
        const expectedBase = Float32Array.from({ length: width }, (_, x) => (expectedDilated[x]! - convergence) * taper[x]!);

        // Act
        kernels.dilateAndShift(at.depth, width, radius, convergence, at.taper, at.padded, at.dilated, at.base);

        // Assess
        const dilated = radius === 0 ? depth : new Float32Array(buffer, at.dilated, width);
        expect({ width, radius, unitTaper, dilated: Array.from(dilated) }).toEqual({ width, radius, unitTaper, dilated: Array.from(expectedDilated) });
        expect({ width, radius, unitTaper, base: Array.from(new Float32Array(buffer, at.base, width)) })
          .toEqual({ width, radius, unitTaper, base: Array.from(expectedBase) });
      }
    }
  });
});

describe('StereoRenderer with the WebAssembly SIMD kernels', () => {
  const OPTIONS: Omit<RenderOptions, 'mode'> = {
    divergence: 12,
    convergence: 0.4,
    anaglyphMethod: 'dubois',
    edgeDilation: 3,
    zeroParallaxBorder: 0.05,
    keepSourceEye: undefined,
  };
  const CASES: Array<{ format: PlanarFormat; width: number; height: number; mode: OutputMode; options?: Partial<RenderOptions> }> = [
    // No odd-width yuv420p sbs/cross-eyed: it overruns the packed output with either kernel set
    // (a packing limit, not the kernels'); the even widths here still give odd chroma widths.
    { format: 'yuv420p', width: 98, height: 35, mode: 'sbs' },
    { format: 'yuv420p', width: 97, height: 35, mode: 'half-sbs' },
    { format: 'yuv420p', width: 101, height: 37, mode: 'half-tb' },
    { format: 'yuv420p', width: 64, height: 36, mode: 'tb', options: { edgeDilation: 0 } },
    { format: 'yuv420p', width: 102, height: 21, mode: 'cross-eyed', options: { keepSourceEye: 'left' } },
    { format: 'yuv444p', width: 99, height: 21, mode: 'sbs' },
    { format: 'gbrp', width: 83, height: 29, mode: 'sbs', options: { divergence: 25 } },
    { format: 'gbrp', width: 83, height: 29, mode: 'anaglyph', options: { edgeDilation: 16 } },
    { format: 'gbrp', width: 51, height: 19, mode: 'half-sbs', options: { keepSourceEye: 'right' } },
    { format: 'gbrp', width: 45, height: 17, mode: 'anaglyph', options: { anaglyphMethod: 'gray', divergence: 30 } },
    { format: 'gbrp', width: 46, height: 17, mode: 'anaglyph', options: { anaglyphMethod: 'half-color' } },
    { format: 'gbrp', width: 44, height: 15, mode: 'anaglyph', options: { anaglyphMethod: 'color', keepSourceEye: 'left' } },
    { format: 'gbrp', width: 37, height: 13, mode: 'tb', options: { edgeDilation: 1 } },
    { format: 'yuv444p', width: 45, height: 19, mode: 'half-tb', options: { keepSourceEye: 'right' } },
    { format: 'yuv420p', width: 66, height: 27, mode: 'half-sbs', options: { zeroParallaxBorder: 0, convergence: 1 } },
    // Tiny frames: one- and two-pixel rows and planes.
    { format: 'yuv444p', width: 1, height: 3, mode: 'tb' },
    { format: 'gbrp', width: 2, height: 2, mode: 'anaglyph' },
    // Video anaglyphs: yuv444p frames in the source's encoding.
    { format: 'yuv444p', width: 83, height: 29, mode: 'anaglyph', options: { edgeDilation: 16, anaglyphSource: { matrix: 'bt709', fullRange: false } } },
    { format: 'yuv444p', width: 45, height: 17, mode: 'anaglyph', options: { anaglyphMethod: 'gray', divergence: 30, anaglyphSource: { matrix: 'bt601', fullRange: false } } },
    { format: 'yuv444p', width: 46, height: 17, mode: 'anaglyph', options: { anaglyphMethod: 'half-color', anaglyphSource: { matrix: 'bt709', fullRange: true } } },
    { format: 'yuv444p', width: 7, height: 5, mode: 'anaglyph', options: { anaglyphMethod: 'color', keepSourceEye: 'left', anaglyphSource: { matrix: 'bt2020', fullRange: false } } },
    { format: 'yuv444p', width: 1, height: 2, mode: 'anaglyph', options: { anaglyphSource: { matrix: 'bt601', fullRange: true } } },
    // 4:2:0 video anaglyphs: the chroma upsampled to 4:4:4 first.
    { format: 'yuv420p', width: 83, height: 29, mode: 'anaglyph', options: { anaglyphSource: { matrix: 'bt709', fullRange: false } } },
    { format: 'yuv420p', width: 40, height: 17, mode: 'anaglyph', options: { anaglyphMethod: 'color', divergence: 30, anaglyphSource: { matrix: 'bt601', fullRange: true } } },
    { format: 'yuv420p', width: 3, height: 3, mode: 'anaglyph', options: { anaglyphSource: { matrix: 'bt709', fullRange: false } } },
    { format: 'yuv420p', width: 2, height: 5, mode: 'half-tb' },
    { format: 'yuv420p', width: 6, height: 4, mode: 'sbs', options: { edgeDilation: 16 } },
  ];

  it.each(CASES)('renders $format $width×$height $mode to the same bytes as the TypeScript kernels', ({ format, width, height, mode, options }) => {
    // Prepare: a noisy frame and a depth field of near and far blocks (strong parallax, holes).
    const next = random(width * height);
    const layout = frameLayout(format, width, height);
    const frame = Uint8Array.from({ length: layout.byteLength }, () => Math.floor(next() * 256));
    const grid = gridSizeFor(width, height, 64);
    const cells = grid.gridWidth * grid.gridHeight;
    const field = {
      ...grid,
      a: Float32Array.from({ length: cells }, () => (next() - 0.5) * 0.004),
      b: Float32Array.from({ length: cells }, () => (next() < 0.5 ? next() * 0.2 : 0.8 + next() * 0.2)),
    };
    const renderOptions = { ...OPTIONS, ...options, mode };
    const reference = new StereoRenderer(layout, grid, renderOptions, 'typescript');
    const simd = new StereoRenderer(layout, grid, renderOptions, 'wasm-simd');
    const expected = new Uint8Array(reference.outputLayout.byteLength);
    const expectedDepth = new Uint8Array(width * height);
    const actual = new Uint8Array(simd.outputLayout.byteLength);
    const actualDepth = new Uint8Array(width * height);

    // Act: twice, so the second frame runs on the reused memory (steady state).
    for (let round = 0; round < 2; round++) {
      reference.render(frame, field, expected, expectedDepth);
      simd.render(frame, field, actual, actualDepth);
    }

    // Assess
    expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
    expect(Buffer.from(actualDepth).equals(Buffer.from(expectedDepth))).toBe(true);
  });
});

describe('StereoRenderer with the WebAssembly SIMD kernels, edge cases', () => {
  it('renders without a depth output to the same bytes, frame after frame with different fields', () => {
    // Prepare
    const layout = frameLayout('yuv420p', 90, 33);
    const grid = gridSizeFor(90, 33, 32);
    const cells = grid.gridWidth * grid.gridHeight;
    const options: RenderOptions = { mode: 'sbs', divergence: 8, convergence: 0.3, anaglyphMethod: 'dubois', edgeDilation: 2, zeroParallaxBorder: 0.1, keepSourceEye: undefined };
    const reference = new StereoRenderer(layout, grid, options, 'typescript');
    const simd = new StereoRenderer(layout, grid, options, 'wasm-simd');
    const expected = new Uint8Array(reference.outputLayout.byteLength);
    const actual = new Uint8Array(simd.outputLayout.byteLength);
    for (let frameIndex = 0; frameIndex < 3; frameIndex++) {
      const next = random(100 + frameIndex);
      const frame = Uint8Array.from({ length: layout.byteLength }, () => Math.floor(next() * 256));
      const field = { ...grid, a: Float32Array.from({ length: cells }, () => (next() - 0.5) * 0.01), b: Float32Array.from({ length: cells }, () => next()) };

      // Act
      reference.render(frame, field, expected);
      simd.render(frame, field, actual);

      // Assess
      expect({ frameIndex, equal: Buffer.from(actual).equals(Buffer.from(expected)) }).toEqual({ frameIndex, equal: true });
    }
  });

  it('refuses, like the TypeScript pack, a yuv420p sbs frame of odd width (its eyes overrun the packed chroma)', () => {
    // Prepare
    const layout = frameLayout('yuv420p', 31, 9);
    const grid = gridSizeFor(31, 9, 16);
    const cells = grid.gridWidth * grid.gridHeight;
    const field = { ...grid, a: new Float32Array(cells), b: new Float32Array(cells).fill(0.5) };
    const options: RenderOptions = { mode: 'sbs', divergence: 2, convergence: 0.5, anaglyphMethod: 'dubois', edgeDilation: 0, zeroParallaxBorder: 0, keepSourceEye: undefined };
    const render = (kernelSet: 'typescript' | 'wasm-simd') => (): void => {
      const renderer = new StereoRenderer(layout, grid, options, kernelSet);
      renderer.render(new Uint8Array(layout.byteLength), field, new Uint8Array(renderer.outputLayout.byteLength));
    };

    // Act + Assess
    expect(render('typescript')).toThrow(/out of bounds/);
    expect(render('wasm-simd')).toThrow(/sbs cannot pack yuv420p frames 31x9/);
  });
});

describe('without the WebAssembly build', () => {
  it('renders and reduces the grid with the TypeScript kernels and says so in one log line', () => {
    // Prepare: a copy of the engine's sources with no dist/kernels.wasm next to it (inside the
    // repository, so its imports still resolve), and a script rendering with two renderers.
    const packageDir = path.join(__dirname, '..');
    mkdirSync(path.join(packageDir, 'tmp'), { recursive: true });
    const copy = mkdtempSync(path.join(packageDir, 'tmp', 'no-wasm-'));
    cpSync(path.join(packageDir, 'src'), path.join(copy, 'src'), { recursive: true });
    const script = path.join(copy, 'render.ts');
    writeFileSync(script, [
      "import { frameLayout } from './src/frame/planar';",
      "import { createAnalysisGrid, gridSizeFor, reduceToGrid } from './src/depth/grid';",
      "import { StereoRenderer } from './src/stereo/renderer';",
      "const layout = frameLayout('yuv420p', 34, 18);",
      'const grid = gridSizeFor(34, 18, 16);',
      'const n = grid.gridWidth * grid.gridHeight;',
      'const field = { ...grid, a: new Float32Array(n), b: new Float32Array(n).fill(0.7) };',
      "const options = { mode: 'half-sbs' as const, divergence: 5, convergence: 0.5, anaglyphMethod: 'dubois' as const, edgeDilation: 2, zeroParallaxBorder: 0, keepSourceEye: undefined };",
      'const sets = [new StereoRenderer(layout, grid, options), new StereoRenderer(layout, grid, options)].map((renderer) => {',
      '  renderer.render(new Uint8Array(layout.byteLength).fill(90), field, new Uint8Array(renderer.outputLayout.byteLength));',
      '  return renderer.kernelSet;',
      '});',
      'const analysis = createAnalysisGrid(grid);',
      'reduceToGrid(new Uint8Array(layout.byteLength).fill(90), layout, analysis);',
      'console.log(sets.join(","), analysis.luma[0]?.toFixed(4));',
    ].join('\n'));

    try {
      // Act
      const child = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: packageDir, encoding: 'utf8' });

      // Assess
      expect(child.status).toBe(0);
      expect(child.stdout.trim()).toBe(`typescript,typescript ${(90 / 255).toFixed(4)}`);
      const lines = child.stderr.split('\n').filter((line) => line.includes('[stereo-engine]'));
      expect(lines).toEqual([expect.stringMatching(/^\[stereo-engine\] WebAssembly SIMD kernels unavailable, using the TypeScript kernels: .*kernels\.wasm is missing/)]);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
