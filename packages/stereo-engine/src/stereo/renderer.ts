/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array kernels: indices in range by construction */
import type { AnaglyphMethod, OutputMode } from '@stereo-spot/shared-types';
import { DepthFieldSampler, fieldRowLengths, type DepthField } from '../depth/field';
import type { GridSize } from '../depth/grid';
import type { FrameLayout } from '../frame/planar';
import { ANAGLYPH_MATRICES, anaglyphRow, type AnaglyphMatrices } from './anaglyph';
import { borderTaper, eyeGains, packedLayout, parallaxShift, type SourceEye } from './geometry';
import { WasmKernelArena, availableKernelSet, type KernelSet, type WasmKernelExports } from './kernels';
import { POSITION_ONE, forwardWarpRow, sampleChromaRow, sampleRow } from './warp';

// Globals captured once: under jest every global lookup in a loop goes through the test
// context's global object, which made these kernels ~30x slower there.
const { max, min, round } = Math;


export interface ViewSynthesisOptions {
  /** Maximum parallax in percent of the width (iw3's meaning); default 2. */
  readonly divergence: number;
  /** Screen-plane depth in [0, 1]: 0 = all in front, 1 = all behind; default 0.5. */
  readonly convergence: number;
  /** Grows near surfaces by this many pixels (horizontal max filter of depth) so their edges
   * carry their own colour fringe along instead of leaving it on the background. */
  readonly edgeDilation: number;
  /** Fade parallax to zero over this fraction of the width at the left and right edges. */
  readonly zeroParallaxBorder: number;
  /** Keep the source as this eye and synthesise only the other (with twice the shift). */
  readonly keepSourceEye: SourceEye | undefined;
}

export interface RenderOptions extends ViewSynthesisOptions {
  readonly mode: OutputMode;
  readonly anaglyphMethod: AnaglyphMethod;
}

const LEFT = 0;
/** Largest edge dilation radius (pixels) the renderer applies. */
const MAX_DILATION = 16;
const RIGHT = 1;

/** Where the WebAssembly kernel set keeps the renderer's rows: byte offsets into its memory. */
interface WasmRows {
  readonly kernels: WasmKernelExports;
  readonly buffer: ArrayBuffer;
  /** The frame being rendered, copied in once per frame (sampling reads it from wasm memory). */
  readonly frame: number;
  readonly frameView: Uint8Array;
  readonly depthRow: number;
  /** The depth field sampler's scratch rows (see DepthFieldRows). */
  readonly field: { aRow: number; bRow: number; runStart: number; runWeight: number; guide: number };
  readonly dilatedRow: number;
  readonly base: number;
  readonly taper: number;
  readonly padded: number;
  readonly positions: [number, number];
  readonly halfPositions: number;
  readonly scratch: number[][];
  readonly halved: number;
  /** The anaglyph matrices (18 f64: left then right) and the G, B, R rows anaglyphRow writes. */
  readonly matrices: number;
  readonly anaglyph: [number, number, number];
  readonly anaglyphViews: Uint8Array[];
  /** Per plane, the half-width row halveRow writes (views made once: no per-row allocation). */
  readonly halvedViews: Uint8Array[];
}

/**
 * Turns one frame plus its depth field into the packed stereo frame, row by row: evaluate the
 * depth row, derive each eye's shift, forward-warp (see `forwardWarpRow`), sample every plane at
 * the warped positions and pack. One instance per frame size and options (it owns scratch rows);
 * not re-entrant, one per worker.
 */
export class StereoRenderer {
  readonly outputLayout: FrameLayout;
  private readonly sampler: DepthFieldSampler;
  private readonly shift: number;
  private readonly gains: { left: number; right: number };
  private readonly taper: Float32Array;
  private readonly identity: Int32Array;
  private readonly depthRow: Float32Array;
  private readonly dilatedRow: Float32Array;
  private readonly base: Float32Array;
  private readonly padded: Float32Array;
  private readonly ahead: Float32Array;
  private readonly behind: Float32Array;
  private readonly positions: [Int32Array, Int32Array];
  private readonly halfPositions: Int32Array;
  /** scratch[eye][plane]: the eye's sampled row before packing. */
  private readonly scratch: Uint8Array[][];
  /** pending[eye][plane]: the even row waiting for its odd partner (half-tb). */
  private readonly pending: Uint8Array[][];
  private readonly matrices: AnaglyphMatrices;
  /** Set when the WebAssembly SIMD kernels run; the rows above are then views on its memory. */
  private readonly wasm: WasmRows | undefined;

