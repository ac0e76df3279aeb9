// Public API of the video-worker app: the worker loop and its inference backends.
export { runVideoWorker, type VideoWorkerOptions } from './video-worker';
export { createInference, type InferenceDeps } from './inference';
export { BuiltinStereoInference, type BuiltinInferenceOptions, type ConvertFile } from './builtin-inference';
