import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { AWS_RESOURCE_VARIABLES, type AwsPlatformConfig, type AwsResourceVariable } from '@stereo-spot/config';
import {
  systemClock,
  type Clock,
  type PipelinePorts,
  type PortSource,
  type QueuePair,
  type QueueRole,
} from '@stereo-spot/pipeline';
import { createAwsClients, type AwsClients, type StaticCredentials } from './clients';
import { DynamoDbJobStore } from './dynamodb/job-store';
import { DynamoDbReassemblyTriggeredStore } from './dynamodb/reassembly-triggered-store';
import { DynamoDbSegmentCompletionStore } from './dynamodb/segment-completion-store';
import { AwsAdapterError, callAws } from './errors';
import { DynamoDbStreamPoller, type DynamoDbStreamPollerOptions } from './streams/stream-poller';
import { S3NotificationFormat } from './s3/s3-notifications';
import { S3ObjectStorage } from './s3/s3-object-storage';
import { SqsDeadLetterQueue } from './sqs/sqs-dead-letter-queue';
import { SqsQueue, describeSqsQueue } from './sqs/sqs-queue';

/** The queue URL variables of each queue role, in the runbooks' spelling. */
export const QUEUE_URL_VARIABLES: Readonly<
  Record<QueueRole, { readonly queue: AwsResourceVariable; readonly deadLetter: AwsResourceVariable }>
> = {
  chunking: { queue: 'CHUNKING_QUEUE_URL', deadLetter: 'CHUNKING_DLQ_URL' },
  'video-worker': { queue: 'VIDEO_WORKER_QUEUE_URL', deadLetter: 'VIDEO_WORKER_DLQ_URL' },
  reassembly: { queue: 'REASSEMBLY_QUEUE_URL', deadLetter: 'REASSEMBLY_DLQ_URL' },
};

/** Every port at once, for a process configured with every resource (see `createAwsPlatform`). */
export interface AwsPlatform extends PipelinePorts {
  readonly clients: AwsClients;
  /** See AwsPortSource.createStreamPoller. */
  createStreamPoller(options: StreamPollerRequest): Promise<DynamoDbStreamPoller>;
  /** Releases the SDK clients' sockets. */
  close(): Promise<void>;
}

export interface CreateAwsPlatformOptions {
  readonly clock?: Clock;
  /** Defaults to the SDK's provider chain (environment variables, profile, task or instance role). */
  readonly credentials?: StaticCredentials;
}

/**
 * The AWS ports, built one at a time from a role's validated configuration (see
 * @stereo-spot/config's ROLE_ENV_SCHEMAS): a role is given only the resources it touches, so a
 * builder whose resource was not given throws a permanent error naming the variable. Each port is
 * built once; queues are described once because the Queue port states its visibility timeout.
 */
export interface AwsPortSource extends PortSource {
  readonly clients: AwsClients;
  inputStorage(): S3ObjectStorage;
  outputStorage(): S3ObjectStorage;
  queue(role: QueueRole): Promise<SqsQueue>;
  deadLetterQueue(role: QueueRole): Promise<SqsDeadLetterQueue>;
  /**
   * What Lambda's event source mappings do, for runs without Lambda (an emulator): polls a
   * table's stream (SegmentCompletions by default, or Jobs) and hands batches to `handler`.
   * Call `run(signal)`.
   */
  createStreamPoller(options: StreamPollerRequest): Promise<DynamoDbStreamPoller>;
  /** Releases the SDK clients' sockets. */
  close(): Promise<void>;
}

type StreamPollerRequest = Omit<DynamoDbStreamPollerOptions, 'client' | 'streamArn'> & {
  readonly table?: 'SEGMENT_COMPLETIONS_TABLE_NAME' | 'JOBS_TABLE_NAME';
};

