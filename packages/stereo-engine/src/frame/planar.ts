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