  /** `kernelSet` defaults to the fastest this process can load (see kernels.ts). */
  constructor(
    readonly inputLayout: FrameLayout,
    grid: GridSize,
    private readonly options: RenderOptions,
    readonly kernelSet: KernelSet = availableKernelSet(),
  ) {
    const { width } = inputLayout;
    if (options.mode === 'anaglyph' && inputLayout.format !== 'gbrp') {
      throw new RangeError('anaglyph rendering needs gbrp frames');
    }
    this.outputLayout = packedLayout(options.mode, inputLayout);
    this.shift = parallaxShift(options.divergence, width);
    this.gains = eyeGains(options.keepSourceEye);
    this.taper = borderTaper(width, options.zeroParallaxBorder);
    this.identity = Int32Array.from({ length: width }, (_, x) => min(x * POSITION_ONE, max(0, (width - 1) * POSITION_ONE - 1)));
    this.padded = new Float32Array(width + 2 * MAX_DILATION);
    this.ahead = new Float32Array(width + 2 * MAX_DILATION);
    this.behind = new Float32Array(width + 2 * MAX_DILATION);
    const planeRows = (): Uint8Array[] => inputLayout.planes.map((p) => new Uint8Array(p.width));
    this.pending = [planeRows(), planeRows()];
    const chromaWidth = inputLayout.planes[1]!.width;
    if (kernelSet === 'wasm-simd') {
      const wasm = layOutWasmRows(inputLayout, this.outputLayout, grid.gridWidth, this.taper, ANAGLYPH_MATRICES[options.anaglyphMethod]);
      this.wasm = wasm;
      const buffer = wasm.buffer;
      const gridRow = fieldRowLengths(width, grid.gridWidth).grid;
      this.sampler = new DepthFieldSampler(inputLayout, grid.gridWidth, grid.gridHeight, grid.cellWidth, grid.cellHeight, {
        aRow: new Float32Array(buffer, wasm.field.aRow, gridRow),
        bRow: new Float32Array(buffer, wasm.field.bRow, gridRow),
        runStart: new Int32Array(buffer, wasm.field.runStart, gridRow),
        runWeight: new Float32Array(buffer, wasm.field.runWeight, gridRow),
        guide: new Float32Array(buffer, wasm.field.guide, width),
      });
      this.depthRow = new Float32Array(buffer, wasm.depthRow, width);
      this.dilatedRow = new Float32Array(buffer, wasm.dilatedRow, width);
      this.base = new Float32Array(buffer, wasm.base, width);
      this.positions = [new Int32Array(buffer, wasm.positions[0], width), new Int32Array(buffer, wasm.positions[1], width)];
      this.halfPositions = new Int32Array(buffer, wasm.halfPositions, chromaWidth);
      this.scratch = wasm.scratch.map((eye) => eye.map((offset, p) => new Uint8Array(buffer, offset, inputLayout.planes[p]!.width)));
    } else {
      this.wasm = undefined;
      this.sampler = new DepthFieldSampler(inputLayout, grid.gridWidth, grid.gridHeight, grid.cellWidth, grid.cellHeight);
      this.depthRow = new Float32Array(width);
      this.dilatedRow = new Float32Array(width);
      this.base = new Float32Array(width);
      this.positions = [new Int32Array(width), new Int32Array(width)];
      this.halfPositions = new Int32Array(chromaWidth);
      this.scratch = [planeRows(), planeRows()];
    }
    this.matrices = ANAGLYPH_MATRICES[options.anaglyphMethod];
  }

