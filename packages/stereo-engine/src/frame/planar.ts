/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array kernels: indices in range by construction */
/**
 * Raw planar frames as ffmpeg's rawvideo muxer reads and writes them: planes stored one after
 * the other, no padding. `yuv420p` has quarter-size chroma planes (left-sited, MPEG-2 style),
 * `yuv444p` and `gbrp` (planes in G, B, R order) three full-size planes.
 */
export type PlanarFormat = 'yuv420p' | 'yuv444p' | 'gbrp';

export interface PlaneGeometry {
  readonly width: number;
  readonly height: number;
  readonly offset: number;
}

export interface FrameLayout {
  readonly format: PlanarFormat;
  readonly width: number;
  readonly height: number;
  readonly planes: readonly PlaneGeometry[];
  readonly byteLength: number;
}

export function frameLayout(format: PlanarFormat, width: number, height: number): FrameLayout {
  const chromaWidth = format === 'yuv420p' ? (width + 1) >> 1 : width;
  const chromaHeight = format === 'yuv420p' ? (height + 1) >> 1 : height;
  const lumaBytes = width * height;
  const chromaBytes = chromaWidth * chromaHeight;
  return {
    format,
    width,
    height,
    planes: [
      { width, height, offset: 0 },
      { width: chromaWidth, height: chromaHeight, offset: lumaBytes },
      { width: chromaWidth, height: chromaHeight, offset: lumaBytes + chromaBytes },
    ],
    byteLength: lumaBytes + 2 * chromaBytes,
  };
}

/** A frame: its layout and the bytes (length ≥ layout.byteLength). */
export interface PlanarFrame {
  readonly layout: FrameLayout;
  readonly data: Uint8Array;
}

/** Plane `index` of `frame` as a view (no copy). */
export function planeOf(frame: PlanarFrame, index: number): Uint8Array {
  const plane = frame.layout.planes[index];
  if (!plane) throw new RangeError(`plane ${index} does not exist`);
  return frame.data.subarray(plane.offset, plane.offset + plane.width * plane.height);
}

/** Interleaved RGB24 (what most image APIs hand out) to a gbrp frame. */
export function gbrpFromRgb(rgb: Uint8Array, width: number, height: number): PlanarFrame {
  const layout = frameLayout('gbrp', width, height);
  const data = new Uint8Array(layout.byteLength);
  const n = width * height;
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    data[i + 2 * n] = rgb[j] ?? 0;
    data[i] = rgb[j + 1] ?? 0;
    data[i + n] = rgb[j + 2] ?? 0;
  }
  return { layout, data };
}

/** A gbrp frame back to interleaved RGB24. */
export function rgbFromGbrp(frame: PlanarFrame): Uint8Array {
  const { width, height } = frame.layout;
  const n = width * height;
  const rgb = new Uint8Array(n * 3);
  const d = frame.data;
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    rgb[j] = d[i + 2 * n] ?? 0;
    rgb[j + 1] = d[i] ?? 0;
    rgb[j + 2] = d[i + n] ?? 0;
  }
  return rgb;
}

/**
 * A yuv420p frame (`layout`) as yuv444p into `out` (the 4:4:4 layout's bytes), the chroma
 * interpolated bilinearly with each chroma sample centred on its 2×2 luma block, the siting
 * swscale assumes by default (ffmpeg's conversion to yuv444p or RGB gives within a few levels
 * of this, bicubic where this is bilinear): rows first, each luma row 3/4 of its chroma row and
 * 1/4 of the nearer other one, then columns alike ((3·near + far + 2) >> 2 each time, edges
 * repeated). Integer rounding as written, so the WebAssembly twin gives the same bytes.
 */
export function upsampleChroma420(frame: Uint8Array, layout: FrameLayout, out: Uint8Array): void {
  const { width, height } = layout;
  const lumaBytes = width * height;
  out.set(frame.subarray(0, lumaBytes));
  const chromaWidth = (width + 1) >> 1;
  const chromaHeight = (height + 1) >> 1;
  // The row mix, with one repeated sample at each end: row[i + 1] is chroma column i.
  const row = new Uint8Array(chromaWidth + 2);
  for (let plane = 1; plane <= 2; plane++) {
    const source = layout.planes[plane]!.offset;
    const target = plane * lumaBytes;
    for (let y = 0; y < height; y++) {
      const c = y >> 1;
      const other = (y & 1) === 1 ? Math.min(c + 1, chromaHeight - 1) : Math.max(c - 1, 0);
      const near = source + c * chromaWidth;
      const far = source + other * chromaWidth;
      for (let i = 0; i < chromaWidth; i++) row[i + 1] = (3 * frame[near + i]! + frame[far + i]! + 2) >> 2;
      row[0] = row[1]!;
      row[chromaWidth + 1] = row[chromaWidth]!;
      const at = target + y * width;
      for (let x = 0; x < width; x++) {
        const i = (x >> 1) + 1;
        out[at + x] = (3 * row[i]! + row[(x & 1) === 0 ? i - 1 : i + 1]! + 2) >> 2;
      }
    }
  }
}
