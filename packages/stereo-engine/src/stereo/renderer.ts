/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array kernels: indices in range by construction */
import type { AnaglyphMethod, OutputMode } from '@stereo-spot/shared-types';
import { DepthFieldSampler, fieldRowLengths, type DepthField } from '../depth/field';
import type { GridSize } from '../depth/grid';
import { frameLayout, upsampleChroma420, type FrameLayout, type PlaneGeometry } from '../frame/planar';
import { ANAGLYPH_MATRICES, anaglyphRow, anaglyphYuvConstants, anaglyphYuvRow, type AnaglyphMatrices, type YuvEncoding } from './anaglyph';
import { borderTaper, eyeGains, packedLayout, parallaxShift, type SourceEye } from './geometry';
import { ANAGLYPH_TABLE_BYTES, ANAGLYPH_YUV_TABLE_BYTES, RENDER_PLAN, SAMPLE_CONSTANTS_BYTES, WasmKernelArena, availableKernelSet, warpScratchBytes, type KernelSet, type WasmKernelExports } from './kernels';
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
  /** The source's YUV encoding: an anaglyph of yuv444p frames (video) needs it, gbrp frames do not. */
  readonly anaglyphSource?: YuvEncoding;
}

const LEFT = 0;
/** Largest edge dilation radius (pixels) the renderer applies. */
const MAX_DILATION = 16;
const RIGHT = 1;

/**
 * The WebAssembly kernel set's memory for one renderer: the plan renderFrame reads, and views on
 * what the host writes before each frame (the frame, the field's coefficients) and reads after it
 * (the packed output, the depth bytes).
 */
interface WasmFrame {
  readonly kernels: WasmKernelExports;
  readonly plan: number;
  readonly planInts: Int32Array;
  readonly frame: Uint8Array;
  readonly frameOffset: number;
  /** A 4:2:0 anaglyph's frame as it comes, upsampled into `frame` by upsampleChroma420. */
  readonly staging: Uint8Array | undefined;
  readonly stagingOffset: number;
  readonly chromaRowOffset: number;
  readonly fieldA: Float32Array;
  readonly fieldB: Float32Array;
  readonly output: Uint8Array;
  readonly depthOffset: number;
  readonly depth: Uint8Array;
  /** False when the eyes do not fit the packed planes (an odd yuv420p width in sbs): render throws. */
  readonly packable: boolean;
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
  /** The layout rendered from: inputLayout, or its 4:4:4 twin for a 4:2:0 anaglyph. */
  private readonly layout: FrameLayout;
  /** A 4:2:0 anaglyph: the frame's chroma is upsampled to 4:4:4 before rendering. */
  private readonly upsampleChroma: boolean;
  /** The upsampled frame (TypeScript kernels; the WebAssembly ones upsample into their memory). */
  private readonly upsampled: Uint8Array | undefined;
  /** anaglyphYuvRow's constants when the anaglyph is made from YUV frames. */
  private readonly yuvAnaglyph: Float32Array | undefined;
  /** Set when the WebAssembly SIMD kernels run: render is then one renderFrame call. */
  private readonly wasm: WasmFrame | undefined;

