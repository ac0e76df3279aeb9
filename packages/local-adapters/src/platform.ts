/**
 * The embedded platform: every port the apps need, under one STEREO_SPOT_HOME folder that several
 * processes may share (`stereo-spot up` and extra `stereo-spot worker ...` processes).
 *
 *   <home>/stereo-spot.db     queues, tables, change stream (SQLite, WAL)
 *   <home>/buckets/<bucket>/  objects
 *   <home>/tmp/               uploads being written (renamed into place when complete)
 *   <home>/secret             HMAC key of presigned URLs (0600)
 *
 * The home folder is 0700 and what the platform creates in it 0600 / 0700 (private-files.ts).
 */
import path from 'node:path';
import { QUEUE_SETTINGS } from '@stereo-spot/contracts';
import type { Logger } from '@stereo-spot/logging';
import {
  QUEUE_ROLES,
  systemClock,
  type ChangeBatchOutcome,
  type Clock,
  type JobStatusChange,
  type PipelinePorts,
  type PipelineQueues,
  type QueuePair,
  type QueueRole,
  type SegmentCompletionChange,
} from '@stereo-spot/pipeline';
import { INPUT_PREFIX, MP4_SUFFIX, parseInputKey, SEGMENTS_PREFIX } from '@stereo-spot/shared-types';
import { SqliteDeadLetterQueue, SqliteQueue } from './queue/sqlite-queue';
import { ensurePrivateDir } from './private-files';
import { openDatabase, type SqliteDatabase } from './sqlite/database';
import { FsObjectStorage } from './storage/fs-object-storage';
import { loadOrCreateSecret, PresignSigner, type PresignedGrant } from './storage/presign';
import {
  createPresignedRequestHandler,
  type PresignedRequestHandler,
  type UploadCheck,
} from './storage/presigned-handler';
import { localObjectEventFormat } from './storage/object-events';
import { SqliteJobStore } from './stores/sqlite-job-store';
import { SqliteReassemblyTriggeredStore } from './stores/sqlite-reassembly-triggered';
import { SqliteSegmentCompletionStore } from './stores/sqlite-segment-completions';
import {
  JOBS_FEED,
  SegmentCompletionStreamReader,
  type StreamReaderOptions,
} from './stream/segment-completion-stream';

export const DEFAULT_HOME = './.stereo-spot';
export const DATABASE_FILE = 'stereo-spot.db';
export const INPUT_BUCKET = 'stereo-spot-input';
export const OUTPUT_BUCKET = 'stereo-spot-output';
export const DEFAULT_MAX_RECEIVE_COUNT = 3;

export interface LocalPlatformOptions {
  /** Default `./.stereo-spot` (relative to the working directory). */
  readonly home?: string;
  /** Where presigned URLs point (the web-ui), e.g. `http://127.0.0.1:8080`; a function when known later. */
  readonly publicBaseUrl: string | (() => string);
  /** Receives before a message moves to its DLQ. Default 3. */
  readonly maxReceiveCount?: number;
  /** One value for every queue, or per role; default: each SQS queue's (@stereo-spot/contracts' QUEUE_SETTINGS). */
  readonly visibilityTimeoutSeconds?: number | Partial<Record<QueueRole, number>>;
  /** How often long polls and the stream look for work written by other processes. Default 100 ms. */
  readonly pollIntervalMs?: number;
  readonly clock?: Clock;
}

export interface LocalPlatform extends PipelinePorts {
  /** Absolute path of the home folder. */
  readonly home: string;
  readonly inputStorage: FsObjectStorage;
  readonly outputStorage: FsObjectStorage;
  readonly jobs: SqliteJobStore;
  readonly segmentCompletions: SqliteSegmentCompletionStore;
  readonly reassemblyTriggered: SqliteReassemblyTriggeredStore;
  readonly queues: PipelineQueues;
  /** Serves presigned GET/PUT URLs; returns false when the request is for another path. */
  readonly handlePresignedRequest: PresignedRequestHandler;
  /** A reader of the SegmentCompletions change stream (call `start()`; `close()` stops it). */
  createStreamReader(options: {
    readonly consumer: string;
    readonly handler: (changes: SegmentCompletionChange[]) => Promise<ChangeBatchOutcome>;
    readonly logger?: Logger;
  } & Partial<Pick<StreamReaderOptions, 'batchSize' | 'pollIntervalMs' | 'leaseMs' | 'retryBackoffMs'>>): SegmentCompletionStreamReader;
  /** A reader of the Jobs change stream (status before and after each write). */
  createJobStreamReader(options: {
    readonly consumer: string;
    readonly handler: (changes: JobStatusChange[]) => Promise<ChangeBatchOutcome>;
    readonly logger?: Logger;
  } & Partial<Pick<StreamReaderOptions, 'batchSize' | 'pollIntervalMs' | 'leaseMs' | 'retryBackoffMs'>>): SegmentCompletionStreamReader<JobStatusChange>;
  /** Stops stream readers, ends pending long polls, closes the database. */
  close(): Promise<void>;
}

