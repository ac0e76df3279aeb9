// Helpers the synthetic and the real-image evals share: the vertical-ramp baseline as a depth
// field, and a right view synthesised from the left with a depth field.
import type { DepthField } from '../src/depth/field';
import type { GridSize } from '../src/depth/grid';
import { rgbFromGbrp, type FrameLayout } from '../src/frame/planar';
import { StereoRenderer } from '../src/stereo/renderer';

/** The baseline "the lower, the nearer": depth = row / (height − 1), the same across each row. */
export function rampField(grid: GridSize): DepthField {
  const n = grid.gridWidth * grid.gridHeight;
  const b = new Float32Array(n);
  for (let y = 0; y < grid.gridHeight; y++) b.fill(y / Math.max(1, grid.gridHeight - 1), y * grid.gridWidth, (y + 1) * grid.gridWidth);
  return { ...grid, a: new Float32Array(n), b };
}

/** A grid of one cell per pixel (for fields that are not the engine's). */
export function pixelGrid(layout: FrameLayout): GridSize {
  return { gridWidth: layout.width, gridHeight: layout.height, cellWidth: 1, cellHeight: 1 };
}

/**
 * Synthesises the right view (RGB24) from the left (gbrp) with `field`, matched to a known
 * disparity range: depth 0 → dMin pixels, depth 1 → dMax pixels.
 */
export function synthesiseRight(layout: FrameLayout, frame: Uint8Array, field: DepthField, grid: GridSize, dMin: number, dMax: number): Uint8Array {
  // The right eye moves pixels left by 2·shift·(depth − convergence), shift = divergence·0.01·W/2.
  const range = Math.max(dMax - dMin, 1e-6);
  const renderer = new StereoRenderer(layout, grid, {
    mode: 'sbs',
    divergence: range / (0.01 * layout.width),
    convergence: -dMin / range,
    anaglyphMethod: 'dubois',
    edgeDilation: 2,
    zeroParallaxBorder: 0,
    keepSourceEye: 'left',
  });
  const out = new Uint8Array(renderer.outputLayout.byteLength);
  renderer.render(frame, field, out);
  const packed = rgbFromGbrp({ layout: renderer.outputLayout, data: out });
  const right = new Uint8Array(layout.width * layout.height * 3);
  for (let y = 0; y < layout.height; y++) {
    const from = (y * 2 * layout.width + layout.width) * 3;
    right.set(packed.subarray(from, from + layout.width * 3), y * layout.width * 3);
  }
  return right;
}
