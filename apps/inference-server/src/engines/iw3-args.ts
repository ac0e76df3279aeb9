/**
 * How a request and the IW3_* environment become iw3's command line. Pure, so every mapping is
 * unit-tested. The flags are iw3's own (nagadomi/nunif `iw3/utils.py` `create_parser`, called by
 * `iw3/cli.py`); docs/inference.md lists what was checked.
 */
import path from 'node:path';
import type { AnaglyphMethod, OutputMode, StereoParams } from '@stereo-spot/shared-types';
import { z } from 'zod';
import { InferenceConfigError } from '../errors';
import {
  IW3_DEFAULTS,
  IW3_DEPTH_MODELS,
  IW3_METHODS,
  IW3_PRESETS,
  IW3_SUFFIXES,
  type Iw3DepthModel,
  type Iw3Method,
  type Iw3Preset,
} from './iw3-pinned';


/** Tuning from the environment (the runbook's knobs for GPU memory, speed and quality). */
export interface Iw3Tuning {
  /** IW3_LOW_VRAM=1 → `--low-vram` */
  readonly lowVram: boolean;
  /**
   * IW3_MAX_FPS → `--max-fps`, always passed; default iw3's 30, so a 60 fps source comes out at
   * 30 fps (half the frames to convert). 60 keeps 60 fps sources at their rate.
   */
  readonly maxFps: number;
  /** IW3_PRESET → `--preset` (iw3's default `medium` when unset) */
  readonly preset?: Iw3Preset;
  /** IW3_VIDEO_CODEC → `--video-codec` */
  readonly videoCodec?: string;
  /** IW3_DISABLE_AMP=1 → `--disable-amp` */
  readonly disableAmp: boolean;
  /** IW3_DEPTH_MODEL → `--depth-model` (iw3's default `ZoeD_Any_N` when unset) */
  readonly depthModel?: Iw3DepthModel;
  /** IW3_METHOD → `--method` (iw3's default `row_flow` when unset) */
  readonly method?: Iw3Method;
}

/** The depth model and method a conversion uses: the setting, else iw3's own default. */
export function effectiveModels(tuning: Iw3Tuning): { depthModel: Iw3DepthModel; method: Iw3Method } {
  return { depthModel: tuning.depthModel ?? IW3_DEFAULTS.depthModel, method: tuning.method ?? IW3_DEFAULTS.method };
}

const flag = (variable: string) =>
  z
    .enum(['0', '1', 'true', 'false'], { error: `${variable} must be 1 or 0` })
    .optional()
    .transform((value) => value === '1' || value === 'true');
const blankAsUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const TuningEnvSchema = z.object({
  IW3_LOW_VRAM: z.preprocess(blankAsUndefined, flag('IW3_LOW_VRAM')),
  IW3_DISABLE_AMP: z.preprocess(blankAsUndefined, flag('IW3_DISABLE_AMP')),
  IW3_MAX_FPS: z.preprocess(
    blankAsUndefined,
    z.coerce
      .number({ error: 'IW3_MAX_FPS must be a number' })
      .positive('IW3_MAX_FPS must be positive')
      .default(IW3_DEFAULTS.maxFps),
  ),
  IW3_PRESET: z.preprocess(
    blankAsUndefined,
    z.enum(IW3_PRESETS, { error: `IW3_PRESET must be one of ${IW3_PRESETS.join(', ')}` }).optional(),
  ),
  IW3_VIDEO_CODEC: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .regex(/^[a-z0-9_]+$/, 'IW3_VIDEO_CODEC must be an ffmpeg encoder name such as libx264')
      .optional(),
  ),
  IW3_DEPTH_MODEL: z.preprocess(
    blankAsUndefined,
    z
      .enum(IW3_DEPTH_MODELS, {
        error: (issue) =>
          `IW3_DEPTH_MODEL=${String(issue.input)} is not one of iw3's depth models: ${IW3_DEPTH_MODELS.join(', ')}`,
      })
      .optional(),
  ),
  IW3_METHOD: z.preprocess(
    blankAsUndefined,
    z
      .enum(IW3_METHODS, {
        error: (issue) => `IW3_METHOD=${String(issue.input)} is not one of iw3's methods: ${IW3_METHODS.join(', ')}`,
      })
      .optional(),
  ),
});

/** Reads the IW3_* variables; throws InferenceConfigError naming every bad one. */
export function parseIw3Tuning(env: Readonly<Record<string, string | undefined>>): Iw3Tuning {
  const parsed = TuningEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new InferenceConfigError(parsed.error.issues.map((issue) => issue.message).join('; '));
  }
  const v = parsed.data;
  return {
    lowVram: v.IW3_LOW_VRAM,
    disableAmp: v.IW3_DISABLE_AMP,
    maxFps: v.IW3_MAX_FPS,
    ...(v.IW3_PRESET !== undefined ? { preset: v.IW3_PRESET } : {}),
    ...(v.IW3_VIDEO_CODEC !== undefined ? { videoCodec: v.IW3_VIDEO_CODEC } : {}),
    ...(v.IW3_DEPTH_MODEL !== undefined ? { depthModel: v.IW3_DEPTH_MODEL } : {}),
    ...(v.IW3_METHOD !== undefined ? { method: v.IW3_METHOD } : {}),
  };
}