  /**
   * Renders `frame` (inputLayout) into `out` (outputLayout). When `depthOut` is given (width ×
   * height bytes), the full-resolution depth is written there too, 255 = near.
   */
  render(frame: Uint8Array, field: DepthField, out: Uint8Array, depthOut?: Uint8Array): void {
    const { width, height, format } = this.inputLayout;
    const subsampled = format === 'yuv420p';
    const wasm = this.wasm;
    if (wasm) wasm.frameView.set(frame);
    for (let y = 0; y < height; y++) {
      if (wasm) this.depthRowWasm(wasm, frame, field, y);
      else this.sampler.row(frame, field, y, this.depthRow);
      if (depthOut) {
        const row = y * width;
        for (let x = 0; x < width; x++) depthOut[row + x] = (this.depthRow[x]! * 255 + 0.5) | 0;
      }
      const depth = this.dilateAndShift(this.depthRow);
      if (wasm) this.sampleEyesWasm(wasm, y, depth === this.depthRow ? wasm.depthRow : wasm.dilatedRow);
      else this.sampleEyes(frame, y, depth);
      if (this.options.mode === 'anaglyph') {
        this.packAnaglyph(y, out);
        continue;
      }
      for (let eye = LEFT; eye <= RIGHT; eye++) {
        this.pack(eye, 0, y, out);
        if (!subsampled) {
          this.pack(eye, 1, y, out);
          this.pack(eye, 2, y, out);
        } else if ((y & 1) === 0) {
          this.pack(eye, 1, y >> 1, out);
          this.pack(eye, 2, y >> 1, out);
        }
      }
    }
  }

  /** DepthFieldSampler.row with its pixel loop in WebAssembly (the frame is in its memory). */
  private depthRowWasm(wasm: WasmRows, frame: Uint8Array, field: DepthField, y: number): void {
    const sampler = this.sampler;
    sampler.prepareRow(frame, field, y);
    const yuv = this.inputLayout.format !== 'gbrp';
    const { aRow, bRow, runStart, runWeight, guide } = wasm.field;
    wasm.kernels.fieldRow(
      aRow, bRow, runStart, runWeight, field.gridWidth, sampler.leadingPixels, sampler.step,
      yuv ? wasm.frame + y * this.inputLayout.width : guide, yuv ? 1 : 0, wasm.depthRow,
    );
  }

  /** Both eyes' source positions for row y, then every plane sampled into scratch (TypeScript). */
  private sampleEyes(frame: Uint8Array, y: number, depth: Float32Array): void {
    const { width, format } = this.inputLayout;
    const planes = this.inputLayout.planes;
    const subsampled = format === 'yuv420p';
    this.eyePositions(LEFT, this.gains.left, depth);
    this.eyePositions(RIGHT, this.gains.right, depth);
    for (let eye = LEFT; eye <= RIGHT; eye++) {
      const positions = this.positions[eye]!;
      const scratch = this.scratch[eye]!;
      sampleRow(frame, y * width, width, positions, width, scratch[0]!, 0);
      if (!subsampled) {
        for (let p = 1; p < 3; p++) {
          sampleRow(frame, planes[p]!.offset + y * width, width, positions, width, scratch[p]!, 0);
        }
      } else if ((y & 1) === 0) {
        const cw = planes[1]!.width;
        const c = y >> 1;
        for (let p = 1; p < 3; p++) {
          sampleChromaRow(frame, planes[p]!.offset + c * cw, cw, positions, scratch[p]!, 0, this.halfPositions);
        }
      }
    }
  }

  /** The same as sampleEyes with the WebAssembly kernels, on the frame copied into their memory. */
  private sampleEyesWasm(wasm: WasmRows, y: number, depth: number): void {
    const { width, format } = this.inputLayout;
    const planes = this.inputLayout.planes;
    const subsampled = format === 'yuv420p';
    const kernels = wasm.kernels;
    for (let eye = LEFT; eye <= RIGHT; eye++) {
      const k = (eye === LEFT ? this.gains.left : this.gains.right) * this.shift;
      const positions = wasm.positions[eye]!;
      if (k === 0) this.positions[eye]!.set(this.identity);
      else kernels.forwardWarpRow(wasm.base, k, depth, width, positions);
      const scratch = wasm.scratch[eye]!;
      kernels.sampleRow(wasm.frame + y * width, width, positions, width, scratch[0]!);
      if (!subsampled) {
        for (let p = 1; p < 3; p++) kernels.sampleRow(wasm.frame + planes[p]!.offset + y * width, width, positions, width, scratch[p]!);
      } else if ((y & 1) === 0) {
        const cw = planes[1]!.width;
        const c = y >> 1;
        for (let p = 1; p < 3; p++) {
          kernels.sampleChromaRow(wasm.frame + planes[p]!.offset + c * cw, cw, positions, scratch[p]!, wasm.halfPositions);
        }
      }
    }
  }

