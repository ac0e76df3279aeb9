import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { AwsPlatformConfig, AwsResourceVariable } from '@stereo-spot/config';
import {
  QUEUE_ROLES,
  systemClock,
  type Clock,
  type DeadLetterQueue,
  type PipelinePorts,
  type PipelineQueues,
  type Queue,
  type QueuePair,
  type QueueRole,
} from '@stereo-spot/pipeline';
import { createAwsClients, type AwsClients, type StaticCredentials } from './clients';
import { DynamoDbJobStore } from './dynamodb/job-store';
import { DynamoDbReassemblyLockStore } from './dynamodb/reassembly-lock-store';
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

export interface AwsPlatform extends PipelinePorts {
  readonly clients: AwsClients;
  /**
   * What Lambda's event source mappings do, for runs without Lambda (an emulator): polls a
   * table's stream (SegmentCompletions by default, or Jobs) and hands batches to `handler`.
   * Call `run(signal)`.
   */
  createStreamPoller(
    options: Omit<DynamoDbStreamPollerOptions, 'client' | 'streamArn'> & {
      readonly table?: 'SEGMENT_COMPLETIONS_TABLE_NAME' | 'JOBS_TABLE_NAME';
    },
  ): Promise<DynamoDbStreamPoller>;
  /** Releases the SDK clients' sockets. */
  close(): Promise<void>;
}

export interface CreateAwsPlatformOptions {
  readonly clock?: Clock;
  /** Defaults to the SDK's provider chain (environment variables, profile, task or instance role). */
  readonly credentials?: StaticCredentials;
}

/**
 * Every pipeline port over S3, SQS and DynamoDB, from a role's validated configuration. A role
 * is given only the resources it touches (see @stereo-spot/config's ROLE_ENV_SCHEMAS); a port
 * whose resource was not given throws a permanent error naming the variable on first use.
 * Queues are described once here because the Queue port states its visibility timeout.
 */
export async function createAwsPlatform(
  config: AwsPlatformConfig,
  options: CreateAwsPlatformOptions = {},
): Promise<AwsPlatform> {
  const clients = createAwsClients({
    region: config.region,
    endpoint: config.endpointUrl,
    credentials: options.credentials,
  });
  const clock = options.clock ?? systemClock;
  const resource = (variable: AwsResourceVariable): string | undefined => config.resources[variable];
  try {
    const queueEntries = await Promise.all(
      QUEUE_ROLES.map(async (role): Promise<[QueueRole, QueuePair]> => {
        const urls = QUEUE_URL_VARIABLES[role];
        const queueUrl = resource(urls.queue);
        const deadLetterUrl = resource(urls.deadLetter);
        const queue =
          queueUrl === undefined
            ? notConfigured<Queue>(urls.queue)
            : new SqsQueue(clients.sqs, await describeSqsQueue(clients.sqs, queueUrl));
        const deadLetter =
          deadLetterUrl === undefined
            ? notConfigured<DeadLetterQueue>(urls.deadLetter)
            : new SqsDeadLetterQueue(clients.sqs, await describeSqsQueue(clients.sqs, deadLetterUrl));
        return [role, { queue, deadLetter }];
      }),
    );
    const table = <T>(variable: AwsResourceVariable, build: (name: string) => T): T => {
      const name = resource(variable);
      return name === undefined ? notConfigured<T>(variable) : build(name);
    };
    return {
      clients,
      inputStorage: table(
        'INPUT_BUCKET_NAME',
        (name) => new S3ObjectStorage(clients.s3, name, { now: () => clock.now() }),
      ),
      outputStorage: table(
        'OUTPUT_BUCKET_NAME',
        (name) => new S3ObjectStorage(clients.s3, name, { now: () => clock.now() }),
      ),
      jobs: table('JOBS_TABLE_NAME', (name) => new DynamoDbJobStore(clients.documents, name, clock)),
      segmentCompletions: table(
        'SEGMENT_COMPLETIONS_TABLE_NAME',
        (name) => new DynamoDbSegmentCompletionStore(clients.documents, name),
      ),
      reassemblyLocks: table(
        'REASSEMBLY_TRIGGERED_TABLE_NAME',
        (name) => new DynamoDbReassemblyLockStore(clients.documents, name),
      ),
      queues: Object.fromEntries(queueEntries) as PipelineQueues,
      objectEvents: new S3NotificationFormat({
        region: config.region,
        bucket: () => {
          const name = resource('INPUT_BUCKET_NAME');
          if (name === undefined) throw missingResource('INPUT_BUCKET_NAME', 'objectEvents.encodeCreated');
          return name;
        },
      }),
      async createStreamPoller({ table = 'SEGMENT_COMPLETIONS_TABLE_NAME', ...pollerOptions }) {
        const tableName = resource(table);
        if (tableName === undefined) throw missingResource(table, 'createStreamPoller');
        const described = await callAws(
          { operation: 'DynamoDB DescribeTable', resource: `table ${tableName}` },
          () => clients.dynamodb.send(new DescribeTableCommand({ TableName: tableName })),
        );
        const streamArn = described.Table?.LatestStreamArn;
        if (streamArn === undefined) {
          throw new AwsAdapterError('AWS_REQUEST_FAILED', `table ${tableName} has no stream enabled`, true);
        }
        return new DynamoDbStreamPoller({ ...pollerOptions, client: clients.streams, streamArn });
      },
      close: async () => clients.destroy(),
    };
  } catch (error) {
    clients.destroy();
    throw error;
  }
}

/** Looked up by promises, JSON.stringify and inspectors on any object: never a use of the port. */
const NOT_PORT_MEMBERS = new Set([
  'then',
  'toJSON',
  'constructor',
  'inspect',
  'nodeType',
  'asymmetricMatch',
  '$$typeof',
]);

/** A stand-in for a port this role was not configured with: any use names the missing variable. */
function notConfigured<T>(variable: AwsResourceVariable): T {
  return new Proxy({} as object, {
    get(_target, property) {
      // Not a promise, and printable in logs and test output.
      if (typeof property === 'symbol' || NOT_PORT_MEMBERS.has(property)) return undefined;
      throw missingResource(variable, `.${String(property)}`);
    },
  }) as T;
}

function missingResource(variable: AwsResourceVariable, use: string): AwsAdapterError {
  return new AwsAdapterError(
    'MISSING_RESOURCE_CONFIG',
    `${variable} is not set: this process was not configured with that resource (used: ${use})`,
    true,
  );
}