  /** `kernelSet` defaults to the fastest this process can load (see kernels.ts). */
  constructor(
    readonly inputLayout: FrameLayout,
    grid: GridSize,
    private readonly options: RenderOptions,
    readonly kernelSet: KernelSet = availableKernelSet(),
  ) {
    const yuvAnaglyph = options.mode === 'anaglyph' && inputLayout.format !== 'gbrp';
    if (yuvAnaglyph && !options.anaglyphSource) {
      throw new RangeError('anaglyph rendering needs gbrp frames, or YUV frames and their source encoding');
    }
    // A 4:2:0 anaglyph is rendered from 4:4:4: the chroma is upsampled first (upsampleChroma420).
    this.upsampleChroma = yuvAnaglyph && inputLayout.format === 'yuv420p';
    const layout = this.upsampleChroma ? frameLayout('yuv444p', inputLayout.width, inputLayout.height) : inputLayout;
    this.layout = layout;
    const { width } = layout;
    this.outputLayout = packedLayout(options.mode, layout);
    this.shift = parallaxShift(options.divergence, width);
    this.gains = eyeGains(options.keepSourceEye);
    this.taper = borderTaper(width, options.zeroParallaxBorder);
    this.identity = Int32Array.from({ length: width }, (_, x) => min(x * POSITION_ONE, max(0, (width - 1) * POSITION_ONE - 1)));
    this.padded = new Float32Array(width + 2 * MAX_DILATION);
    this.ahead = new Float32Array(width + 2 * MAX_DILATION);
    this.behind = new Float32Array(width + 2 * MAX_DILATION);
    const planeRows = (): Uint8Array[] => layout.planes.map((p) => new Uint8Array(p.width));
    this.pending = [planeRows(), planeRows()];
    const chromaWidth = layout.planes[1]!.width;
    this.sampler = new DepthFieldSampler(layout, grid.gridWidth, grid.gridHeight, grid.cellWidth, grid.cellHeight);
    this.depthRow = new Float32Array(width);
    this.dilatedRow = new Float32Array(width);
    this.base = new Float32Array(width);
    this.positions = [new Int32Array(width), new Int32Array(width)];
    this.halfPositions = new Int32Array(chromaWidth);
    this.scratch = [planeRows(), planeRows()];
    this.matrices = ANAGLYPH_MATRICES[options.anaglyphMethod];
    this.upsampled = this.upsampleChroma && kernelSet !== 'wasm-simd' ? new Uint8Array(layout.byteLength) : undefined;
    this.yuvAnaglyph = yuvAnaglyph && options.anaglyphSource ? anaglyphYuvConstants(this.matrices, options.anaglyphSource) : undefined;
    this.wasm = kernelSet === 'wasm-simd' ? this.layOutWasmFrame(grid) : undefined;
  }

