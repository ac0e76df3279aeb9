/**
 * The operations commands on the AWS platform: S3, SQS (with redrive to DLQs) and DynamoDB on one
 * moto_server for the file, a freshly provisioned pipeline per test. The embedded variants are in
 * ops.test.ts; here no worker runs, the tests look at what the commands leave on SQS and DynamoDB.
 */
import type { AwsPlatform, ProvisionedPlatform } from '@stereo-spot/aws-adapters';
import type { Queue } from '@stereo-spot/pipeline';
import { inputKey, segmentKey, type Job, type JobId } from '@stereo-spot/shared-types';
import { startMotoServer, type MotoServer } from '@stereo-spot/aws-emulator';
import { makeSegmentCompletion, uniqueResourcePrefix } from '@stereo-spot/testing';
import { EXIT_DONE, EXIT_REFUSED, type OpsPlatform } from '../src/commands/ops/context';
import { inspectDlq, purgeDlq, replayDlq } from '../src/commands/ops/dlq';
import { showJob } from '../src/commands/ops/job';
import { triggerReassembly } from '../src/commands/ops/reassembly';
import { createJob as createJobIn, diagnosisOf as diagnosisIn, recordingIo } from './support/ops';

jest.setTimeout(60_000);

let moto: MotoServer;
let provision: (prefix: string) => Promise<ProvisionedPlatform>;
let platform: AwsPlatform;
let ops: OpsPlatform;

beforeAll(async () => {
  // Loaded lazily, as the ops commands load it (the embedded path never needs the SDK).
  const { provisionAwsPlatform } = await import('@stereo-spot/aws-adapters');
  moto = await startMotoServer();
  // One receive too many sends a message to its DLQ.
  provision = (prefix) => provisionAwsPlatform(moto, { prefix, maxReceiveCount: 1 });
});

afterAll(async () => {
  await moto?.stop();
});

beforeEach(async () => {
  const provisioned = await provision(uniqueResourcePrefix('ops'));
  platform = provisioned.platform;
  ops = { ...platform, kind: 'aws', aws: provisioned.config };
  // Setting the bucket notifications put an s3:TestEvent on the chunking and video-worker queues.
  await dropTestEvent(platform.queues.chunking.queue);
  await dropTestEvent(platform.queues['video-worker'].queue);
});

afterEach(async () => {
  await platform?.close();
});

const io = recordingIo;
const createJob = (overrides: Partial<Job>): Promise<JobId> => createJobIn(platform.jobs, overrides);

async function dropTestEvent(queue: Queue): Promise<void> {
  const messages = await queue.receive({ maxMessages: 10, waitSeconds: 1 });
  for (const message of messages) {
    const decoded = platform.objectEvents.decode(message.body);
    if (!decoded.ok || decoded.value.kind !== 'test-event') throw new Error(`not an s3:TestEvent: ${message.body}`);
    await queue.delete(message.receiptHandle);
  }
}

/** Receives and deletes every message; returns their bodies. */
async function drain(queue: Queue): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const messages = await queue.receive({ maxMessages: 10, waitSeconds: 1 });
    if (messages.length === 0) return bodies;
    for (const message of messages) {
      bodies.push(message.body);
      await queue.delete(message.receiptHandle);
    }
  }
}

/** The object keys named by S3 event notification bodies (read as the workers read them). */
function notifiedKeys(bodies: readonly string[]): string[] {
  return bodies.flatMap((body) => {
    const decoded = platform.objectEvents.decode(body);
    return decoded.ok && decoded.value.kind === 'objects-created' ? decoded.value.keys : [];
  });
}

/**
 * SQS's own redrive: the message is received once and handed back, and the next receive finds it
 * past maxReceiveCount (1) and moves it to the DLQ.
 */
async function redriveOnce(queue: Queue): Promise<void> {
  const first = await queue.receive({ maxMessages: 1, waitSeconds: 1, visibilityTimeoutSeconds: 0 });
  if (first.length !== 1) throw new Error(`expected one message on ${queue.name}, got ${first.length}`);
  const second = await queue.receive({ maxMessages: 1, waitSeconds: 0 });
  if (second.length !== 0) throw new Error(`the redrive policy of ${queue.name} did not move the message`);
}