/** The layout flags per mode. Full side-by-side is iw3's default, so `sbs` adds none. */
export function modeFlags(mode: OutputMode, anaglyphMethod: AnaglyphMethod): string[] {
  switch (mode) {
    case 'anaglyph':
      // 4:2:0 chroma subsampling smears the red channel into ghosting; iw3's README recommends 4:4:4.
      return ['--anaglyph', anaglyphMethod, '--pix-fmt', 'yuv444p'];
    case 'sbs':
      return [];
    case 'half-sbs':
      return ['--half-sbs'];
    case 'tb':
      return ['--tb'];
    case 'half-tb':
      return ['--half-tb'];
    case 'cross-eyed':
      return ['--cross-eyed'];
  }
}

export function tuningFlags(tuning: Iw3Tuning): string[] {
  const flags: string[] = [];
  if (tuning.lowVram) flags.push('--low-vram');
  flags.push('--max-fps', String(tuning.maxFps));
  if (tuning.preset !== undefined) flags.push('--preset', tuning.preset);
  if (tuning.videoCodec !== undefined) flags.push('--video-codec', tuning.videoCodec);
  if (tuning.disableAmp) flags.push('--disable-amp');
  if (tuning.depthModel !== undefined) flags.push('--depth-model', tuning.depthModel);
  if (tuning.method !== undefined) flags.push('--method', tuning.method);
  return flags;
}

export interface Iw3Invocation {
  readonly inputPath: string;
  /** An existing folder: iw3 names the file itself (see `iw3OutputFileName`). */
  readonly outputDir: string;
  /**
   * Where iw3 writes its scene-boundary cache entry: inside the request's scratch folder, so it
   * goes with it. `--disable-scene-cache` only stops iw3 reading the cache; it writes an entry
   * after every detection regardless (iw3/utils.py:1017-1033), by default under NUNIF_DIR/tmp.
   */
  readonly sceneCacheDir: string;
  readonly mode: OutputMode;
  readonly stereo: StereoParams;
  readonly tuning: Iw3Tuning;
}

/** Arguments after the Python executable: `-m iw3.cli -i ... -o ... --yes <flags>`. */
export function buildIw3Args(invocation: Iw3Invocation): string[] {
  return [
    '-m',
    'iw3.cli',
    '--input',
    invocation.inputPath,
    '--output',
    invocation.outputDir,
    '--yes',
    ...modeFlags(invocation.mode, invocation.stereo.anaglyph_method),
    '--divergence',
    String(invocation.stereo.divergence),
    '--convergence',
    String(invocation.stereo.convergence),
    // Segments are videos: reset depth normalisation at cuts and smooth it between frames.
    '--scene-detect',
    // Each segment is converted once: never reuse a cache entry, and keep the one iw3 writes
    // out of NUNIF_DIR (where nothing would ever remove it).
    '--disable-scene-cache',
    '--scene-cache-dir',
    invocation.sceneCacheDir,
    '--ema-normalize',
    ...tuningFlags(invocation.tuning),
  ];
}

/** iw3's file-name suffix per layout (`make_output_filename`), for VR players' auto-detection. */
export function iw3Suffix(mode: OutputMode, anaglyphMethod: AnaglyphMethod): string {
  switch (mode) {
    case 'anaglyph':
      return `${IW3_SUFFIXES.ANAGLYPH_SUFFIX}_${anaglyphMethod}`;
    case 'sbs':
      return IW3_SUFFIXES.FULL_SBS_SUFFIX;
    case 'half-sbs':
      return IW3_SUFFIXES.HALF_SBS_SUFFIX;
    case 'tb':
      return IW3_SUFFIXES.FULL_TB_SUFFIX;
    case 'half-tb':
      return IW3_SUFFIXES.HALF_TB_SUFFIX;
    case 'cross-eyed':
      return IW3_SUFFIXES.CROSS_EYED_SUFFIX;
  }
}

const SMB_INVALID_CHARS = /[\\/:*?"<>|]/g;

/** The name iw3 gives the output of `inputPath` when `--output` is a folder (mp4 container). */
export function iw3OutputFileName(inputPath: string, mode: OutputMode, anaglyphMethod: AnaglyphMethod): string {
  const base = path.basename(inputPath, path.extname(inputPath)).replace(SMB_INVALID_CHARS, '_');
  return `${base}${iw3Suffix(mode, anaglyphMethod)}.mp4`;
}
