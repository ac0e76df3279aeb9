/**
 * The two eyes' pictures inside a packed stereo frame, by output mode, as single-channel float
 * images ready for block matching.
 *
 * - sbs: left eye in the left half; cross-eyed: the same layout with the eyes swapped (the RIGHT
 *   eye's picture in the left half, for free viewing with crossed eyes); half-sbs: like sbs with
 *   each eye squeezed to half the width.
 * - tb: left eye on top; half-tb: each eye squeezed to half the height.
 * - anaglyph: one picture; its red channel is what the left eye sees through the red filter, its
 *   cyan channels (green and blue, averaged) what the right eye sees.
 */
import type { OutputMode } from '@stereo-spot/shared-types';
import type { RgbFrame } from './rgb-frames';

export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

export interface EyeViews {
  readonly left: GrayImage;
  readonly right: GrayImage;
  /** Source pixels per eye pixel, horizontally (2 for half-sbs) and vertically (2 for half-tb). */
  readonly scaleX: number;
  readonly scaleY: number;
}

type Channel = (r: number, g: number, b: number) => number;
const LUMA: Channel = (r, g, b) => 0.299 * r + 0.587 * g + 0.114 * b;
const RED: Channel = (r) => r;
const CYAN: Channel = (_r, g, b) => (g + b) / 2;

/** Splits a decoded output frame of `mode` into its left and right eye pictures. */
export function eyeViews(frame: RgbFrame, mode: OutputMode): EyeViews {
  const { width, height } = frame;
  const halfWidth = Math.floor(width / 2);
  const halfHeight = Math.floor(height / 2);
  switch (mode) {
    case 'sbs':
    case 'half-sbs': {
      const scaleX = mode === 'half-sbs' ? 2 : 1;
      return {
        left: crop(frame, 0, 0, halfWidth, height, LUMA),
        right: crop(frame, halfWidth, 0, halfWidth, height, LUMA),
        scaleX,
        scaleY: 1,
      };
    }
    case 'cross-eyed':
      return {
        left: crop(frame, halfWidth, 0, halfWidth, height, LUMA),
        right: crop(frame, 0, 0, halfWidth, height, LUMA),
        scaleX: 1,
        scaleY: 1,
      };
    case 'tb':
    case 'half-tb':
      return {
        left: crop(frame, 0, 0, width, halfHeight, LUMA),
        right: crop(frame, 0, halfHeight, width, halfHeight, LUMA),
        scaleX: 1,
        scaleY: mode === 'half-tb' ? 2 : 1,
      };
    case 'anaglyph':
      return {
        left: crop(frame, 0, 0, width, height, RED),
        right: crop(frame, 0, 0, width, height, CYAN),
        scaleX: 1,
        scaleY: 1,
      };
  }
}

function crop(
  frame: RgbFrame,
  x0: number,
  y0: number,
  width: number,
  height: number,
  channel: Channel,
): GrayImage {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = ((y0 + y) * frame.width + x0 + x) * 3;
      data[y * width + x] = channel(frame.data[i] ?? 0, frame.data[i + 1] ?? 0, frame.data[i + 2] ?? 0);
    }
  }
  return { width, height, data };
}