/** A job whose upload notification (sent by S3 itself) ended in the chunking DLQ. */
async function uploadIntoChunkingDlq(): Promise<JobId> {
  const jobId = await createJob({ status: 'created' });
  await platform.inputStorage.putBytes(inputKey(jobId), 'not really a video: no worker runs here');
  await redriveOnce(platform.queues.chunking.queue);
  return jobId;
}

/** The names of the SQS operations the platform's client sends from now on. */
function recordSqsOperations(): string[] {
  const operations: string[] = [];
  platform.clients.sqs.middlewareStack.add(
    (next, context) => async (args) => {
      operations.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'recordSqsOperations' },
  );
  return operations;
}

const diagnosisOf = (jobId: JobId) => diagnosisIn(ops, jobId);

describe('ops dlq on SQS', () => {
  test('inspect does not consume; replay falls back to receive → send → delete and the message is back on its queue', async () => {
    // Prepare
    const jobId = await uploadIntoChunkingDlq();
    const { queue, deadLetter } = platform.queues.chunking;
    const inspected = io(true);

    // Act
    await inspectDlq(ops, inspected, 'chunking', 10);
    const afterInspect = await deadLetter.depth();
    const operations = recordSqsOperations();
    const replayed = io(true);
    const code = await replayDlq(ops, replayed, 'chunking');
    const replayOperations = [...operations];
    const afterReplay = await deadLetter.depth();
    const onQueue = await drain(queue);

    // Assess
    expect(inspected.lines[0]).toBe(`${deadLetter.name}: 1 message(s) shown (not consumed)`);
    expect(inspected.lines[1]).toContain(jobId);
    expect(afterInspect).toEqual({ visible: 1, inFlight: 0 });
    expect(code).toBe(EXIT_DONE);
    expect(replayed.lines).toEqual([`moved 1 message(s) from ${deadLetter.name} to ${queue.name}`]);
    // moto_server has no message move tasks: the attempt is refused and the fallback moves it.
    expect(replayOperations).toContain('StartMessageMoveTask');
    expect(replayOperations).not.toContain('ListMessageMoveTasks');
    const afterAttempt = replayOperations.slice(replayOperations.indexOf('StartMessageMoveTask') + 1);
    expect(afterAttempt).toEqual([
      'ReceiveMessage',
      'SendMessage',
      'DeleteMessage',
      'ReceiveMessage',
    ]);
    expect(afterReplay).toEqual({ visible: 0, inFlight: 0 });
    expect(notifiedKeys(onQueue)).toEqual([inputKey(jobId)]);
  });

  test('purge is refused without confirmation and empties the DLQ with it', async () => {
    // Prepare
    await uploadIntoChunkingDlq();
    const { deadLetter } = platform.queues.chunking;

    // Act
    const declined = io(false);
    const declinedCode = await purgeDlq(ops, declined, 'chunking');
    const depthAfterDecline = await deadLetter.depth();
    const purged = io(true);
    const code = await purgeDlq(ops, purged, 'chunking');

    // Assess
    expect(declinedCode).toBe(EXIT_REFUSED);
    expect(declined.lines).toEqual(['nothing changed']);
    expect(depthAfterDecline).toEqual({ visible: 1, inFlight: 0 });
    expect(code).toBe(EXIT_DONE);
    expect(purged.lines[0]).toContain(`purged ${deadLetter.name} (SQS does not say how many`);
    expect(await deadLetter.depth()).toEqual({ visible: 0, inFlight: 0 });
    expect(await deadLetter.peek(10)).toEqual([]);
  });
});