export function createLocalPlatform(options: LocalPlatformOptions): LocalPlatform {
  const home = path.resolve(options.home ?? DEFAULT_HOME);
  const clock = options.clock ?? systemClock;
  ensurePrivateDir(home);
  const db: SqliteDatabase = openDatabase(path.join(home, DATABASE_FILE));
  const closing = new AbortController();
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const maxReceiveCount = options.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT;

  const visibilityFor = (role: QueueRole): number => {
    const configured = options.visibilityTimeoutSeconds;
    if (typeof configured === 'number') return configured;
    return configured?.[role] ?? QUEUE_SETTINGS[role].visibilityTimeoutSeconds;
  };
  const queuePair = (role: QueueRole): QueuePair => {
    const common = { db, clock, pollIntervalMs, closed: closing.signal };
    const deadLetter = new SqliteDeadLetterQueue({ ...common, name: `${role}-dlq`, visibilityTimeoutSeconds: 30 });
    const queue = new SqliteQueue({
      ...common,
      name: role,
      visibilityTimeoutSeconds: visibilityFor(role),
      redrive: { deadLetterQueueName: deadLetter.name, maxReceiveCount },
    });
    return { queue, deadLetter };
  };
  const queues = Object.fromEntries(QUEUE_ROLES.map((role) => [role, queuePair(role)])) as Record<
    QueueRole,
    QueuePair
  >;

  const signer = new PresignSigner(loadOrCreateSecret(home));
  const storageOptions = { home, signer, publicBaseUrl: options.publicBaseUrl, clock };
  const inputStorage = new FsObjectStorage({
    ...storageOptions,
    bucket: INPUT_BUCKET,
    notifications: [
      { prefix: INPUT_PREFIX, suffix: MP4_SUFFIX, queue: queues.chunking.queue },
      { prefix: SEGMENTS_PREFIX, suffix: MP4_SUFFIX, queue: queues['video-worker'].queue },
    ],
  });
  const outputStorage = new FsObjectStorage({ ...storageOptions, bucket: OUTPUT_BUCKET });

  const jobs = new SqliteJobStore(db, { clock });
  const readers = new Set<{ stop(): Promise<void> }>();
  let closed: Promise<void> | undefined;

  return {
    home,
    inputStorage,
    outputStorage,
    jobs,
    segmentCompletions: new SqliteSegmentCompletionStore(db, { clock }),
    reassemblyTriggered: new SqliteReassemblyTriggeredStore(db),
    queues,
    objectEvents: localObjectEventFormat,
    handlePresignedRequest: createPresignedRequestHandler({
      signer,
      storages: [inputStorage, outputStorage],
      clock,
      checkUpload: (grant) => checkSourceUpload(jobs, grant),
    }),
    createStreamReader(readerOptions) {
      const reader = new SegmentCompletionStreamReader({
        pollIntervalMs: Math.max(pollIntervalMs, 50),
        ...readerOptions,
        db,
        clock,
      });
      readers.add(reader);
      return reader;
    },
    createJobStreamReader(readerOptions) {
      const reader = new SegmentCompletionStreamReader<JobStatusChange>({
        pollIntervalMs: Math.max(pollIntervalMs, 50),
        ...readerOptions,
        feed: JOBS_FEED,
        db,
        clock,
      });
      readers.add(reader);
      return reader;
    },
    close() {
      closed ??= (async () => {
        closing.abort();
        await Promise.all([...readers].map((reader) => reader.stop()));
        db.close();
      })();
      return closed;
    },
  };
}

/**
 * A job's source upload link is single use: once its job has left `created` (chunking started,
 * or the job failed or was deleted) a replay would queue chunking again, so it is refused.
 */
async function checkSourceUpload(jobs: SqliteJobStore, grant: PresignedGrant): Promise<UploadCheck> {
  const source = grant.bucket === INPUT_BUCKET ? parseInputKey(grant.key) : undefined;
  if (source === undefined || !source.ok) return { singleUse: false };
  const job = await jobs.get(source.value.jobId);
  if (job === undefined) return { singleUse: true, refusal: `job ${source.value.jobId} does not exist (it was deleted)` };
  if (job.status !== 'created') {
    return {
      singleUse: true,
      refusal: `job ${job.job_id} is ${job.status}: its upload link was already used; create a new job to upload again`,
    };
  }
  return { singleUse: true };
}
