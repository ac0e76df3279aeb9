import { StereoEngineError } from '../errors';
import { gbrpFromRgb, type FrameLayout } from '../frame/planar';
import { DepthEstimator, type DepthEstimatorOptions } from './estimator';
import { DepthFieldSampler, type DepthField } from './field';

/** An interleaved 8-bit RGB frame (RGB24: r, g, b per pixel, rows top to bottom, no padding). */
export interface RgbFrame {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Depth per pixel in [0, 1], 1 = near, at the frame's size. */
export interface DepthMap {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

export type EstimateDepthOptions = Pick<DepthEstimatorOptions, 'resolution'>;

/** Estimates the depth of a single RGB frame (no temporal context). */
export function estimateDepth(frame: RgbFrame, options: EstimateDepthOptions = {}): DepthMap {
  const { width, height, data } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new StereoEngineError('INVALID_OPTIONS', `frame size ${width}x${height} is not a positive integer size`);
  }
  if (data.length < width * height * 3) {
    throw new StereoEngineError('INVALID_OPTIONS', `frame data holds ${data.length} bytes, RGB24 ${width}x${height} needs ${width * height * 3}`);
  }
  const planar = gbrpFromRgb(data, width, height);
  const estimator = new DepthEstimator(planar.layout, { resolution: options.resolution, temporal: false });
  const field = estimator.estimate(planar.data);
  return { width, height, data: evaluateField(planar.data, planar.layout, field) };
}

/** The full-resolution depth a field describes for `frame`. */
export function evaluateField(frame: Uint8Array, layout: FrameLayout, field: DepthField): Float32Array {
  const sampler = new DepthFieldSampler(layout, field.gridWidth, field.gridHeight, field.cellWidth, field.cellHeight);
  const out = new Float32Array(layout.width * layout.height);
  for (let y = 0; y < layout.height; y++) sampler.row(frame, field, y, out.subarray(y * layout.width));
  return out;
}
