// Public API of the media-worker app: the worker (chunking + reassembly loops) and its ffmpeg
// MediaProcessor.
export { runMediaWorker } from './media-worker';
export { FfmpegMediaProcessor } from './ffmpeg-media-processor';
