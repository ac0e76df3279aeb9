import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { ANAGLYPH_YUV } from './anaglyph';

/**
 * Which implementation of the renderer's kernels (depth field rows, edge dilation and parallax
 * base, forward warp + hole filling, sampling, packing, anaglyph) and of the analysis grid's
 * reduction runs: the WebAssembly SIMD build of assembly/kernels.ts, or the TypeScript kernels in
 * warp.ts, anaglyph.ts, renderer.ts and src/depth/grid.ts. Both give the same bytes and floats
 * (test/wasm-kernels.test.ts).
 */
export type KernelSet = 'wasm-simd' | 'typescript';

/** The exports of assembly/kernels.ts; every pointer is a byte offset into the imported memory. */
export interface WasmKernelExports {
  /** `sourcePos` holds width + 1 entries (the last one takes the writes a segment does not
   * make); `scratch` warpScratchBytes(width) bytes. */
  forwardWarpRow(base: number, k: number, depth: number, width: number, sourcePos: number, scratch: number): void;
  sampleRow(src: number, srcWidth: number, positions: number, count: number, dst: number): void;
  /** sampleRow for `planes` (2 or 3) planes of the same size at the same positions. */
  sampleRows(
    planes: number, src0: number, src1: number, src2: number, srcWidth: number, positions: number, count: number,
    dst0: number, dst1: number, dst2: number,
  ): void;
  sampleChromaRow(src: number, chromaWidth: number, lumaPositions: number, dst: number, halfPositions: number): void;
  halveRow(src: number, dst: number, outWidth: number): void;
  anaglyphRow(
    matrices: number, lg: number, lb: number, lr: number, rg: number, rb: number, rr: number, width: number, og: number, ob: number, or: number,
  ): void;
  /** Writes anaglyphRowFixed's table (ANAGLYPH_TABLE_BYTES at `table`) for `matrices`; 0 when
   * the fixed-point sums could overflow (anaglyphRow must then run). */
  anaglyphTable(matrices: number, table: number): number;
  /** anaglyphRow's bytes, mostly from fixed-point sums (see assembly/kernels.ts). */
  anaglyphRowFixed(
    table: number, matrices: number, lg: number, lb: number, lr: number, rg: number, rb: number, rr: number, width: number,
    og: number, ob: number, or: number,
  ): void;
  /** The yuv444p video anaglyph (anaglyphYuvRow in anaglyph.ts); `table` holds
   * anaglyphYuvConstants's values as f32x4 splats (ANAGLYPH_YUV_TABLE_BYTES). */
  anaglyphYuvRow(
    table: number, ly: number, lu: number, lv: number, ry: number, ru: number, rv: number, width: number, oy: number, ou: number, ov: number,
  ): void;
  /** upsampleChroma420 (src/frame/planar.ts): the yuv420p frame at `src` as yuv444p at `dst`;
   * `row` holds (width + 1) / 2 + 18 bytes. */
  upsampleChroma420(src: number, width: number, height: number, dst: number, row: number): void;
  fieldRow(
    aRow: number, bRow: number, runStart: number, runWeight: number, gridWidth: number, leading: number, step: number,
    guide: number, guideBytes: number, out: number,
  ): void;
  /** fieldRow for two rows sharing the column runs, one per f64x2 lane. */
  fieldRowPair(
    aRow0: number, bRow0: number, aRow1: number, bRow1: number, runStart: number, runWeight: number, gridWidth: number,
    leading: number, step: number, guide0: number, guide1: number, guideBytes: number, out0: number, out1: number,
  ): void;
  dilateAndShift(
    depth: number, width: number, radius: number, convergence: number, taper: number, padded: number, dilated: number, base: number,
  ): void;
  /** DepthFieldSampler.prepareRow for rows y and y + 1 (into the second rows), from the field and
   * frame of the plan at `plan` (RENDER_PLAN: width, height, format, frame, field, grid size,
   * cell height). */
  prepareFieldRows(plan: number, y: number, aRow: number, bRow: number, guide: number, aRow2: number, bRow2: number, guide2: number): void;
  /** A whole frame (StereoRenderer.render), as laid out by the plan at `plan` (RENDER_PLAN). */
  renderFrame(plan: number): void;
  /** The analysis grid (src/depth/grid.ts): YUV luma and detail, gbrp (YUV chroma: reduceChromaRows). */
  reduceLumaGrid(
    frame: number, width: number, gridWidth: number, gridHeight: number, cellWidth: number, cellHeight: number, rowStep: number,
    columns: number, norm: number, luma: number, detail: number,
  ): void;
  reduceGbrpGrid(
    frame: number, width: number, height: number, gridWidth: number, gridHeight: number, cellWidth: number, cellHeight: number,
    rowStep: number, columns: number, norm: number, luma: number, cb: number, cr: number, detail: number,
  ): void;
}

/** Bytes of renderFrame's two blocks of sampling constants (as assembly/kernels.ts sizes them). */
export const SAMPLE_CONSTANTS_BYTES = 2 * 7 * 16;

/** Bytes of anaglyphTable's table (as assembly/kernels.ts sizes it). */
export const ANAGLYPH_TABLE_BYTES = 22 * 16;

