// Public API of the inference-server app: the server and its engines (for tests and the image),
// and the `http` inference backend the video-worker wires for INFERENCE_BACKEND=http.
export {
  HttpStereoInference,
  InferenceRequestFailedError,
  type HttpStereoInferenceOptions,
  type InferenceTransport,
} from './client/http-stereo-inference';
export { loadServerConfig, type InferenceServerConfig } from './config';
export { startInferenceServer, type StartedInferenceServer } from './start';
export { InferenceServer, type InvocationResponse } from './server';
export { InvocationRequestSchema, parseInvocation, type InvocationRequestBody } from './request';
export { ENGINE_NAMES, type EngineName, type StereoEngine } from './engines/engine';
export { buildIw3Args, parseIw3Tuning, iw3OutputFileName, type Iw3Tuning } from './engines/iw3-args';
export { InferenceError, type InferenceErrorCode } from './errors';
