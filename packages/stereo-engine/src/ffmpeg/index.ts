// ffmpeg plumbing shared by the engine and the pipeline's media processing.
export { resolveFfmpegPath, resolveFfprobePath, resolveFfmpegBinaries, type FfmpegBinaries } from './binaries';
export {
  runFfmpeg,
  startFfmpeg,
  DEFAULT_FFMPEG_IDLE_TIMEOUT_MS,
  type FfmpegRunOptions,
  type FfmpegStartOptions,
  type FfmpegRunResult,
  type FfmpegProcess,
} from './run';
export { classifyFfmpegFailure, type FailureClass } from './classify';
export {
  ACCEPTED_DEMUXERS,
  ACCEPTED_FORMATS_TEXT,
  PROTOCOL_WHITELIST,
  gatedInputArgs,
} from './gate';
export {
  probeMedia,
  requireVideo,
  parseRational,
  type MediaProbe,
  type VideoStreamInfo,
  type AudioStreamInfo,
  type ProbedStream,
  type ProbeOptions,
  type Rational,
  type ColorDescription,
} from './probe';