  /**
   * Foreground edge dilation (horizontal max filter of the depth row) and the per-pixel parallax
   * base `(depth − convergence) · taper`, in one pass. Returns the (dilated) depth row.
   */
  private dilateAndShift(depth: Float32Array): Float32Array {
    const width = this.inputLayout.width;
    const radius = min(MAX_DILATION, max(0, round(this.options.edgeDilation)));
    const convergence = this.options.convergence;
    const taper = this.taper;
    const base = this.base;
    const wasm = this.wasm;
    if (wasm) {
      wasm.kernels.dilateAndShift(wasm.depthRow, width, radius, convergence, wasm.taper, wasm.padded, wasm.dilatedRow, wasm.base);
      return radius === 0 ? depth : this.dilatedRow;
    }
    if (radius === 0) {
      for (let x = 0; x < width; x++) base[x] = (depth[x]! - convergence) * taper[x]!;
      return depth;
    }
    // Max over the window [x − r, x + r] by van Herk / Gil-Werman: block-wise running maxima
    // from the left (ahead) and from the right (behind), three comparisons per pixel whatever r.
    // (Comparisons, not Math.max: V8 runs these loops about twice as fast.)
    const padded = this.padded;
    const span = 2 * radius;
    const length = width + span;
    padded.fill(depth[0]!, 0, radius);
    padded.set(depth.subarray(0, width), radius);
    padded.fill(depth[width - 1]!, radius + width, length);
    const window = span + 1;
    const ahead = this.ahead;
    const behind = this.behind;
    for (let start = 0; start < length; start += window) {
      const end = start + window < length ? start + window : length;
      let m = padded[start]!;
      ahead[start] = m;
      for (let i = start + 1; i < end; i++) {
        const v = padded[i]!;
        if (v > m) m = v;
        ahead[i] = m;
      }
      m = padded[end - 1]!;
      behind[end - 1] = m;
      for (let i = end - 2; i >= start; i--) {
        const v = padded[i]!;
        if (v > m) m = v;
        behind[i] = m;
      }
    }
    const out = this.dilatedRow;
    for (let x = 0; x < width; x++) {
      const fromRight = behind[x]!;
      const fromLeft = ahead[x + span]!;
      const m = fromLeft > fromRight ? fromLeft : fromRight;
      out[x] = m;
      base[x] = (m - convergence) * taper[x]!;
    }
    return out;
  }

  private eyePositions(eye: number, gain: number, depth: Float32Array): void {
    const k = gain * this.shift;
    if (k === 0) this.positions[eye]!.set(this.identity);
    else forwardWarpRow(this.base, k, depth, this.inputLayout.width, this.positions[eye]!);
  }

  private pack(eye: number, plane: number, row: number, out: Uint8Array): void {
    const mode = this.options.mode;
    const source = this.scratch[eye]![plane]!;
    const inPlane = this.inputLayout.planes[plane]!;
    const outPlane = this.outputLayout.planes[plane]!;
    const slot = mode === 'cross-eyed' ? 1 - eye : eye;
    switch (mode) {
      case 'sbs':
      case 'cross-eyed':
        out.set(source, outPlane.offset + row * outPlane.width + slot * inPlane.width);
        return;
      case 'tb':
        out.set(source, outPlane.offset + (slot * inPlane.height + row) * outPlane.width);
        return;
      case 'half-sbs': {
        const eyeWidth = outPlane.width >> 1;
        const base = outPlane.offset + row * outPlane.width + slot * eyeWidth;
        const wasm = this.wasm;
        if (wasm) {
          wasm.kernels.halveRow(wasm.scratch[eye]![plane]!, wasm.halved, eyeWidth);
          out.set(wasm.halvedViews[plane]!, base);
          return;
        }
        for (let i = 0; i < eyeWidth; i++) out[base + i] = (source[2 * i]! + source[2 * i + 1]! + 1) >> 1;
        return;
      }
      case 'half-tb': {
        const pending = this.pending[eye]![plane]!;
        if ((row & 1) === 0) {
          pending.set(source);
          return;
        }
        const eyeHeight = outPlane.height >> 1;
        const outRow = row >> 1;
        if (outRow >= eyeHeight) return;
        const base = outPlane.offset + (slot * eyeHeight + outRow) * outPlane.width;
        for (let i = 0; i < inPlane.width; i++) out[base + i] = (pending[i]! + source[i]! + 1) >> 1;
        return;
      }
      case 'anaglyph':
        return;
    }
  }

