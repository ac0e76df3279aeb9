// The `sagemaker` backend's entry, @stereo-spot/inference-adapters/sagemaker: apart from the rest
// so that importing the package does not load the AWS SDK (see index.ts).
export {
  createSageMakerInference,
  SAGEMAKER_REQUEST_PREFIX,
  type CreateSageMakerInferenceOptions,
} from './sagemaker/sagemaker-async-inference';
