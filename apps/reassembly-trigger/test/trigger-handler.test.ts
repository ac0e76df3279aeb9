import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { createLogger } from '@stereo-spot/logging';
import { join } from 'node:path';
import {
  createLocalPlatform,
  DATABASE_FILE,
  openDatabase,
  readJobChanges,
  type LocalPlatform,
} from '@stereo-spot/local-adapters';
import type { Queue, SegmentCompletionChange, TriggerChange } from '@stereo-spot/pipeline';
import { segmentOutputKey } from '@stereo-spot/shared-types';
import { makeJob, makeTempDir, type TempDir } from '@stereo-spot/testing';
import { createChangeHandler, createTriggerHandler } from '../src/trigger-handler';

let home: TempDir;
let platform: LocalPlatform;
const logger = createLogger({ name: 'trigger-test', level: 'silent' });

beforeEach(async () => {
  home = await makeTempDir('trigger');
  platform = createLocalPlatform({ home: home.path, publicBaseUrl: 'http://127.0.0.1:1' });
});
afterEach(async () => {
  await platform.close();
  await home.remove();
});

/** A job with every segment converted, in the real SQLite stores. */
async function convertedJob(segments: number) {
  const job = makeJob({ status: 'chunking_complete', total_segments: segments });
  await platform.jobs.create(job);
  for (let i = 0; i < segments; i += 1) {
    await platform.segmentCompletions.put({
      job_id: job.job_id,
      segment_index: i,
      output_key: segmentOutputKey(job.job_id, i),
      completed_at: i,
    });
  }
  return job;
}

const STREAM_EVENT_NAMES = { inserted: 'INSERT', changed: 'MODIFY', removed: 'REMOVE' } as const;

/** A change as the DynamoDB stream record Lambda would deliver for it (keys; statuses for Jobs). */
function lambdaRecord(change: TriggerChange): DynamoDBRecord {
  const image = (status: string) => ({ job_id: { S: change.jobId }, status: { S: status } });
  return {
    eventID: change.position,
    eventName: STREAM_EVENT_NAMES[change.kind],
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: 'eu-west-1',
    dynamodb:
      change.subject === 'job'
        ? {
            Keys: { job_id: { S: change.jobId } },
            ...(change.newStatus !== undefined ? { NewImage: image(change.newStatus) } : {}),
            ...(change.oldStatus !== undefined ? { OldImage: image(change.oldStatus) } : {}),
            SequenceNumber: change.position,
            StreamViewType: 'NEW_AND_OLD_IMAGES',
          }
        : {
            Keys: { job_id: { S: change.jobId }, segment_index: { N: String(change.segmentIndex) } },
            SequenceNumber: change.position,
            StreamViewType: 'KEYS_ONLY',
          },
  };
}

function event(changes: readonly TriggerChange[]): DynamoDBStreamEvent {
  return { Records: changes.map(lambdaRecord) };
}

describe('the reassembly trigger on the embedded stores', () => {
  it('as the Lambda handler, sends one reassembly message for a complete job, however many of its records arrive', async () => {
    // Prepare
    const job = await convertedJob(2);
    const handler = createTriggerHandler({ ...platform, reassemblyQueue: platform.queues.reassembly.queue, logger });
    const changes: SegmentCompletionChange[] = [0, 1].map((i) => ({
      kind: 'inserted',
      subject: 'segment-completion',
      jobId: job.job_id,
      segmentIndex: i,
      position: String(10 + i),
    }));

    // Act
    const response = await handler(event(changes));
    const queue = platform.queues.reassembly.queue;
    const [message] = await queue.receive({ maxMessages: 10, waitSeconds: 0 });

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(JSON.parse(message!.body)).toEqual({ job_id: job.job_id });
    expect(await platform.reassemblyTriggered.get(job.job_id)).toMatchObject({ job_id: job.job_id });
  });

  it('as the Lambda handler, reports the records of a job whose send failed, and their redelivery sends it', async () => {
    // Prepare
    const job = await convertedJob(1);
    const real = platform.queues.reassembly.queue;
    const failing: Queue = Object.assign(Object.create(real) as Queue, {
      send: async () => {
        throw new Error('queue unavailable');
      },
    });
    const change: SegmentCompletionChange = {
      kind: 'inserted',
      subject: 'segment-completion',
      jobId: job.job_id,
      segmentIndex: 0,
      position: '7',
    };
    const broken = createTriggerHandler({
      ...platform,
      reassemblyQueue: failing,
      logger,
    });

    // Act
    const failed = await broken(event([change]));
    const retried = await createTriggerHandler({ ...platform, reassemblyQueue: platform.queues.reassembly.queue, logger })(event([change]));

    // Assess
    expect(failed).toEqual({ batchItemFailures: [{ itemIdentifier: '7' }] });
    expect(retried).toEqual({ batchItemFailures: [] });
    expect((await real.depth()).visible).toBe(1);
  });

  it.each([
    ['the embedded Jobs stream hands its changes', 'changes'],
    ['the Lambda reads them as stream records', 'lambda'],
  ] as const)(
    'sends the reassembly when the job enters chunking_complete after every segment was converted (%s)',
    async (_label, path) => {
      // Prepare: every completion landed while the job was still chunking (the trigger skipped them)
      const job = makeJob({ status: 'chunking_in_progress' });
      await platform.jobs.create(job);
      for (const i of [0, 1]) {
        await platform.segmentCompletions.put({
          job_id: job.job_id,
          segment_index: i,
          output_key: segmentOutputKey(job.job_id, i),
          completed_at: i,
        });
      }
      // The change records, read through a second connection as another process would.
      const db = openDatabase(join(home.path, DATABASE_FILE));
      const before = readJobChanges(db, 0, 100).length;

      // Act: the recovery's conditional update, then every Jobs change through the trigger
      await platform.jobs.transition(job.job_id, 'chunking_complete', { total_segments: 2 });
      const changes = readJobChanges(db, 0, 100);
      db.close();
      const failedPositions =
        path === 'changes'
          ? (await createChangeHandler({ ...platform, reassemblyQueue: platform.queues.reassembly.queue, logger })(changes)).failedPositions
          : (await createTriggerHandler({ ...platform, reassemblyQueue: platform.queues.reassembly.queue, logger })(event(changes))).batchItemFailures;
      const messages = await platform.queues.reassembly.queue.receive({ maxMessages: 10, waitSeconds: 0 });

      // Assess
      expect(changes.slice(before)).toEqual([
        expect.objectContaining({ kind: 'changed', oldStatus: 'chunking_in_progress', newStatus: 'chunking_complete' }),
      ]);
      expect(failedPositions).toEqual([]);
      expect(messages.map((message) => JSON.parse(message.body))).toEqual([{ job_id: job.job_id }]);
    },
  );
});