describe('ops job on the AWS platform names the stuck step', () => {
  test('every segment on S3, status never updated: chunking, the recovery script', async () => {
    // Prepare
    const jobId = await createJob({ status: 'chunking_in_progress' });
    for (const segmentIndex of [0, 1, 2]) {
      await platform.inputStorage.putBytes(
        segmentKey({ jobId, segmentIndex, totalSegments: 3, mode: 'anaglyph' }),
        'segment',
      );
    }
    const shown = io(true);

    // Act
    const diagnosis = await diagnosisOf(jobId);
    await showJob(ops, shown, jobId);

    // Assess
    expect(diagnosis).toMatchObject({ step: 'chunking', stuck: true, fix: `npm run chunking-recovery -- ${jobId}` });
    expect(shown.lines).toContain('segments       all uploaded');
    expect(shown.lines).toContain(`fix            npm run chunking-recovery -- ${jobId}`);
  });

  test('a segment message redriven to the video-worker DLQ: segment conversion, replay that DLQ', async () => {
    // Prepare
    const jobId = await createJob({ status: 'chunking_complete', total_segments: 2 });
    await platform.segmentCompletions.put(makeSegmentCompletion(jobId, 0));
    await platform.inputStorage.putBytes(segmentKey({ jobId, segmentIndex: 1, totalSegments: 2, mode: 'anaglyph' }), 's');
    await redriveOnce(platform.queues['video-worker'].queue);

    // Act
    const diagnosis = await diagnosisOf(jobId);

    // Assess
    expect(diagnosis).toMatchObject({ step: 'segment conversion', stuck: true });
    expect(diagnosis.explanation).toContain('1 of 2 segments converted');
    expect(diagnosis.fix).toContain('stereo-spot ops dlq replay video-worker');
  });

  test('every completion in DynamoDB but no lock: reassembly trigger, ops reassembly trigger', async () => {
    // Prepare
    const jobId = await createJob({ status: 'chunking_complete', total_segments: 2 });
    for (const index of [0, 1]) await platform.segmentCompletions.put(makeSegmentCompletion(jobId, index));

    // Act
    const diagnosis = await diagnosisOf(jobId);

    // Assess
    expect(diagnosis).toMatchObject({
      step: 'reassembly trigger',
      stuck: true,
      fix: `stereo-spot ops reassembly trigger ${jobId}`,
    });
  });
});

describe('ops reassembly trigger on the AWS platform', () => {
  test('refuses while completions are fewer than total_segments, and changes nothing', async () => {
    // Prepare
    const jobId = await createJob({ status: 'chunking_complete', total_segments: 2 });
    await platform.segmentCompletions.put(makeSegmentCompletion(jobId, 0));
    const out = io(true);

    // Act
    const code = await triggerReassembly(ops, out, jobId);

    // Assess
    expect(code).toBe(EXIT_REFUSED);
    expect(out.lines).toEqual(['refused: count 1 != total_segments 2; nothing changed']);
    expect(await platform.reassemblyTriggered.get(jobId)).toBeUndefined();
    expect(await platform.queues.reassembly.queue.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  test('with every completion: creates the lock once (conditionally) and sends the job to the reassembly queue', async () => {
    // Prepare
    const jobId = await createJob({ status: 'chunking_complete', total_segments: 2 });
    for (const index of [0, 1]) await platform.segmentCompletions.put(makeSegmentCompletion(jobId, index));
    const reassemblyQueue = platform.queues.reassembly.queue;
    const first = io(true);
    const second = io(true);

    // Act
    const firstCode = await triggerReassembly(ops, first, jobId);
    const lock = await platform.reassemblyTriggered.get(jobId);
    const diagnosisAfter = await diagnosisOf(jobId);
    const secondCode = await triggerReassembly(ops, second, jobId);
    const lockAfterSecond = await platform.reassemblyTriggered.get(jobId);
    const sent = await drain(reassemblyQueue);

    // Assess
    expect(firstCode).toBe(EXIT_DONE);
    expect(first.lines).toEqual([
      'created the ReassemblyTriggered lock',
      `sent {"job_id":"${jobId}"} to ${reassemblyQueue.name}`,
    ]);
    expect(lock).toMatchObject({ job_id: jobId, triggered_at: expect.any(Number) });
    expect(diagnosisAfter).toMatchObject({ step: 'reassembly', stuck: false });
    expect(secondCode).toBe(EXIT_DONE);
    expect(second.lines[0]).toBe('the ReassemblyTriggered lock already existed');
    expect(lockAfterSecond).toEqual(lock);
    expect(sent.map((body) => JSON.parse(body) as unknown)).toEqual([{ job_id: jobId }, { job_id: jobId }]);
  });
});
