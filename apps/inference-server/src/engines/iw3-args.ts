/**
 * How a request and the IW3_* environment become iw3's command line. Pure, so every mapping is
 * unit-tested. The flags are iw3's own (nagadomi/nunif `iw3/utils.py` `create_parser`, called by
 * `iw3/cli.py`); docs/inference.md lists what was checked.
 */
import path from 'node:path';
import type { AnaglyphMethod, OutputMode, StereoParams } from '@stereo-spot/shared-types';
import { z } from 'zod';
import { InferenceConfigError } from '../errors';

/** iw3's `--preset` choices (x264/x265 presets and NVENC p1..p7). */
export const IW3_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
  'placebo',
  'p1',
  'p2',
  'p3',
  'p4',
  'p5',
  'p6',
  'p7',
] as const;

/** Tuning from the environment (the runbook's knobs for GPU memory, speed and quality). */
export interface Iw3Tuning {
  /** IW3_LOW_VRAM=1 → `--low-vram` */
  readonly lowVram: boolean;
  /** IW3_MAX_FPS → `--max-fps` */
  readonly maxFps?: number;
  /** IW3_PRESET → `--preset` */
  readonly preset?: (typeof IW3_PRESETS)[number];
  /** IW3_VIDEO_CODEC → `--video-codec` */
  readonly videoCodec?: string;
  /** IW3_DISABLE_AMP=1 → `--disable-amp` */
  readonly disableAmp: boolean;
  /** IW3_DEPTH_MODEL → `--depth-model` */
  readonly depthModel?: string;
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
    z.coerce.number({ error: 'IW3_MAX_FPS must be a number' }).positive('IW3_MAX_FPS must be positive').optional(),
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
      .string()
      .regex(/^[A-Za-z0-9_]+$/, 'IW3_DEPTH_MODEL must be an iw3 depth model name such as ZoeD_Any_N')
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
    ...(v.IW3_MAX_FPS !== undefined ? { maxFps: v.IW3_MAX_FPS } : {}),
    ...(v.IW3_PRESET !== undefined ? { preset: v.IW3_PRESET } : {}),
    ...(v.IW3_VIDEO_CODEC !== undefined ? { videoCodec: v.IW3_VIDEO_CODEC } : {}),
    ...(v.IW3_DEPTH_MODEL !== undefined ? { depthModel: v.IW3_DEPTH_MODEL } : {}),
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
  if (tuning.maxFps !== undefined) flags.push('--max-fps', String(tuning.maxFps));
  if (tuning.preset !== undefined) flags.push('--preset', tuning.preset);
  if (tuning.videoCodec !== undefined) flags.push('--video-codec', tuning.videoCodec);
  if (tuning.disableAmp) flags.push('--disable-amp');
  if (tuning.depthModel !== undefined) flags.push('--depth-model', tuning.depthModel);
  return flags;
}

export interface Iw3Invocation {
  readonly inputPath: string;
  /** An existing folder: iw3 names the file itself (see `iw3OutputFileName`). */
  readonly outputDir: string;
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
    '--ema-normalize',
    ...tuningFlags(invocation.tuning),
  ];
}

/** iw3's file-name suffix per layout (`make_output_filename`), for VR players' auto-detection. */
export function iw3Suffix(mode: OutputMode, anaglyphMethod: AnaglyphMethod): string {
  switch (mode) {
    case 'anaglyph':
      return `_redcyan_${anaglyphMethod}`;
    case 'sbs':
      return '_LRF_Full_SBS';
    case 'half-sbs':
      return '_LR';
    case 'tb':
      return '_TBF_fulltb';
    case 'half-tb':
      return '_TB';
    case 'cross-eyed':
      return '_RLF_cross';
  }
}

const SMB_INVALID_CHARS = /[\\/:*?"<>|]/g;

/** The name iw3 gives the output of `inputPath` when `--output` is a folder (mp4 container). */
export function iw3OutputFileName(inputPath: string, mode: OutputMode, anaglyphMethod: AnaglyphMethod): string {
  const base = path.basename(inputPath, path.extname(inputPath)).replace(SMB_INVALID_CHARS, '_');
  return `${base}${iw3Suffix(mode, anaglyphMethod)}.mp4`;
}
