// Public API of @stereo-spot/aws-adapters: the pipeline's ports over S3, SQS and DynamoDB (AWS SDK
// v3), the platform factory, the DynamoDB-stream tools of the reassembly trigger, the provisioning
// of the whole resource shape on an emulator, and the AWS error handling that the `sagemaker`
// inference backend (inference-adapters) shares.
export {
  AwsAdapterError,
  isPermanentAwsError,
  awsErrorName,
  callAws,
  type AwsAdapterErrorCode,
  type AwsErrorContext,
} from './errors';
export { createAwsClients, type AwsClients, type AwsClientOptions, type StaticCredentials } from './clients';
export { S3ObjectStorage, type S3ObjectStorageOptions } from './s3/s3-object-storage';
export { attachmentContentDisposition } from './s3/content-disposition';
export { S3NotificationFormat, type S3NotificationFormatOptions } from './s3/s3-notifications';
export { SqsQueue, describeSqsQueue, queueNameFromUrl, type SqsQueueInfo } from './sqs/sqs-queue';
export { SqsDeadLetterQueue, type SqsDeadLetterQueueOptions } from './sqs/sqs-dead-letter-queue';
export { DynamoDbJobStore } from './dynamodb/job-store';
export { DynamoDbSegmentCompletionStore } from './dynamodb/segment-completion-store';
export { DynamoDbReassemblyTriggeredStore } from './dynamodb/reassembly-triggered-store';
export { changesFromStreamRecords, type DynamoDbStreamRecord, type ParsedStreamRecords } from './streams/stream-records';
export { DynamoDbStreamPoller, type DynamoDbStreamPollerOptions } from './streams/stream-poller';
export { EcsTaskProtection, type EcsTaskProtectionOptions } from './ecs/ecs-task-protection';
export {
  createAwsPlatform,
  openAwsPortSource,
  QUEUE_URL_VARIABLES,
  type AwsPlatform,
  type AwsPortSource,
  type CreateAwsPlatformOptions,
} from './platform';
export {
  provisionPipelineResources,
  createTable,
  type ProvisionOptions,
  type ProvisionedPipeline,
} from './provisioning/pipeline-resources';
export {
  provisionAwsPlatform,
  type EmulatorEndpoint,
  type ProvisionedPlatform,
} from './provisioning/provisioned-platform';
