/**
 * What each app may do on AWS (its ECS task role): only the actions its adapters call, only on
 * the tables, queues, buckets and key prefixes it touches.
 */
import { INPUT_PREFIX, JOBS_PREFIX, SEGMENTS_PREFIX } from '@stereo-spot/shared-types';
import { SAGEMAKER_ASYNC_PREFIX } from './constants';
import { allow, SQS_CONSUME, type PolicyStatement } from './iam';

export interface PermissionTargets {
  readonly inputBucketArn: string;
  readonly outputBucketArn: string;
  readonly jobsTableArn: string;
  readonly segmentCompletionsTableArn: string;
  readonly reassemblyTriggeredTableArn: string;
  readonly chunkingQueueArn: string;
  readonly videoWorkerQueueArn: string;
  readonly reassemblyQueueArn: string;
  /** Only with the sagemaker backend. */
  readonly sagemakerEndpointArn?: string;
  /** `arn:...:task/<cluster>/*`: the cluster's tasks, for scale-in protection. */
  readonly clusterTasksArn: string;
}

const objects = (bucketArn: string, pattern: string) => `${bucketArn}/${pattern}`;
const indexes = (tableArn: string) => `${tableArn}/index/*`;

/** Without s3:ListBucket, S3 answers 403 instead of 404 for a missing key, and `head` cannot tell. */
const listBuckets = (t: PermissionTargets, buckets: readonly string[]): PolicyStatement =>
  allow(['s3:ListBucket'], buckets, 'ListBucketsForNotFound');

export function webUiPermissions(t: PermissionTargets): PolicyStatement[] {
  return [
    // Presigned PUT for uploads and presigned GET for playback are signed with these permissions.
    allow(['s3:PutObject'], [objects(t.inputBucketArn, `${INPUT_PREFIX}*`)], 'PresignUploads'),
    allow(['s3:GetObject'], [objects(t.outputBucketArn, `${JOBS_PREFIX}*`)], 'PresignDownloads'),
    allow(
      ['s3:GetObject', 's3:DeleteObject'],
      [
        objects(t.inputBucketArn, `${INPUT_PREFIX}*`),
        objects(t.inputBucketArn, `${SEGMENTS_PREFIX}*`),
        objects(t.outputBucketArn, `${JOBS_PREFIX}*`),
      ],
      'DeleteJobObjects',
    ),
    listBuckets(t, [t.inputBucketArn, t.outputBucketArn]),
    allow(
      [
        'dynamodb:PutItem',
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
      ],
      [t.jobsTableArn, indexes(t.jobsTableArn)],
      'Jobs',
    ),
    allow(
      ['dynamodb:Query', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
      [t.segmentCompletionsTableArn],
      'SegmentCompletions',
    ),
    allow(['dynamodb:GetItem', 'dynamodb:DeleteItem'], [t.reassemblyTriggeredTableArn], 'ReassemblyLock'),
  ];
}

/**
 * A worker protects its own task from scale-in while it works on a message (through the ECS
 * agent's task-protection endpoint, which acts with the task role).
 */
const protectOwnTask = (t: PermissionTargets): PolicyStatement =>
  allow(['ecs:UpdateTaskProtection', 'ecs:GetTaskProtection'], [t.clusterTasksArn], 'ScaleInProtection');

export function mediaWorkerPermissions(t: PermissionTargets): PolicyStatement[] {
  return [
    protectOwnTask(t),
    allow(['s3:GetObject'], [objects(t.inputBucketArn, `${INPUT_PREFIX}*`)], 'ReadUploads'),
    allow(
      ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
      [objects(t.inputBucketArn, `${SEGMENTS_PREFIX}*`)],
      'WriteSegments',
    ),
    allow(
      ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
      [objects(t.outputBucketArn, `${JOBS_PREFIX}*`)],
      'Reassemble',
    ),
    listBuckets(t, [t.inputBucketArn, t.outputBucketArn]),
    allow(
      ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
      [t.jobsTableArn, indexes(t.jobsTableArn)],
      'Jobs',
    ),
    allow(['dynamodb:Query'], [t.segmentCompletionsTableArn], 'SegmentCompletions'),
    allow(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      [t.reassemblyTriggeredTableArn],
      'ReassemblyLock',
    ),
    allow(SQS_CONSUME, [t.chunkingQueueArn, t.reassemblyQueueArn], 'ConsumeChunkingAndReassembly'),
    // The stuck-job sweep may queue a reassembly that was never triggered.
    allow(['sqs:SendMessage'], [t.reassemblyQueueArn], 'QueueReassembly'),
  ];
}

export function videoWorkerPermissions(t: PermissionTargets): PolicyStatement[] {
  return [
    protectOwnTask(t),
    allow(['s3:GetObject'], [objects(t.inputBucketArn, `${SEGMENTS_PREFIX}*`)], 'ReadSegments'),
    // PutObjectTagging: segment outputs carry the expiry tag (see SEGMENT_OUTPUT_EXPIRY_TAG).
    allow(
      ['s3:GetObject', 's3:PutObject', 's3:PutObjectTagging', 's3:AbortMultipartUpload'],
      [objects(t.outputBucketArn, `${JOBS_PREFIX}*/segments/*`)],
      'WriteConvertedSegments',
    ),
    listBuckets(t, [t.inputBucketArn, t.outputBucketArn]),
    allow(['dynamodb:GetItem', 'dynamodb:UpdateItem'], [t.jobsTableArn], 'Jobs'),
    allow(['dynamodb:PutItem'], [t.segmentCompletionsTableArn], 'SegmentCompletions'),
    allow(SQS_CONSUME, [t.videoWorkerQueueArn], 'ConsumeSegments'),
    ...(t.sagemakerEndpointArn
      ? [
          allow(['sagemaker:InvokeEndpointAsync'], [t.sagemakerEndpointArn], 'InvokeInference'),
          allow(
            ['s3:GetObject', 's3:PutObject'],
            [objects(t.outputBucketArn, `${SAGEMAKER_ASYNC_PREFIX}*`)],
            'AsyncInferenceObjects',
          ),
        ]
      : []),
  ];
}
