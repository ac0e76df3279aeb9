import { S3BucketCorsConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-cors-configuration';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketNotification } from '@cdktf/provider-aws/lib/s3-bucket-notification';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { type SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { INPUT_PREFIX, JOBS_PREFIX, MP4_SUFFIX, SEGMENTS_PREFIX } from '@stereo-spot/shared-types';
import {
  SEGMENT_OUTPUT_EXPIRY_DAYS,
  SEGMENT_OUTPUT_EXPIRY_TAG,
  SOURCE_SEGMENT_EXPIRY_DAYS,
} from '@stereo-spot/contracts';
import { Construct } from 'constructs';
import { SAGEMAKER_ASYNC_EXPIRY_DAYS, SAGEMAKER_ASYNC_PREFIX } from '../constants';
import { type StackContext } from '../context';
import { type PolicyStatement } from '../iam';
import { PrivateBucket } from './private-bucket';

const abortIncompleteUploads = {
  id: 'abort-incomplete-multipart-uploads',
  status: 'Enabled',
  filter: [{ prefix: '' }],
  abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
};

export interface StorageProps {
  /** Origins the browser loads the web UI from (for CORS on uploads and playback). */
  readonly webOrigins: readonly string[];
}

/** The input and output buckets with their CORS rules and lifecycles. */
export class Storage extends Construct {
  readonly input: PrivateBucket;
  readonly output: PrivateBucket;

  constructor(scope: Construct, id: string, context: StackContext, props: StorageProps) {
    super(scope, id);
    const { settings, names } = context;
    const suffix = `${context.accountId}-${settings.region}`;
    this.input = new PrivateBucket(this, 'input', {
      bucketName: `${names.prefix}-input-${suffix}`,
      forceDestroy: settings.force_destroy,
    });
    this.output = new PrivateBucket(this, 'output', {
      bucketName: `${names.prefix}-output-${suffix}`,
      forceDestroy: settings.force_destroy,
    });

    // The browser PUTs the upload straight to a presigned URL of the input bucket...
    new S3BucketCorsConfiguration(this, 'input-cors', {
      bucket: this.input.bucket.id,
      corsRule: [
        {
          allowedMethods: ['PUT'],
          allowedOrigins: [...props.webOrigins],
          allowedHeaders: ['*'],
          exposeHeaders: ['ETag'],
          maxAgeSeconds: 3600,
        },
      ],
    });
    // ...and plays / downloads / previews (canvas, so CORS) from presigned URLs of the output bucket.
    new S3BucketCorsConfiguration(this, 'output-cors', {
      bucket: this.output.bucket.id,
      corsRule: [
        {
          allowedMethods: ['GET', 'HEAD'],
          allowedOrigins: [...props.webOrigins],
          allowedHeaders: ['*'],
          exposeHeaders: ['ETag', 'Content-Length', 'Content-Range', 'Accept-Ranges'],
          maxAgeSeconds: 3600,
        },
      ],
    });

    new S3BucketLifecycleConfiguration(this, 'input-lifecycle', {
      bucket: this.input.bucket.id,
      rule: [
        {
          id: 'expire-source-segments',
          status: 'Enabled',
          filter: [{ prefix: SEGMENTS_PREFIX }],
          expiration: [{ days: SOURCE_SEGMENT_EXPIRY_DAYS }],
        },
        {
          // Uploads are needed only until chunking; an abandoned or failed job's upload goes too.
          id: 'expire-uploads',
          status: 'Enabled',
          filter: [{ prefix: INPUT_PREFIX }],
          expiration: [{ days: settings.input_expiry_days }],
        },
        abortIncompleteUploads,
      ],
    });
    // The output bucket holds what users came for (final.mp4): a deleted or overwritten object
    // stays restorable as a noncurrent version for `noncurrent_version_retention_days`.
    const outputVersioning = new S3BucketVersioningA(this, 'output-versioning', {
      bucket: this.output.bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketLifecycleConfiguration(this, 'output-lifecycle', {
      bucket: this.output.bucket.id,
      dependsOn: [outputVersioning],
      rule: [
        {
          id: 'expire-noncurrent-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: settings.noncurrent_version_retention_days }],
        },
        {
          // Once the versions under it are gone, the delete marker is removed too.
          id: 'remove-expired-delete-markers',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          expiration: [{ expiredObjectDeleteMarker: true }],
        },
        {
          // jobs/{job_id}/segments/{i}.mp4 carry the tag; jobs/{job_id}/final.mp4 does not.
          id: 'expire-segment-outputs',
          status: 'Enabled',
          filter: [
            {
              and: [
                {
                  prefix: JOBS_PREFIX,
                  tags: { [SEGMENT_OUTPUT_EXPIRY_TAG.key]: SEGMENT_OUTPUT_EXPIRY_TAG.value },
                },
              ],
            },
          ],
          expiration: [{ days: SEGMENT_OUTPUT_EXPIRY_DAYS }],
        },
        {
          id: 'expire-sagemaker-async-objects',
          status: 'Enabled',
          filter: [{ prefix: SAGEMAKER_ASYNC_PREFIX }],
          expiration: [{ days: SAGEMAKER_ASYNC_EXPIRY_DAYS }],
        },
        abortIncompleteUploads,
      ],
    });
  }
}

/** Lets S3 (only from this bucket and account) send event notifications to a queue. */
export const s3MaySend =
  (context: StackContext, bucketArn: string) =>
  (queueArn: string): PolicyStatement[] => [
    {
      Sid: 'AllowS3EventNotifications',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: ['sqs:SendMessage'],
      Resource: [queueArn],
      Condition: {
        ArnEquals: { 'aws:SourceArn': bucketArn },
        StringEquals: { 'aws:SourceAccount': context.accountId },
      },
    },
  ];

/**
 * `input/` + `.mp4` → chunking queue, `segments/` + `.mp4` → video-worker queue. S3 checks the
 * destinations when the configuration is saved, so it waits for the queue policies.
 */
export function inputNotifications(
  scope: Construct,
  storage: Storage,
  targets: {
    chunking: { arn: string; policy: SqsQueuePolicy };
    videoWorker: { arn: string; policy: SqsQueuePolicy };
  },
): S3BucketNotification {
  return new S3BucketNotification(scope, 'input-notifications', {
    bucket: storage.input.bucket.id,
    queue: [
      {
        id: 'uploads-to-chunking',
        queueArn: targets.chunking.arn,
        events: ['s3:ObjectCreated:*'],
        filterPrefix: INPUT_PREFIX,
        filterSuffix: MP4_SUFFIX,
      },
      {
        id: 'segments-to-video-worker',
        queueArn: targets.videoWorker.arn,
        events: ['s3:ObjectCreated:*'],
        filterPrefix: SEGMENTS_PREFIX,
        filterSuffix: MP4_SUFFIX,
      },
    ],
    dependsOn: [targets.chunking.policy, targets.videoWorker.policy, storage.input.policy],
  });
}
