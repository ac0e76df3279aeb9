import {
  CreateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  type QueueConfiguration,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import type { AwsResourceVariable } from '@stereo-spot/config';
import {
  DLQ_RETENTION_SECONDS,
  keyAttributes,
  QUEUE_RECEIVE_WAIT_SECONDS,
  QUEUE_RETENTION_SECONDS,
  QUEUE_SETTINGS,
  SEGMENT_OUTPUT_EXPIRY_DAYS,
  SEGMENT_OUTPUT_EXPIRY_TAG,
  TABLES,
  type TableDescription,
} from '@stereo-spot/contracts';
import { QUEUE_ROLES, type QueueRole } from '@stereo-spot/pipeline';
import { INPUT_PREFIX, MP4_SUFFIX, SEGMENTS_PREFIX } from '@stereo-spot/shared-types';
import type { AwsClients } from '../clients';
import { callAws } from '../errors';
import { QUEUE_URL_VARIABLES } from '../platform';

/**
 * Creates the whole AWS shape of the pipeline on an endpoint that starts empty (moto_server for
 * tests and `stereo-spot up --platform aws-emulated`): the two buckets with their event
 * notifications, the three queues with dead-letter queues and redrive policies, and the three
 * tables (the Jobs GSIs, the SegmentCompletions stream, the ReassemblyTriggered TTL). Production
 * gets the same shape from packages/aws-infra: both read @stereo-spot/contracts.
 */
export interface ProvisionOptions {
  /** Prefix of every resource name, e.g. `stereo-spot-test-3f9a`; lowercase letters, digits, dashes. */
  readonly prefix: string;
  /** Receives before a message moves to its DLQ, for every queue. Default: each queue's QUEUE_SETTINGS. */
  readonly maxReceiveCount?: number;
  /** Visibility timeout of each queue. Default: each queue's QUEUE_SETTINGS. */
  readonly visibilityTimeoutSeconds?: Partial<Record<QueueRole, number>>;
  /**
   * Web origins allowed to use the presigned URLs from a browser (PUT uploads to the input bucket,
   * GET playback and downloads from the output bucket). None by default.
   */
  readonly corsOrigins?: readonly string[];
}

export interface ProvisionedPipeline {
  /** The variables a process needs to use these resources (AWS_REGION and the endpoint excluded). */
  readonly env: Readonly<Record<AwsResourceVariable, string>>;
  readonly segmentCompletionsStreamArn: string;
  /** The Jobs table's stream (NEW_AND_OLD_IMAGES): the trigger reacts to `chunking_complete`. */
  readonly jobsStreamArn: string;
  readonly queueArns: Readonly<Record<QueueRole, { readonly queue: string; readonly deadLetter: string }>>;
}

export async function provisionPipelineResources(
  clients: AwsClients,
  options: ProvisionOptions,
): Promise<ProvisionedPipeline> {
  if (!/^[a-z0-9][a-z0-9-]{1,40}$/.test(options.prefix)) {
    throw new Error(
      `resource prefix must be 2-41 lowercase letters, digits or dashes, got ${JSON.stringify(options.prefix)}`,
    );
  }
  const name = (suffix: string) => `${options.prefix}-${suffix}`;
  const inputBucket = name('input');
  const outputBucket = name('output');
  const jobsTable = name('jobs');
  const completionsTable = name('segment-completions');
  const locksTable = name('reassembly-triggered');
  const env: Partial<Record<AwsResourceVariable, string>> = {
    INPUT_BUCKET_NAME: inputBucket,
    OUTPUT_BUCKET_NAME: outputBucket,
    JOBS_TABLE_NAME: jobsTable,
    SEGMENT_COMPLETIONS_TABLE_NAME: completionsTable,
    REASSEMBLY_TRIGGERED_TABLE_NAME: locksTable,
  };

  const queueArns = {} as Record<QueueRole, { queue: string; deadLetter: string }>;
  const queueUrls = {} as Record<QueueRole, string>;
  for (const role of QUEUE_ROLES) {
    const settings = QUEUE_SETTINGS[role];
    const deadLetter = await createQueue(clients, name(`${role}-dlq`), {
      MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS),
    });
    const queue = await createQueue(clients, name(role), {
      MessageRetentionPeriod: String(QUEUE_RETENTION_SECONDS),
      ReceiveMessageWaitTimeSeconds: String(QUEUE_RECEIVE_WAIT_SECONDS),
      VisibilityTimeout: String(options.visibilityTimeoutSeconds?.[role] ?? settings.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: deadLetter.arn,
        maxReceiveCount: options.maxReceiveCount ?? settings.maxReceiveCount,
      }),
    });
    env[QUEUE_URL_VARIABLES[role].queue] = queue.url;
    queueUrls[role] = queue.url;
    env[QUEUE_URL_VARIABLES[role].deadLetter] = deadLetter.url;
    queueArns[role] = { queue: queue.arn, deadLetter: deadLetter.arn };
  }

  await createBucket(clients, inputBucket);
  await createBucket(clients, outputBucket);
  if (options.corsOrigins !== undefined && options.corsOrigins.length > 0) {
    await allowBrowsers(clients, inputBucket, ['PUT'], options.corsOrigins);
    await allowBrowsers(clients, outputBucket, ['GET', 'HEAD'], options.corsOrigins);
  }
  for (const role of ['chunking', 'video-worker'] as const) {
    await allowS3ToSend(clients, queueUrls[role], queueArns[role].queue, inputBucket);
  }
  const notify = (queueArn: string, prefix: string): QueueConfiguration => ({
    QueueArn: queueArn,
    Events: ['s3:ObjectCreated:*'],
    Filter: {
      Key: {
        FilterRules: [
          { Name: 'prefix', Value: prefix },
          { Name: 'suffix', Value: MP4_SUFFIX },
        ],
      },
    },
  });
  await callAws({ operation: 'S3 PutBucketNotificationConfiguration', resource: inputBucket }, () =>
    clients.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: inputBucket,
        NotificationConfiguration: {
          QueueConfigurations: [
            notify(queueArns.chunking.queue, INPUT_PREFIX),
            notify(queueArns['video-worker'].queue, SEGMENTS_PREFIX),
          ],
        },
      }),
    ),
  );
  await callAws({ operation: 'S3 PutBucketLifecycleConfiguration', resource: outputBucket }, () =>
    clients.s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: outputBucket,
        LifecycleConfiguration: {
          Rules: [
            {
              ID: 'expire-segment-outputs',
              Status: 'Enabled',
              Filter: { Tag: { Key: SEGMENT_OUTPUT_EXPIRY_TAG.key, Value: SEGMENT_OUTPUT_EXPIRY_TAG.value } },
              Expiration: { Days: SEGMENT_OUTPUT_EXPIRY_DAYS },
            },
          ],
        },
      }),
    ),
  );

  const jobsStream = await createTable(clients, jobsTable, TABLES.jobs);
  const completions = await createTable(clients, completionsTable, TABLES.segmentCompletions);
  await createTable(clients, locksTable, TABLES.reassemblyTriggered);
  if (completions === undefined) throw new Error(`table ${completionsTable} has no stream`);
  if (jobsStream === undefined) throw new Error(`table ${jobsTable} has no stream`);
  return {
    env: env as Record<AwsResourceVariable, string>,
    segmentCompletionsStreamArn: completions,
    jobsStreamArn: jobsStream,
    queueArns,
  };
}

