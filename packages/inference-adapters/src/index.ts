// Public API of @stereo-spot/inference-adapters: the pipeline's StereoInference over each backend.
// `builtin` and `http` load nothing heavy; `sagemaker` loads the AWS SDK, so it has its own entry,
// @stereo-spot/inference-adapters/sagemaker, which only the AWS composition root imports (lazily).
export {
  createBuiltinInference,
  type BuiltinInferenceOptions,
  type ConvertFile,
} from './builtin/builtin-inference';
export { createHttpInference, type HttpInferenceOptions } from './http/http-inference';
