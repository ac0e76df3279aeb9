import type { OutputMode } from '@stereo-spot/shared-types';
import { frameLayout, type FrameLayout, type PlanarFormat } from '../frame/planar';

/**
 * iw3's parallax scale: `shift = divergence · 0.01 · W · 0.5`, so `divergence` is the maximum
 * parallax between the two eyes in percent of the frame width.
 */
export function parallaxShift(divergence: number, width: number): number {
  return divergence * 0.01 * width * 0.5;
}

export type SourceEye = 'left' | 'right';

/**
 * Per-eye gains on `dx = depth·shift − convergence·shift`: left eye +dx, right eye −dx. When one
 * eye keeps the source, the other takes the whole parallax (2·dx) so the pair's depth is the same.
 */
export function eyeGains(keepSourceEye: SourceEye | undefined): { left: number; right: number } {
  if (keepSourceEye === 'left') return { left: 0, right: -2 };
  if (keepSourceEye === 'right') return { left: 2, right: 0 };
  return { left: 1, right: -1 };
}

/** Chroma subsampling factor of a planar format (horizontal = vertical here). */
export function chromaFactor(format: PlanarFormat): 1 | 2 {
  return format === 'yuv420p' ? 2 : 1;
}

/**
 * The packed output frame for a mode, in the working format (anaglyph: one view, 4:4:4 or gbrp).
 * Half modes squeeze each eye to half the width (height); the eye size is rounded down to a
 * whole number of chroma samples so the two eyes never share one, which drops at most
 * 2 columns (rows) per eye for 4:2:0 and 1 for 4:4:4.
 */
export function packedLayout(mode: OutputMode, input: FrameLayout): FrameLayout {
  const { width, height, format } = input;
  const c = chromaFactor(format);
  const halfWidth = Math.floor(width / (2 * c)) * c;
  const halfHeight = Math.floor(height / (2 * c)) * c;
  switch (mode) {
    case 'anaglyph':
      // 4:2:0 frames are upsampled to 4:4:4 for an anaglyph (see StereoRenderer).
      return frameLayout(format === 'yuv420p' ? 'yuv444p' : format, width, height);
    case 'sbs':
    case 'cross-eyed':
      return frameLayout(format, 2 * width, height);
    case 'tb':
      return frameLayout(format, width, 2 * height);
    case 'half-sbs':
      return frameLayout(format, 2 * halfWidth, height);
    case 'half-tb':
      return frameLayout(format, width, 2 * halfHeight);
  }
}

/**
 * A weight per column that fades the parallax to zero at the left and right edges over
 * `fraction` of the width (smoothstep), so nothing sticks out of the frame's window: objects cut
 * by the frame edge sit on the screen plane. `fraction` 0 gives all ones.
 */
export function borderTaper(width: number, fraction: number): Float32Array {
  const taper = new Float32Array(width).fill(1);
  const band = Math.min(width / 2, fraction * width);
  if (band < 1) return taper;
  for (let x = 0; x < width; x++) {
    const distance = Math.min(x + 0.5, width - x - 0.5);
    if (distance >= band) continue;
    const t = distance / band;
    taper[x] = t * t * (3 - 2 * t);
  }
  return taper;
}
