// Public API of @stereo-spot/aws-adapters: what other projects use. The platform factory (every
// port over S3, SQS and DynamoDB through it), the DynamoDB stream records read as domain changes
// (the reassembly trigger's Lambda edge), ECS task protection, the provisioning of the whole
// resource shape on an emulator, and the clients and AWS error handling that the `sagemaker`
// inference backend (inference-adapters) shares. Its own tests import its modules by path.
export { awsErrorName, callAws } from './errors';
export { createAwsClients, type AwsClients, type StaticCredentials } from './clients';
export { S3ObjectStorage } from './s3/s3-object-storage';
export { changesFromStreamRecords } from './streams/stream-records';
export { EcsTaskProtection } from './ecs/ecs-task-protection';
export {
  createAwsPlatform,
  openAwsPortSource,
  type AwsPlatform,
  type AwsPortSource,
  type CreateAwsPlatformOptions,
} from './platform';
export { provisionPipelineResources } from './provisioning/pipeline-resources';
export { provisionAwsPlatform, type ProvisionedPlatform } from './provisioning/provisioned-platform';