export function openAwsPortSource(
  config: AwsPlatformConfig,
  options: CreateAwsPlatformOptions = {},
): AwsPortSource {
  const clients = createAwsClients({
    region: config.region,
    endpoint: config.endpointUrl,
    credentials: options.credentials,
  });
  const clock = options.clock ?? systemClock;
  const resource = (variable: AwsResourceVariable, use: string): string => {
    const value = config.resources[variable];
    if (value === undefined) throw missingResources([variable], use);
    return value;
  };
  const once = <T>(build: () => T): (() => T) => {
    let built: { value: T } | undefined;
    return () => (built ??= { value: build() }).value;
  };
  const storage = (variable: 'INPUT_BUCKET_NAME' | 'OUTPUT_BUCKET_NAME') =>
    once(() => new S3ObjectStorage(clients.s3, resource(variable, 'a bucket'), { now: () => clock.now() }));
  // Queues are described once; a failed description is not kept, so the next start tries again.
  const described = <Q>(cache: Map<AwsResourceVariable, Promise<Q>>, variable: AwsResourceVariable, use: string, build: (url: string) => Promise<Q>): Promise<Q> => {
    const cached = cache.get(variable);
    if (cached !== undefined) return cached;
    const building = (async () => build(resource(variable, use)))();
    cache.set(variable, building);
    building.catch(() => cache.delete(variable));
    return building;
  };
  const queues = new Map<AwsResourceVariable, Promise<SqsQueue>>();
  const deadLetters = new Map<AwsResourceVariable, Promise<SqsDeadLetterQueue>>();
  return {
    clients,
    inputStorage: storage('INPUT_BUCKET_NAME'),
    outputStorage: storage('OUTPUT_BUCKET_NAME'),
    jobs: once(() => new DynamoDbJobStore(clients.documents, resource('JOBS_TABLE_NAME', 'the Jobs table'), clock)),
    segmentCompletions: once(
      () =>
        new DynamoDbSegmentCompletionStore(
          clients.documents,
          resource('SEGMENT_COMPLETIONS_TABLE_NAME', 'the SegmentCompletions table'),
        ),
    ),
    reassemblyTriggered: once(
      () =>
        new DynamoDbReassemblyTriggeredStore(
          clients.documents,
          resource('REASSEMBLY_TRIGGERED_TABLE_NAME', 'the ReassemblyTriggered table'),
        ),
    ),
    queue: (role) =>
      described(queues, QUEUE_URL_VARIABLES[role].queue, `the ${role} queue`, async (url) =>
        new SqsQueue(clients.sqs, await describeSqsQueue(clients.sqs, url)),
      ),
    objectEvents: once(
      () =>
        new S3NotificationFormat({
          region: config.region,
          // Only writing a message names the bucket (an operator's re-send): reading needs none.
          bucket: () => resource('INPUT_BUCKET_NAME', 'writing an object-created message'),
        }),
    ),
    deadLetterQueue: (role) =>
      described(deadLetters, QUEUE_URL_VARIABLES[role].deadLetter, `the ${role} dead-letter queue`, async (url) =>
        new SqsDeadLetterQueue(clients.sqs, await describeSqsQueue(clients.sqs, url)),
      ),
    async createStreamPoller({ table = 'SEGMENT_COMPLETIONS_TABLE_NAME', ...pollerOptions }) {
      const tableName = resource(table, 'a stream poller');
      const description = await callAws(
        { operation: 'DynamoDB DescribeTable', resource: `table ${tableName}` },
        () => clients.dynamodb.send(new DescribeTableCommand({ TableName: tableName })),
      );
      const streamArn = description.Table?.LatestStreamArn;
      if (streamArn === undefined) {
        throw new AwsAdapterError('AWS_REQUEST_FAILED', `table ${tableName} has no stream enabled`, true);
      }
      return new DynamoDbStreamPoller({ ...pollerOptions, client: clients.streams, streamArn });
    },
    close: async () => clients.destroy(),
  };
}

/**
 * Every pipeline port over S3, SQS and DynamoDB (an operator's tools, tests): the configuration
 * must name every resource. Fails at once naming each missing variable.
 */
export async function createAwsPlatform(
  config: AwsPlatformConfig,
  options: CreateAwsPlatformOptions = {},
): Promise<AwsPlatform> {
  const missing = AWS_RESOURCE_VARIABLES.filter((variable) => config.resources[variable] === undefined);
  if (missing.length > 0) throw missingResources(missing, 'every port');
  const source = openAwsPortSource(config, options);
  try {
    const pair = async (role: QueueRole): Promise<QueuePair> => ({
      queue: await source.queue(role),
      deadLetter: await source.deadLetterQueue(role),
    });
    const [chunking, videoWorker, reassembly] = await Promise.all([
      pair('chunking'),
      pair('video-worker'),
      pair('reassembly'),
    ]);
    const queues = { chunking, 'video-worker': videoWorker, reassembly };
    return {
      clients: source.clients,
      inputStorage: source.inputStorage(),
      outputStorage: source.outputStorage(),
      jobs: source.jobs(),
      segmentCompletions: source.segmentCompletions(),
      reassemblyTriggered: source.reassemblyTriggered(),
      queues,
      objectEvents: source.objectEvents(),
      createStreamPoller: (request) => source.createStreamPoller(request),
      close: () => source.close(),
    };
  } catch (error) {
    await source.close();
    throw error;
  }
}

function missingResources(variables: readonly AwsResourceVariable[], use: string): AwsAdapterError {
  return new AwsAdapterError(
    'MISSING_RESOURCE_CONFIG',
    `${variables.join(', ')} ${variables.length === 1 ? 'is' : 'are'} not set: this process was not ` +
      `configured with ${variables.length === 1 ? 'that resource' : 'those resources'} (needed for: ${use})`,
    true,
  );
}
