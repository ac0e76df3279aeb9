// Public API of @stereo-spot/stereo-engine: the built-in CPU 2D-to-3D converter and its ffmpeg
// plumbing (binary resolution, a never-hanging runner with typed errors, media probing).
export {
  convertFile,
  defaultThreads,
  isImagePath,
  type ConvertOptions,
  type ConvertResult,
  type ConvertProgress,
  type EncoderOptions,
  type ViewOptions,
} from './convert';
export { estimateDepth, type RgbFrame, type DepthMap, type EstimateDepthOptions } from './depth/api';
export { DepthEstimator, type DepthEstimatorOptions, type DepthDiagnostics } from './depth/estimator';
export { packedLayout, parallaxShift, type SourceEye } from './stereo/geometry';
export { frameLayout, type FrameLayout, type PlanarFormat } from './frame/planar';
export {
  StereoEngineError,
  isStereoEngineError,
  type StereoEngineErrorCode,
  type StereoEngineErrorDetails,
} from './errors';
export {
  resolveFfmpegPath,
  resolveFfprobePath,
  resolveFfmpegBinaries,
  runFfmpeg,
  startFfmpeg,
  DEFAULT_FFMPEG_IDLE_TIMEOUT_MS,
  ACCEPTED_DEMUXERS,
  ACCEPTED_FORMATS_TEXT,
  PROTOCOL_WHITELIST,
  gatedInputArgs,
  classifyFfmpegFailure,
  probeMedia,
  requireVideo,
  parseRational,
  type FfmpegBinaries,
  type FfmpegRunOptions,
  type FfmpegStartOptions,
  type FfmpegRunResult,
  type FfmpegProcess,
  type FailureClass,
  type MediaProbe,
  type VideoStreamInfo,
  type AudioStreamInfo,
  type ProbedStream,
  type ProbeOptions,
  type Rational,
  type ColorDescription,
} from './ffmpeg';
