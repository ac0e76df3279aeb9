// Public API of @stereo-spot/stereo-engine: what other projects use. The built-in CPU 2D-to-3D
// converter and its ffmpeg plumbing (a never-hanging runner with typed errors, the media gate's
// probe).
export {
  convertFile,
  isImagePath,
  type ConvertOptions,
  type ConvertResult,
  type ConvertProgress,
} from './convert';
export { estimateDepth } from './depth/api';
export type { SourceEye } from './stereo/geometry';
export { StereoEngineError, isStereoEngineError } from './errors';
export { runFfmpeg, startFfmpeg, gatedInputArgs, probeMedia, requireVideo, type MediaProbe } from './ffmpeg';
