/**
 * The janitor (`sweepStuckJobs`) on the AWS platform: the Jobs table's status GSI lists the
 * unfinished jobs, S3 holds the segments, every write is a conditional DynamoDB update. One
 * moto_server for the file, a freshly provisioned pipeline per test (a sweep reads the whole table).
 */
import type { AwsPlatform, ProvisionedPlatform } from '@stereo-spot/aws-adapters';
import { createLogger } from '@stereo-spot/logging';
import { sweepStuckJobs, systemClock, type JanitorDeps } from '@stereo-spot/pipeline';
import { segmentKey, type Job, type JobId } from '@stereo-spot/shared-types';
import { startMotoServer, type MotoServer } from '@stereo-spot/aws-emulator';
import { makeJob, makeSegmentCompletion, uniqueResourcePrefix } from '@stereo-spot/testing';

jest.setTimeout(60_000);

const HOUR = 3_600_000;
const SETTINGS = { graceMs: 0, maxAgeMs: HOUR };

let moto: MotoServer;
let provision: (prefix: string) => Promise<ProvisionedPlatform>;
let platform: AwsPlatform;
let deps: JanitorDeps;

beforeAll(async () => {
  // Loaded lazily, as the scripts load it (the embedded path never needs the SDK).
  const { provisionAwsPlatform } = await import('@stereo-spot/aws-adapters');
  moto = await startMotoServer();
  provision = (prefix) => provisionAwsPlatform(moto, { prefix });
});

afterAll(async () => {
  await moto?.stop();
});

beforeEach(async () => {
  ({ platform } = await provision(uniqueResourcePrefix('janitor')));
  deps = {
    ...platform,
    reassemblyQueue: platform.queues.reassembly.queue,
    clock: systemClock,
    logger: createLogger({ name: 'janitor', level: 'silent' }),
  };
});

afterEach(async () => {
  await platform?.close();
});

/** What a media-worker killed before its final update leaves: the segments on S3, the status unchanged. */
async function stuckInChunking(options: { createdAt: number; uploaded: readonly number[]; total: number }): Promise<JobId> {
  const job = makeJob({ status: 'created', created_at: options.createdAt });
  await platform.jobs.create(job);
  await platform.jobs.transition(job.job_id, 'chunking_in_progress');
  for (const segmentIndex of options.uploaded) {
    await platform.inputStorage.putBytes(
      segmentKey({ jobId: job.job_id, segmentIndex, totalSegments: options.total, mode: job.mode }),
      'segment',
    );
  }
  return job.job_id;
}

/** The DynamoDB operations sent from now on, with their condition expressions. */
function recordDynamoDbWrites(): { operation: string; condition?: string }[] {
  const writes: { operation: string; condition?: string }[] = [];
  platform.clients.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      if (/^(Put|Update|Delete)Item$/.test(operation)) {
        const input = args.input as { ConditionExpression?: string };
        writes.push({ operation, ...(input.ConditionExpression ? { condition: input.ConditionExpression } : {}) });
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordDynamoDbWrites' },
  );
  return writes;
}

test('recovers a job whose media-worker died after uploading every segment, with one conditional update', async () => {
  // Prepare
  const jobId = await stuckInChunking({ createdAt: Date.now(), uploaded: [0, 1, 2], total: 3 });
  const writes = recordDynamoDbWrites();

  // Act
  const actions = await sweepStuckJobs(deps, SETTINGS);
  const writesOfSweep = [...writes];
  const again = await sweepStuckJobs(deps, SETTINGS);

  // Assess
  expect(actions).toEqual([{ jobId, action: 'recovered-chunking', totalSegments: 3 }]);
  expect(await platform.jobs.get(jobId)).toMatchObject({ status: 'chunking_complete', total_segments: 3 });
  expect(writesOfSweep).toEqual([{ operation: 'UpdateItem', condition: expect.any(String) }]);
  expect(again).toEqual([]);
});

test('leaves a job with a segment missing alone until its maximum age, then fails it', async () => {
  // Prepare
  const old = await stuckInChunking({ createdAt: Date.now() - 2 * HOUR, uploaded: [0, 2], total: 3 });
  const young = await stuckInChunking({ createdAt: Date.now(), uploaded: [0, 2], total: 3 });

  // Act
  const actions = await sweepStuckJobs(deps, SETTINGS);

  // Assess
  expect(actions).toEqual([{ jobId: old, action: 'failed', reason: expect.stringContaining('failed by the janitor') }]);
  const failed = (await platform.jobs.get(old)) as Job;
  expect(failed).toMatchObject({ status: 'failed', error: expect.stringContaining('stuck in chunking_in_progress') });
  expect(await platform.jobs.get(young)).toMatchObject({ status: 'chunking_in_progress' });
});

test('triggers the reassembly of a job whose completions are all in DynamoDB but which has no lock', async () => {
  // Prepare
  const job = makeJob({ status: 'chunking_complete', total_segments: 2, created_at: Date.now() });
  await platform.jobs.create(job);
  for (const index of [0, 1]) await platform.segmentCompletions.put(makeSegmentCompletion(job.job_id, index));

  // Act
  const actions = await sweepStuckJobs(deps, SETTINGS);

  // Assess
  expect(actions).toEqual([{ jobId: job.job_id, action: 'triggered-reassembly' }]);
  expect(await platform.reassemblyTriggered.get(job.job_id)).toMatchObject({ job_id: job.job_id });
  const [message] = await platform.queues.reassembly.queue.receive({ maxMessages: 10, waitSeconds: 1 });
  expect(JSON.parse(message?.body ?? '{}')).toEqual({ job_id: job.job_id });
});