  private packAnaglyph(y: number, out: Uint8Array): void {
    const { width, planes } = this.outputLayout;
    const [g, b, r] = planes as [typeof planes[0], typeof planes[0], typeof planes[0]];
    const row = y * width;
    const left = this.scratch[LEFT] as [Uint8Array, Uint8Array, Uint8Array];
    const right = this.scratch[RIGHT] as [Uint8Array, Uint8Array, Uint8Array];
    const wasm = this.wasm;
    if (wasm) {
      const [lg, lb, lr] = wasm.scratch[LEFT] as [number, number, number];
      const [rg, rb, rr] = wasm.scratch[RIGHT] as [number, number, number];
      const [og, ob, or] = wasm.anaglyph;
      wasm.kernels.anaglyphRow(wasm.matrices, lg, lb, lr, rg, rb, rr, width, og, ob, or);
      out.set(wasm.anaglyphViews[0]!, g.offset + row);
      out.set(wasm.anaglyphViews[1]!, b.offset + row);
      out.set(wasm.anaglyphViews[2]!, r.offset + row);
      return;
    }
    anaglyphRow(this.matrices, left, right, width, out, [g.offset + row, b.offset + row, r.offset + row]);
  }
}

function layOutWasmRows(
  layout: FrameLayout, outputLayout: FrameLayout, gridWidth: number, taperRow: Float32Array, matrixValues: AnaglyphMatrices,
): WasmRows {
  const arena = new WasmKernelArena();
  const width = layout.width;
  const frame = arena.reserve(layout.byteLength);
  const depthRow = arena.reserve(4 * width);
  const gridRow = fieldRowLengths(width, gridWidth).grid;
  const field = {
    aRow: arena.reserve(4 * gridRow), bRow: arena.reserve(4 * gridRow), runStart: arena.reserve(4 * gridRow),
    runWeight: arena.reserve(4 * gridRow), guide: arena.reserve(4 * width),
  };
  const dilatedRow = arena.reserve(4 * width);
  const base = arena.reserve(4 * width);
  const taper = arena.reserve(4 * width);
  const padded = arena.reserve(4 * (width + 2 * MAX_DILATION));
  const positions: [number, number] = [arena.reserve(4 * width), arena.reserve(4 * width)];
  const halfPositions = arena.reserve(4 * layout.planes[1]!.width);
  const scratch = [LEFT, RIGHT].map(() => layout.planes.map((p) => arena.reserve(p.width)));
  const halved = arena.reserve(width);
  const matrices = arena.reserve(18 * 8);
  const anaglyph: [number, number, number] = [arena.reserve(width), arena.reserve(width), arena.reserve(width)];
  const { kernels, buffer } = arena.instantiate();
  new Float32Array(buffer, taper, width).set(taperRow);
  new Float64Array(buffer, matrices, 18).set([...matrixValues.left, ...matrixValues.right]);
  return {
    kernels, buffer, frame, depthRow, field, dilatedRow, base, taper, padded, positions, halfPositions, scratch, halved,
    frameView: new Uint8Array(buffer, frame, layout.byteLength),
    matrices, anaglyph,
    anaglyphViews: anaglyph.map((offset) => new Uint8Array(buffer, offset, width)),
    halvedViews: outputLayout.planes.map((p) => new Uint8Array(buffer, halved, p.width >> 1)),
  };
}
