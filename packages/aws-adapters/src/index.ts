// Public API of @stereo-spot/aws-adapters: what other projects use. The platform factory (every
// port over S3, SQS and DynamoDB through it), the SageMaker inference backend, ECS task protection,
// and the provisioning of the whole resource shape on an emulator. The adapters' own tests import
// its modules by path.
export { createAwsClients } from './clients';
export { S3ObjectStorage, SEGMENT_OUTPUT_EXPIRY_TAG } from './s3/s3-object-storage';
export { EcsTaskProtection } from './ecs/ecs-task-protection';
export { createAwsPlatform, type AwsPlatform, type CreateAwsPlatformOptions } from './platform';
export { provisionPipelineResources } from './provisioning/pipeline-resources';
export { provisionAwsPlatform, type ProvisionedPlatform } from './provisioning/provisioned-platform';
export {
  createSageMakerInference,
  type CreateSageMakerInferenceOptions,
} from './sagemaker/sagemaker-async-inference';
