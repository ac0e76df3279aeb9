// Public API of the video-worker app: the worker loop and its inference backends.
export { runVideoWorker } from './video-worker';
export { createInference } from './inference';