  /**
   * Renders `frame` (inputLayout) into `out` (outputLayout). When `depthOut` is given (width ×
   * height bytes), the full-resolution depth is written there too, 255 = near.
   */
  render(frame: Uint8Array, field: DepthField, out: Uint8Array, depthOut?: Uint8Array): void {
    if (this.wasm) {
      this.renderWasm(this.wasm, frame, field, out, depthOut);
      return;
    }
    if (this.upsampled) {
      upsampleChroma420(frame, this.inputLayout, this.upsampled);
      frame = this.upsampled;
    }
    const { width, height, format } = this.layout;
    const subsampled = format === 'yuv420p';
    for (let y = 0; y < height; y++) {
      this.sampler.row(frame, field, y, this.depthRow);
      if (depthOut) {
        const row = y * width;
        for (let x = 0; x < width; x++) depthOut[row + x] = (this.depthRow[x]! * 255 + 0.5) | 0;
      }
      const depth = this.dilateAndShift(this.depthRow);
      this.sampleEyes(frame, y, depth);
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

  /**
   * The same frame with the WebAssembly kernels: the frame and the field's coefficients copied
   * into its memory, every row rendered and packed there in one call, the packed frame copied out.
   */
  private renderWasm(wasm: WasmFrame, frame: Uint8Array, field: DepthField, out: Uint8Array, depthOut: Uint8Array | undefined): void {
    if (!wasm.packable) throw new RangeError(`${this.options.mode} cannot pack ${this.layout.format} frames ${this.layout.width}x${this.layout.height}`);
    if (field.a.length !== wasm.fieldA.length || field.b.length !== wasm.fieldB.length) throw new RangeError('the depth field does not match the renderer\'s grid');
    if (wasm.staging) {
      wasm.staging.set(frame.subarray(0, wasm.staging.length));
      wasm.kernels.upsampleChroma420(wasm.stagingOffset, this.layout.width, this.layout.height, wasm.frameOffset, wasm.chromaRowOffset);
    } else {
      wasm.frame.set(frame.subarray(0, wasm.frame.length));
    }
    wasm.fieldA.set(field.a);
    wasm.fieldB.set(field.b);
    wasm.planInts[RENDER_PLAN.int.depthOut] = depthOut ? wasm.depthOffset : 0;
    wasm.kernels.renderFrame(wasm.plan);
    out.set(wasm.output);
    if (depthOut) depthOut.set(wasm.depth);
  }

  /** Both eyes' source positions for row y, then every plane sampled into scratch (TypeScript). */
  private sampleEyes(frame: Uint8Array, y: number, depth: Float32Array): void {
    const { width, format } = this.layout;
    const planes = this.layout.planes;
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

  /**
   * Foreground edge dilation (horizontal max filter of the depth row) and the per-pixel parallax
   * base `(depth − convergence) · taper`, in one pass. Returns the (dilated) depth row.
   */
  private dilateAndShift(depth: Float32Array): Float32Array {
    const width = this.layout.width;
    const radius = this.dilationRadius();
    const convergence = this.options.convergence;
    const taper = this.taper;
    const base = this.base;
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
    else forwardWarpRow(this.base, k, depth, this.layout.width, this.positions[eye]!);
  }

  private pack(eye: number, plane: number, row: number, out: Uint8Array): void {
    const mode = this.options.mode;
    const source = this.scratch[eye]![plane]!;
    const inPlane = this.layout.planes[plane]!;
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
    if (this.yuvAnaglyph) {
      // yuv444p: planes 0, 1, 2 are Y, Cb, Cr (the names above are gbrp's).
      anaglyphYuvRow(this.yuvAnaglyph, left, right, width, out, [g.offset + row, b.offset + row, r.offset + row]);
      return;
    }
    anaglyphRow(this.matrices, left, right, width, out, [g.offset + row, b.offset + row, r.offset + row]);
  }

  /** The WebAssembly kernels' memory for this renderer, and renderFrame's plan in it. */
  private layOutWasmFrame(grid: GridSize): WasmFrame {
    const layout = this.layout;
    const outputLayout = this.outputLayout;
    const { width, height } = layout;
    const [luma, chroma1, chroma2] = layout.planes as [PlaneGeometry, PlaneGeometry, PlaneGeometry];
    const [outLuma, outChroma1, outChroma2] = outputLayout.planes as [PlaneGeometry, PlaneGeometry, PlaneGeometry];
    const arena = new WasmKernelArena();
    const plan = arena.reserve(RENDER_PLAN.bytes); // first: offset 0 is then never a row (depthOut 0 = none)
    const cells = grid.gridWidth * grid.gridHeight;
    const gridRow = fieldRowLengths(width, grid.gridWidth).grid;
    const rowOf = (bytes: number): number => arena.reserve(bytes);
    const at = {
      frame: rowOf(layout.byteLength), fieldA: rowOf(4 * cells), fieldB: rowOf(4 * cells),
      aRow: rowOf(4 * gridRow), bRow: rowOf(4 * gridRow), runStart: rowOf(4 * gridRow), runWeight: rowOf(4 * gridRow), guide: rowOf(4 * width),
      aRow2: rowOf(4 * gridRow), bRow2: rowOf(4 * gridRow), guide2: rowOf(4 * width), depthRow2: rowOf(4 * width),
      depthRow: rowOf(4 * width), dilated: rowOf(4 * width), padded: rowOf(4 * (width + 2 * MAX_DILATION)), taper: rowOf(4 * width),
      base: rowOf(4 * width), positions: [rowOf(4 * (width + 1)), rowOf(4 * (width + 1))], halfPositions: rowOf(4 * chroma1.width),
      warpScratch: rowOf(warpScratchBytes(width)), identity: rowOf(4 * width),
      scratch: [LEFT, RIGHT].flatMap(() => layout.planes.map((p) => rowOf(p.width))),
      pending: [LEFT, RIGHT].flatMap(() => layout.planes.map((p) => rowOf(p.width))),
      matrices: rowOf(18 * 8), anaglyphTable: rowOf(ANAGLYPH_TABLE_BYTES),
      anaglyphYuvTable: rowOf(ANAGLYPH_YUV_TABLE_BYTES),
      staging: this.upsampleChroma ? rowOf(this.inputLayout.byteLength) : 0, chromaRow: rowOf(chroma1.width + 18), sampleConstants: rowOf(SAMPLE_CONSTANTS_BYTES), out: rowOf(outputLayout.byteLength), depth: rowOf(width * height),
    };
    const { kernels, buffer } = arena.instantiate();
    // The column runs of the field rows: the sampler computes them into the module's memory.
    new DepthFieldSampler(layout, grid.gridWidth, grid.gridHeight, grid.cellWidth, grid.cellHeight, {
      aRow: new Float32Array(buffer, at.aRow, gridRow), bRow: new Float32Array(buffer, at.bRow, gridRow),
      runStart: new Int32Array(buffer, at.runStart, gridRow), runWeight: new Float32Array(buffer, at.runWeight, gridRow),
      guide: new Float32Array(buffer, at.guide, width),
    });
    new Float32Array(buffer, at.taper, width).set(this.taper);
    new Int32Array(buffer, at.identity, width).set(this.identity);
    const matrices = this.matrices;
    new Float64Array(buffer, at.matrices, 18).set([...matrices.left, ...matrices.right]);
    // anaglyphYuvRow's constants, each as an f32x4 splat.
    const yuvTable = new Float32Array(buffer, at.anaglyphYuvTable, ANAGLYPH_YUV_TABLE_BYTES / 4);
    this.yuvAnaglyph?.forEach((value, i) => yuvTable.fill(value, 4 * i, 4 * i + 4));
    const ints = new Int32Array(buffer, plan, 64);
    const floats = new Float64Array(buffer, plan + 256, 8);
    const { int, float } = RENDER_PLAN;
    const values: Array<[number, number]> = [
      [int.width, width], [int.height, height], [int.format, RENDER_PLAN.formats[layout.format]], [int.mode, RENDER_PLAN.modes[this.options.mode]],
      [int.frame, at.frame], [int.chromaWidth, chroma1.width], [int.chromaHeight, chroma1.height], [int.plane1, chroma1.offset], [int.plane2, chroma2.offset],
      [int.fieldA, at.fieldA], [int.fieldB, at.fieldB], [int.gridWidth, grid.gridWidth], [int.gridHeight, grid.gridHeight],
      [int.leading, this.sampler.leadingPixels], [int.aRow, at.aRow], [int.bRow, at.bRow], [int.runStart, at.runStart], [int.runWeight, at.runWeight],
      [int.guide, at.guide], [int.depthRow, at.depthRow], [int.dilated, at.dilated], [int.padded, at.padded], [int.taper, at.taper], [int.base, at.base],
      [int.radius, this.dilationRadius()], [int.positions + LEFT, at.positions[0]!], [int.positions + RIGHT, at.positions[1]!],
      [int.halfPositions, at.halfPositions], [int.warpScratch, at.warpScratch], [int.identity, at.identity], [int.matrices, at.matrices],
      [int.out, at.out], [int.outWidth, outLuma.width], [int.outHeight, outLuma.height], [int.outChromaWidth, outChroma1.width],
      [int.outChromaHeight, outChroma1.height], [int.outPlane1, outChroma1.offset], [int.outPlane2, outChroma2.offset], [int.depthOut, 0],
      [int.aRow2, at.aRow2], [int.bRow2, at.bRow2], [int.guide2, at.guide2], [int.depthRow2, at.depthRow2], [int.anaglyphTable, at.anaglyphTable],
      [int.sampleConstants, at.sampleConstants], [int.anaglyphYuvTable, at.anaglyphYuvTable],
      ...at.scratch.map((offset, i): [number, number] => [int.scratch + i, offset]),
      ...at.pending.map((offset, i): [number, number] => [int.pending + i, offset]),
    ];
    for (const [index, value] of values) ints[index] = value;
    floats[float.cellHeight] = grid.cellHeight;
    floats[float.step] = this.sampler.step;
    floats[float.convergence] = this.options.convergence;
    floats[float.k + LEFT] = this.gains.left * this.shift;
    floats[float.k + RIGHT] = this.gains.right * this.shift;
    // The eyes must fit their packed planes (they do, except for an odd yuv420p width in sbs or
    // height in tb, which the TypeScript pack cannot write either).
    const mode = this.options.mode;
    const fits = (input: PlaneGeometry, output: PlaneGeometry): boolean =>
      mode === 'sbs' || mode === 'cross-eyed' ? 2 * input.width <= output.width : mode === 'tb' ? 2 * input.height <= output.height : true;
    return {
      kernels, plan, planInts: ints,
      frame: new Uint8Array(buffer, at.frame, layout.byteLength), frameOffset: at.frame,
      staging: this.upsampleChroma ? new Uint8Array(buffer, at.staging, this.inputLayout.byteLength) : undefined,
      stagingOffset: at.staging, chromaRowOffset: at.chromaRow,
      fieldA: new Float32Array(buffer, at.fieldA, cells), fieldB: new Float32Array(buffer, at.fieldB, cells),
      output: new Uint8Array(buffer, at.out, outputLayout.byteLength),
      depthOffset: at.depth, depth: new Uint8Array(buffer, at.depth, width * height),
      packable: fits(luma, outLuma) && fits(chroma1, outChroma1) && fits(chroma2, outChroma2),
    };
  }

  private dilationRadius(): number {
    return min(MAX_DILATION, max(0, round(this.options.edgeDilation)));
  }
}
