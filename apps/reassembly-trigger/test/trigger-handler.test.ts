import type { DynamoDBStreamEvent } from 'aws-lambda';
import { createLogger } from '@stereo-spot/logging';
import path from 'node:path';
import {
  createLocalPlatform,
  DATABASE_FILE,
  openDatabase,
  readJobChanges,
  toDynamoDbStreamRecord,
  type LocalPlatform,
} from '@stereo-spot/local-adapters';
import type { Queue, SegmentCompletionChange } from '@stereo-spot/pipeline';
import { segmentOutputKey } from '@stereo-spot/shared-types';
import { makeJob, makeTempDir, type TempDir } from '@stereo-spot/testing';
import { createTriggerHandler } from '../src';

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

function event(changes: SegmentCompletionChange[]): DynamoDBStreamEvent {
  return { Records: changes.map(toDynamoDbStreamRecord) as DynamoDBStreamEvent['Records'] };
}

describe('the reassembly trigger handler on the embedded stores', () => {
  it('sends one reassembly message for a complete job, however many of its records arrive', async () => {
    // Prepare
    const job = await convertedJob(2);
    const handler = createTriggerHandler({ ...platform, reassemblyQueue: platform.queues.reassembly.queue, logger });
    const changes: SegmentCompletionChange[] = [0, 1].map((i) => ({
      eventName: 'INSERT',
      jobId: job.job_id,
      segmentIndex: i,
      sequenceNumber: String(10 + i),
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

  it('reports the records of a job whose send failed, and their redelivery sends it', async () => {
    // Prepare
    const job = await convertedJob(1);
    const real = platform.queues.reassembly.queue;
    const failing: Queue = Object.assign(Object.create(real) as Queue, {
      send: async () => {
        throw new Error('queue unavailable');
      },
    });
    const change: SegmentCompletionChange = {
      eventName: 'INSERT',
      jobId: job.job_id,
      segmentIndex: 0,
      sequenceNumber: '7',
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

  it('sends the reassembly when the job enters chunking_complete after every segment was converted (Jobs stream)', async () => {
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
    const handler = createTriggerHandler({ ...platform, reassemblyQueue: platform.queues.reassembly.queue, logger });
    // The change records, read through a second connection as another process would.
    const db = openDatabase(path.join(home.path, DATABASE_FILE));
    const before = readJobChanges(db, 0, 100).length;

    // Act: the recovery's conditional update, then the Jobs change records through the handler
    await platform.jobs.transition(job.job_id, 'chunking_complete', { total_segments: 2 });
    const changes = readJobChanges(db, 0, 100);
    const response = await handler({ Records: changes.map(toDynamoDbStreamRecord) as DynamoDBStreamEvent['Records'] });
    const messages = await platform.queues.reassembly.queue.receive({ maxMessages: 10, waitSeconds: 0 });
    db.close();

    // Assess
    expect(changes.slice(before)).toEqual([
      expect.objectContaining({ eventName: 'MODIFY', oldStatus: 'chunking_in_progress', newStatus: 'chunking_complete' }),
    ]);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(messages.map((message) => JSON.parse(message.body))).toEqual([{ job_id: job.job_id }]);
  });
});
