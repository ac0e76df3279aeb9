// Public API of the inference-server app: the `http` inference backend the video-worker wires for
// INFERENCE_BACKEND=http. The server itself starts from src/main.ts (the image's entry point).
export { HttpStereoInference } from './client/http-stereo-inference';
