// Public API of the inference-server app: the server and its engines (for tests and the image).
// Its protocol is shared-types' (InvocationRequestSchema, INFERENCE_ERROR_CODES); the backends
// that call it are in @stereo-spot/inference-adapters.
export { loadServerConfig, type InferenceServerConfig } from './config';
export { startInferenceServer, type StartedInferenceServer } from './start';
export { InferenceServer, type InvocationResponse } from './server';
export { parseInvocation } from './request';
export { ENGINE_NAMES, type EngineName, type ConversionEngine } from './engines/engine';
export { buildIw3Args, parseIw3Tuning, iw3OutputFileName, type Iw3Tuning } from './engines/iw3-args';
export { InferenceError } from './errors';
