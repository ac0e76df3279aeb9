import { z } from 'zod';

/**
 * Output layouts. The names follow iw3's options; `cross-eyed` is side-by-side with the eyes
 * swapped (right image on the left) for free viewing.
 */
export const OUTPUT_MODES = ['anaglyph', 'sbs', 'half-sbs', 'tb', 'half-tb', 'cross-eyed'] as const;
export const OutputModeSchema = z.enum(OUTPUT_MODES);
export type OutputMode = z.infer<typeof OutputModeSchema>;
export const DEFAULT_OUTPUT_MODE: OutputMode = 'anaglyph';

export interface OutputModeInfo {
  readonly label: string;
  /** One line for people choosing a mode. */
  readonly description: string;
  /**
   * File-name suffix that VR players use to detect the layout (before the extension): iw3's own
   * table (`*_SUFFIX` in nunif's iw3/utils.py; `F` = full width/height, none = half). The
   * inference server's tests check it against iw3's source at the pinned commit.
   */
  readonly fileSuffix: string;
  /** Output frame size relative to the source frame. */
  readonly widthFactor: 1 | 2;
  readonly heightFactor: 1 | 2;
  /** Whether the layout holds two separate views (so it can be previewed as anaglyph). */
  readonly isStereoPair: boolean;
}

export const OUTPUT_MODE_INFO: Readonly<Record<OutputMode, OutputModeInfo>> = {
  anaglyph: {
    label: 'Anaglyph',
    description: 'One colour image for red-cyan glasses; plays on any screen.',
    fileSuffix: '_redcyan',
    widthFactor: 1,
    heightFactor: 1,
    isStereoPair: false,
  },
  sbs: {
    label: 'Full side-by-side',
    description: 'Left and right views at full width next to each other, for VR headsets.',
    fileSuffix: '_LRF_Full_SBS',
    widthFactor: 2,
    heightFactor: 1,
    isStereoPair: true,
  },
  'half-sbs': {
    label: 'Half side-by-side',
    description: 'Both views squeezed into the source width, for 3D TVs and projectors.',
    fileSuffix: '_LR',
    widthFactor: 1,
    heightFactor: 1,
    isStereoPair: true,
  },
  tb: {
    label: 'Top-bottom',
    description: 'Left view above the right view at full height, for VR players.',
    fileSuffix: '_TBF_fulltb',
    widthFactor: 1,
    heightFactor: 2,
    isStereoPair: true,
  },
  'half-tb': {
    label: 'Half top-bottom',
    description: 'Both views squeezed into the source height, for 3D TVs.',
    fileSuffix: '_TB',
    widthFactor: 1,
    heightFactor: 1,
    isStereoPair: true,
  },
  'cross-eyed': {
    label: 'Cross-eyed',
    description: 'Right view on the left, for free viewing without glasses by crossing your eyes.',
    fileSuffix: '_RLF_cross',
    widthFactor: 2,
    heightFactor: 1,
    isStereoPair: true,
  },
};

/** Anaglyph colour matrices; Dubois's least-squares matrices ghost least on common glasses. */
export const ANAGLYPH_METHODS = ['dubois', 'color', 'gray', 'half-color'] as const;
export const AnaglyphMethodSchema = z.enum(ANAGLYPH_METHODS);
export type AnaglyphMethod = z.infer<typeof AnaglyphMethodSchema>;

/** Ranges and defaults with iw3's meaning. */
export const STEREO_LIMITS = {
  /** Strength of the 3D effect: maximum parallax as a percentage of the frame width. */
  divergence: { min: 0, max: 10, default: 2.0 },
  /** Where the screen plane sits in depth: 0 = everything pops out, 1 = everything behind. */
  convergence: { min: 0, max: 1, default: 0.5 },
} as const;

/** Divergence with its range and default: the one definition every schema uses. */
export const DivergenceSchema = z
  .number()
  .min(STEREO_LIMITS.divergence.min)
  .max(STEREO_LIMITS.divergence.max)
  .default(STEREO_LIMITS.divergence.default);

/** Convergence with its range and default: the one definition every schema uses. */
export const ConvergenceSchema = z
  .number()
  .min(STEREO_LIMITS.convergence.min)
  .max(STEREO_LIMITS.convergence.max)
  .default(STEREO_LIMITS.convergence.default);

export const StereoParamsSchema = z.object({
  divergence: DivergenceSchema,
  convergence: ConvergenceSchema,
  anaglyph_method: AnaglyphMethodSchema.default('dubois'),
});
export type StereoParams = z.infer<typeof StereoParamsSchema>;

export const DEFAULT_STEREO_PARAMS: StereoParams = StereoParamsSchema.parse({});

/** The output file name people download: source name without extension + VR suffix + `.mp4`. */
export function outputFileName(sourceFileName: string, mode: OutputMode): string {
  const base =
    sourceFileName
      .replace(/\.[^./\\]*$/, '')
      .replace(/[/\\]/g, '_')
      .trim() || 'video';
  return `${base}${OUTPUT_MODE_INFO[mode].fileSuffix}.mp4`;
}
