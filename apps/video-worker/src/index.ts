// Public API of the video-worker app: the worker loop, and the choice of its inference backend
// (the backends are in @stereo-spot/inference-adapters).
export { runVideoWorker } from './video-worker';
export { createInference } from './inference';