async function createQueue(
  clients: AwsClients,
  queueName: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  const created = await callAws({ operation: 'SQS CreateQueue', resource: queueName }, () =>
    clients.sqs.send(new CreateQueueCommand({ QueueName: queueName, Attributes: attributes })),
  );
  const url = created.QueueUrl;
  if (url === undefined) throw new Error(`SQS CreateQueue ${queueName} returned no QueueUrl`);
  const described = await callAws({ operation: 'SQS GetQueueAttributes', resource: queueName }, () =>
    clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })),
  );
  const arn = described.Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`SQS queue ${queueName} has no QueueArn`);
  return { url, arn };
}

/** The queue policy S3 needs to deliver notifications (moto does not check it; AWS does). */
async function allowS3ToSend(
  clients: AwsClients,
  queueUrl: string,
  queueArn: string,
  bucket: string,
): Promise<void> {
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${bucket}` } },
      },
    ],
  };
  await callAws({ operation: 'SQS SetQueueAttributes', resource: queueUrl }, () =>
    clients.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: JSON.stringify(policy) } }),
    ),
  );
}

async function allowBrowsers(
  clients: AwsClients,
  bucket: string,
  methods: string[],
  origins: readonly string[],
): Promise<void> {
  await callAws({ operation: 'S3 PutBucketCors', resource: bucket }, () =>
    clients.s3.send(
      new PutBucketCorsCommand({
        Bucket: bucket,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedMethods: methods,
              AllowedOrigins: [...origins],
              AllowedHeaders: ['*'],
              ExposeHeaders: ['ETag', 'Content-Length', 'Content-Range'],
              MaxAgeSeconds: 3600,
            },
          ],
        },
      }),
    ),
  );
}

async function createBucket(clients: AwsClients, bucket: string): Promise<void> {
  const region = await clients.s3.config.region();
  await callAws({ operation: 'S3 CreateBucket', resource: bucket }, () =>
    clients.s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(region !== 'us-east-1'
          ? { CreateBucketConfiguration: { LocationConstraint: region as 'eu-west-1' } }
          : {}),
      }),
    ),
  );
}

/**
 * Creates a table as @stereo-spot/contracts describes it (keys, indexes, stream, TTL), on demand,
 * and waits until it is ACTIVE. Returns its stream ARN when it has a stream.
 */
export async function createTable(
  clients: AwsClients,
  tableName: string,
  description: TableDescription,
): Promise<string | undefined> {
  const key = (partitionKey: string, sortKey: string | undefined) => [
    { AttributeName: partitionKey, KeyType: 'HASH' as const },
    ...(sortKey !== undefined ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
  ];
  const created = await callAws({ operation: 'DynamoDB CreateTable', resource: tableName }, () =>
    clients.dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keyAttributes(description).map((attribute) => ({
          AttributeName: attribute.name,
          AttributeType: attribute.type,
        })),
        KeySchema: key(description.partitionKey.name, description.sortKey?.name),
        ...(description.indexes !== undefined
          ? {
              GlobalSecondaryIndexes: description.indexes.map((index) => ({
                IndexName: index.name,
                KeySchema: key(index.partitionKey.name, index.sortKey.name),
                Projection: { ProjectionType: 'ALL' as const },
              })),
            }
          : {}),
        ...(description.streamView !== undefined
          ? { StreamSpecification: { StreamEnabled: true, StreamViewType: description.streamView } }
          : {}),
      }),
    ),
  );
  await waitUntilTableExists(
    { client: clients.dynamodb, maxWaitTime: 60, minDelay: 1 },
    { TableName: tableName },
  );
  if (description.ttlAttribute !== undefined) {
    const ttlAttribute = description.ttlAttribute;
    await callAws({ operation: 'DynamoDB UpdateTimeToLive', resource: tableName }, () =>
      clients.dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
        }),
      ),
    );
  }
  return created.TableDescription?.LatestStreamArn;
}
