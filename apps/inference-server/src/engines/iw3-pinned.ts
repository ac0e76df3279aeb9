/**
 * What the server relies on from iw3 at the nunif commit the image pins. Every list is copied from
 * `iw3/utils.py` at that commit (line numbers below); test/iw3-pinned.test.ts reads the same file
 * (vendored byte for byte under test/fixtures/iw3-pinned) and fails when any of this differs.
 */

/** nagadomi/nunif master of 2026-04-18 ("Merge branch 'dev'"); the Dockerfile's NUNIF_COMMIT. */
export const NUNIF_COMMIT = 'd23721f1b5f0a4c92c3ee1be013180bf298730c5';

/** `--depth-model` choices (iw3/utils.py:2013). */
export const IW3_DEPTH_MODELS = [
  'ZoeD_N',
  'ZoeD_K',
  'ZoeD_NK',
  'Any_S',
  'Any_B',
  'Any_L',
  'ZoeD_Any_N',
  'ZoeD_Any_K',
  'Any_V2_S',
  'Any_V2_B',
  'Any_V2_L',
  'Any_V2_N',
  'Any_V2_K',
  'Any_V2_N_S',
  'Any_V2_N_B',
  'Any_V2_N_L',
  'Any_V2_K_S',
  'Any_V2_K_B',
  'Any_V2_K_L',
  'Distill_Any_S',
  'Distill_Any_B',
  'Distill_Any_L',
  'Any_V3_Mono',
  'Any_V3_Mono_01',
  'DepthPro',
  'DepthPro_S',
  'VDA_S',
  'VDA_B',
  'VDA_L',
  'VDA_Metric',
  'VDA_Metric_S',
  'VDA_Metric_B',
  'VDA_Metric_L',
  'VDA_Stream_S',
  'VDA_Stream_B',
  'VDA_Stream_L',
  'VDA_Stream_Metric_S',
  'VDA_Stream_Metric_B',
  'VDA_Stream_Metric_L',
  'NULL',
] as const;
export type Iw3DepthModel = (typeof IW3_DEPTH_MODELS)[number];

/** `--method` choices (iw3/utils.py:1960): how the second view is synthesised. */
export const IW3_METHODS = [
  'grid_sample',
  'backward',
  'forward',
  'forward_fill',
  'forward_inpaint',
  'mlbw_l2',
  'mlbw_l4',
  'mlbw_l2s',
  'mlbw_l4s',
  'mask_mlbw_l2',
  'mlbw_l2_inpaint',
  'row_flow',
  'row_flow_sym',
  'row_flow_v3',
  'row_flow_v3_sym',
  'row_flow_v2',
  'NULL',
] as const;
export type Iw3Method = (typeof IW3_METHODS)[number];

/** `--preset` choices (iw3/utils.py:2000): x264/x265 presets and NVENC p1..p7. */
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
export type Iw3Preset = (typeof IW3_PRESETS)[number];

/** `--anaglyph` choices (iw3/utils.py:2076); shared-types' anaglyph methods must be among them. */
export const IW3_ANAGLYPH_METHODS = ['color', 'gray', 'half-color', 'wimmer', 'wimmer2', 'dubois', 'dubois2'] as const;

/** iw3's own defaults for the settings the server exposes (iw3/utils.py:1960, 1993, 2000, 2013). */
export const IW3_DEFAULTS = {
  method: 'row_flow',
  maxFps: 30,
  preset: 'medium',
  depthModel: 'ZoeD_Any_N',
} as const satisfies {
  method: Iw3Method;
  maxFps: number;
  preset: Iw3Preset;
  depthModel: Iw3DepthModel;
};

/**
 * iw3's file-name suffixes for VR players' layout detection (iw3/utils.py:93-102); the
 * anaglyph suffix gets `_<method>` appended by `make_output_filename` (iw3/utils.py:111).
 */
export const IW3_SUFFIXES = {
  FULL_SBS_SUFFIX: '_LRF_Full_SBS',
  HALF_SBS_SUFFIX: '_LR',
  FULL_TB_SUFFIX: '_TBF_fulltb',
  HALF_TB_SUFFIX: '_TB',
  CROSS_EYED_SUFFIX: '_RLF_cross',
  ANAGLYPH_SUFFIX: '_redcyan',
} as const;

/**
 * iw3 writes `_tmp_<name>` while encoding and renames it to `<name>` on success or to
 * `_error_<name>` on failure (nunif/utils/video.py:895-900, 1139-1141, 1161 at the pinned commit):
 * neither is ever a result.
 */
export const IW3_PARTIAL_FILE_PREFIXES = ['_tmp_', '_error_'] as const;
