import os from 'node:os';
import {
  AnaglyphMethodSchema,
  OutputModeSchema,
  ConvergenceSchema,
  DivergenceSchema,
  describeZodError,
  type AnaglyphMethod,
  type OutputMode,
} from '@stereo-spot/shared-types';
import { z } from 'zod';
import { StereoEngineError } from '../errors';
import type { SourceEye } from '../stereo/geometry';
import type { RenderOptions } from '../stereo/renderer';

export interface ConvertProgress {
  /** Frames written so far. */
  readonly frames: number;
  /** Expected frame count, when the input tells (exact or from duration × rate). */
  readonly totalFrames?: number;
  /** Frames per second since the start. */
  readonly fps: number;
  /** frames / totalFrames in [0, 1], when totalFrames is known. */
  readonly fraction?: number;
}

export interface EncoderOptions {
  /** Constant rate factor (libx264/libx265/VP9/AV1); default 20. */
  readonly crf?: number;
  /** Encoder speed preset (libx264/libx265); default `veryfast`. */
  readonly preset?: string;
  /** ffmpeg video encoder; default `libx264`. */
  readonly codec?: string;
  /** Output pixel format; default `yuv420p`, `yuv444p` for anaglyph (4:2:0 chroma ghosts red). */
  readonly pixFmt?: string;
  /** Cap the frame rate (frames are dropped evenly); default: keep the source rate. */
  readonly maxFps?: number;
}

export interface ViewOptions {
  /** Grow near surfaces by this many pixels before warping (edge dilation); default 2. */
  readonly edgeDilation?: number;
  /** Fade parallax to zero over this fraction of the width at both side edges; default 0. */
  readonly zeroParallaxBorder?: number;
  /** Keep the source as this eye, synthesise only the other; default: synthesise both. */
  readonly keepSourceEye?: SourceEye;
  /** Long side of the depth analysis grid in cells; default 256 (video), 384 (image). */
  readonly depthResolution?: number;
}

export interface ConvertOptions extends EncoderOptions, ViewOptions {
  readonly input: string;
  readonly output: string;
  readonly mode: OutputMode;
  /** Maximum parallax in percent of the width; default 2 (iw3's meaning). */
  readonly divergence?: number;
  /** Screen plane: 0 = all in front of the screen, 1 = all behind; default 0.5. */
  readonly convergence?: number;
  readonly anaglyphMethod?: AnaglyphMethod;
  /** Also write the depth map (grayscale, white = near): an image for images, a video for videos. */
  readonly depthOut?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ConvertProgress) => void;
  /**
   * Worker threads for view synthesis; 0 renders on the calling thread. Default: the CPU count
   * (at most 8), or 0 for small frames (under 640×360), where starting workers costs more
   * than it saves.
   */
  readonly threads?: number;
}

export interface ConvertResult {
  /** Frames written (1 for an image). */
  readonly frames: number;
  /** Wall-clock time the conversion took. */
  readonly seconds: number;
  /** Size of the source frames as converted (display orientation; videos rounded down to even). */
  readonly width: number;
  readonly height: number;
  readonly outputWidth: number;
  readonly outputHeight: number;
  readonly hasAudio: boolean;
  /** Duration of the output video (frames / rate); 0 for images. */
  readonly durationSeconds: number;
}

const ConvertOptionsSchema = z.object({
  input: z.string().min(1),
  output: z.string().min(1),
  mode: OutputModeSchema,
  divergence: DivergenceSchema,
  convergence: ConvergenceSchema,
  anaglyphMethod: AnaglyphMethodSchema.default('dubois'),
  depthOut: z.string().min(1).optional(),
  crf: z.number().min(0).max(63).default(20),
  preset: z
    .string()
    .regex(/^[a-z0-9_-]+$/i, 'letters, digits, _ and - only')
    .default('veryfast'),
  codec: z
    .string()
    .regex(/^[a-z0-9_-]+$/i, 'letters, digits, _ and - only')
    .default('libx264'),
  pixFmt: z
    .string()
    .regex(/^[a-z0-9_]+$/i, 'letters, digits and _ only')
    .optional(),
  maxFps: z.number().positive().max(1000).optional(),
  edgeDilation: z.number().int().min(0).max(16).default(2),
  zeroParallaxBorder: z.number().min(0).max(0.5).default(0),
  keepSourceEye: z.enum(['left', 'right']).optional(),
  depthResolution: z.number().int().min(16).max(4096).optional(),
  threads: z.number().int().min(0).max(64).optional(),
});

export type ResolvedConvertOptions = z.output<typeof ConvertOptionsSchema> & {
  readonly pixFmt: string;
  /** Undefined: decided per input by `threadsFor`. */
  readonly threads: number | undefined;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((progress: ConvertProgress) => void) | undefined;
};

/** Validates the options (INVALID_OPTIONS, permanent, on any problem) and fills defaults. */
export function resolveConvertOptions(options: ConvertOptions): ResolvedConvertOptions {
  const { signal, onProgress, ...plain } = options;
  const parsed = ConvertOptionsSchema.safeParse(plain);
  if (!parsed.success) {
    throw new StereoEngineError('INVALID_OPTIONS', `invalid conversion options: ${describeZodError(parsed.error)}`);
  }
  const value = parsed.data;
  return {
    ...value,
    pixFmt: value.pixFmt ?? (value.mode === 'anaglyph' ? 'yuv444p' : 'yuv420p'),
    threads: value.threads,
    signal,
    onProgress,
  };
}

/** The renderer's share of the options; `mode` is the one rendered (a video may work in another). */
export function renderOptionsOf(options: ResolvedConvertOptions, mode: OutputMode): RenderOptions {
  return {
    mode,
    divergence: options.divergence,
    convergence: options.convergence,
    anaglyphMethod: options.anaglyphMethod,
    edgeDilation: options.edgeDilation,
    zeroParallaxBorder: options.zeroParallaxBorder,
    keepSourceEye: options.keepSourceEye,
  };
}

/** Render workers for frames of this many pixels when the caller did not choose. */
export function threadsFor(requested: number | undefined, pixels: number): number {
  if (requested !== undefined) return requested;
  return pixels < 640 * 360 ? 0 : defaultThreads();
}

/**
 * Threads of the decoding ffmpeg for this many render workers: one per four workers, at least
 * one. Decoding is a small share of the work (one thread decodes 1080p H.264 at about 150 fps),
 * while every extra frame thread holds decoded frames of its own (about 25 MB at 1080p) and
 * competes with the render workers for the cores; many workers (a big machine, 4K) still get a
 * decoder that keeps ahead of them.
 */
export function decoderThreadsFor(renderThreads: number): number {
  return Math.max(1, Math.floor(renderThreads / 4));
}

export function defaultThreads(): number {
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(8, cpus));
}