/** Bytes of anaglyphYuvRow's table: each of ANAGLYPH_YUV.count f32 as an f32x4 splat. */
export const ANAGLYPH_YUV_TABLE_BYTES = ANAGLYPH_YUV.count * 16;

/** Bytes of forwardWarpRow's scratch for a row of `width` pixels (as assembly/kernels.ts sizes it). */
export function warpScratchBytes(width: number): number {
  return 28 * ((width + 11) & ~3) + 8 * 16;
}

/**
 * The slots of renderFrame's plan, as assembly/kernels.ts reads them: `int` slots are i32 at
 * plan + 4·slot, `float` slots f64 at plan + 256 + 8·slot. Per-eye slots take +0 (left), +1
 * (right); per-eye-and-plane slots +3·eye + plane. The `…2` rows are the odd row's (field rows
 * are evaluated two at a time).
 */
export const RENDER_PLAN = {
  bytes: 256 + 8 * 8,
  int: {
    width: 0, height: 1, format: 2, mode: 3, frame: 4, chromaWidth: 5, chromaHeight: 6, plane1: 7, plane2: 8,
    fieldA: 9, fieldB: 10, gridWidth: 11, gridHeight: 12, leading: 13, aRow: 14, bRow: 15, runStart: 16, runWeight: 17,
    guide: 18, depthRow: 19, dilated: 20, padded: 21, taper: 22, base: 23, radius: 24, positions: 25, halfPositions: 27,
    warpScratch: 28, identity: 29, scratch: 30, pending: 36, matrices: 42, out: 43, outWidth: 44, outHeight: 45,
    outChromaWidth: 46, outChromaHeight: 47, outPlane1: 48, outPlane2: 49, depthOut: 50,
    aRow2: 51, bRow2: 52, depthRow2: 53, guide2: 54, anaglyphTable: 55, sampleConstants: 56, anaglyphYuvTable: 57,
  },
  float: { cellHeight: 0, step: 1, convergence: 2, k: 3 },
  formats: { yuv420p: 0, yuv444p: 1, gbrp: 2 },
  modes: { sbs: 0, 'cross-eyed': 1, tb: 2, 'half-sbs': 3, 'half-tb': 4, anaglyph: 5 },
} as const;

// The part of the WebAssembly JS API used here: the project's TypeScript libs (es2022, no DOM)
// do not declare it, though Node provides it.
type WasmModule = object;
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: { env: { memory: WasmMemory } }) => { exports: unknown };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** Built by scripts/build-wasm.mjs (run by the bootstrap behind `npm start` and `npm test`). */
export const WASM_KERNELS_FILE = path.join(__dirname, '..', '..', 'dist', 'kernels.wasm');

/** Compiles and test-instantiates the kernels in `file`, or says why it cannot. */
export function loadWasmKernels(file: string): { module: WasmModule } | { failure: string } {
  try {
    if (!existsSync(file)) throw new Error(`${file} is missing (node scripts/build-wasm.mjs builds it)`);
    const module = new WebAssembly.Module(readFileSync(file));
    // Instantiating once proves the engine (SIMD support) accepts it, not just the parser.
    new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
    return { module };
  } catch (error) {
    return { failure: error instanceof Error ? error.message : String(error) };
  }
}

let loaded: { module: WasmModule } | { failure: string } | undefined;

function loadModule(): WasmModule | undefined {
  if (!loaded) {
    loaded = loadWasmKernels(WASM_KERNELS_FILE);
    // One line per process: render workers stay quiet, the main thread (which probes the kernel
    // set when it sets the renderers up) says it.
    if ('failure' in loaded && isMainThread) {
      console.warn(`[stereo-engine] WebAssembly SIMD kernels unavailable, using the TypeScript kernels: ${loaded.failure}`);
    }
  }
  return 'module' in loaded ? loaded.module : undefined;
}

/** The fastest kernel set this process can run. */
export function availableKernelSet(): KernelSet {
  return loadModule() ? 'wasm-simd' : 'typescript';
}

/**
 * A kernel instance with its own memory, laid out once by `reserve` before `instantiate`; the
 * caller keeps typed-array views on it (the memory never grows, so views stay valid).
 */
export class WasmKernelArena {
  private next = 0;
  private memory: WasmMemory | undefined;

  /** Reserves `bytes` (16-byte aligned, for v128 access) and returns its offset. */
  reserve(bytes: number): number {
    if (this.memory) throw new Error('reserve before instantiate');
    const offset = this.next;
    this.next = offset + ((bytes + 15) & ~15);
    return offset;
  }

  instantiate(): { kernels: WasmKernelExports; buffer: ArrayBuffer } {
    const module = loadModule();
    if (!module) throw new Error('the WebAssembly kernels are unavailable');
    // One spare 16-byte block: the 16-bit sampling load may read one byte past the last row.
    this.memory = new WebAssembly.Memory({ initial: Math.ceil((this.next + 16) / 65536) });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    return { kernels: instance.exports as unknown as WasmKernelExports, buffer: this.memory.buffer };
  }
}
