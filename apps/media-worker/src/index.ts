// Public API of the media-worker app: the worker (chunking + reassembly loops) and its ffmpeg
// MediaProcessor.
export {
  runMediaWorker,
  type MediaWorkerOptions,
  type ChunkingRoleOptions,
  type ReassemblyRoleOptions,
  type MediaWorkerStats,
} from './media-worker';
export { FfmpegMediaProcessor, type FfmpegMediaProcessorOptions } from './ffmpeg-media-processor';
