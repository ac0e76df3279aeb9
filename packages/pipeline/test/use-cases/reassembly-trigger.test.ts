import { segmentOutputKey, toJobId, type Job, type JobStatus } from '@stereo-spot/shared-types';
import {
  decideReassemblyTriggers,
  reassemblyReadiness,
  triggerIfComplete,
} from '../../src/use-cases/reassembly-trigger';
import {
  type ChangeKind,
  type JobStatusChange,
  type SegmentCompletionChange,
} from '../../src/ports/segment-completions';
import { captureLogger } from '@stereo-spot/logging/testing';
import { memoryPlatform, type MemoryPlatform } from '../../src/testing';

const JOB = toJobId('3f2b8c1e-6d4a-4b9e-8f00-1234567890ab');

/** The job in the given state (the trigger reads only its status and total_segments). */
function seedJob(platform: MemoryPlatform, state: Pick<Job, 'status'> & Partial<Job>): void {
  const stereo = { divergence: 3, convergence: 0.4, anaglyph_method: 'dubois' } as const;
  platform.jobs.jobs.set(JOB, { job_id: JOB, mode: 'sbs', created_at: 0, stereo, source_file_name: 'a.mov', ...state });
}

async function completeSegments(platform: MemoryPlatform, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    await platform.segmentCompletions.put({ job_id: JOB, segment_index: i, output_key: segmentOutputKey(JOB, i), completed_at: 1 });
  }
}

/** A `chunking_complete` job of `total` segments, `converted` of them converted. */
async function chunkedJob(platform: MemoryPlatform, total: number, converted = total): Promise<void> {
  seedJob(platform, { status: 'chunking_complete', total_segments: total });
  await completeSegments(platform, converted);
}

const deps = (platform: MemoryPlatform, logger = captureLogger().logger) => ({
  ...platform,
  reassemblyQueue: platform.reassemblyQueue,
  logger,
});

function change(segmentIndex: number, kind: ChangeKind = 'inserted'): SegmentCompletionChange {
  return { kind, subject: 'segment-completion', jobId: JOB, segmentIndex, position: `seq-${segmentIndex}-${kind}` };
}

function jobChange(position: string, oldStatus?: JobStatus, newStatus?: JobStatus, kind: ChangeKind = 'changed'): JobStatusChange {
  return {
    kind,
    subject: 'job',
    jobId: JOB,
    position,
    ...(oldStatus !== undefined ? { oldStatus } : {}),
    ...(newStatus !== undefined ? { newStatus } : {}),
  };
}

describe('decideReassemblyTriggers', () => {

  it('logs the reason of every skip', async () => {
    // Prepare
    const platform = memoryPlatform();
    const { logger, lines } = captureLogger();

    // Act
    await decideReassemblyTriggers(deps(platform, logger), [change(0)]);
    seedJob(platform, { status: 'chunking_in_progress' });
    await decideReassemblyTriggers(deps(platform, logger), [change(0)]);
    await chunkedJob(platform, 3, 2);
    await decideReassemblyTriggers(deps(platform, logger), [change(1)]);

    // Assess
    expect(lines.map((l) => l.msg)).toEqual([
      `job_id=${JOB} skip: job not found`,
      `job_id=${JOB} skip: status chunking_in_progress is not chunking_complete`,
      `job_id=${JOB} skip: count 2 != total_segments 3`,
    ]);
    expect(platform.reassemblyQueue.messages).toEqual([]);
  });

  it('takes the lock once and sends {"job_id"} when the last completion arrives', async () => {
    // Prepare
    const platform = memoryPlatform();
    await chunkedJob(platform, 2);
    const { logger, lines } = captureLogger();

    // Act: one batch with both changes of the job, and a removal that is ignored
    const result = await decideReassemblyTriggers(deps(platform, logger), [
      change(0),
      change(1),
      change(0, 'removed'),
    ]);

    // Assess
    expect(result.decisions).toEqual([{ jobId: JOB, decision: 'sent', lock: 'created' }]);
    expect(result.failedPositions).toEqual([]);
    expect(platform.reassemblyQueue.messages.map((m) => JSON.parse(m.body))).toEqual([{ job_id: JOB }]);
    expect(platform.reassemblyTriggered.locks.get(JOB)).toMatchObject({
      job_id: JOB,
      triggered_at: platform.clock.now(),
    });
    expect(lines.map((l) => l.msg)).toEqual([
      `job_id=${JOB} should trigger`,
      `job_id=${JOB} created ReassemblyTriggered`,
      `job_id=${JOB} sending to reassembly queue`,
    ]);
  });

  it('reports a failed send for redelivery, and the redelivery sends it although the lock exists', async () => {
    // Prepare
    const platform = memoryPlatform();
    await chunkedJob(platform, 1);
    const send = platform.reassemblyQueue.send.bind(platform.reassemblyQueue);
    platform.reassemblyQueue.send = async () => {
      throw new Error('throttled');
    };

    // Act
    const failed = await decideReassemblyTriggers(deps(platform), [change(0)]);
    platform.reassemblyQueue.send = send;
    const retried = await decideReassemblyTriggers(deps(platform), [change(0)]);

    // Assess
    expect(failed.failedPositions).toEqual(['seq-0-inserted']);
    expect(retried.decisions).toEqual([{ jobId: JOB, decision: 'sent', lock: 'existed' }]);
    expect(platform.reassemblyQueue.messages).toHaveLength(1);
  });

  it('does not send again once a worker has started reassembling', async () => {
    // Prepare
    const platform = memoryPlatform();
    await chunkedJob(platform, 1);
    await decideReassemblyTriggers(deps(platform), [change(0)]);
    await platform.reassemblyTriggered.tryStart(JOB, platform.clock.now(), 60_000);

    // Act
    const duplicate = await decideReassemblyTriggers(deps(platform), [change(0, 'changed')]);

    // Assess
    expect(duplicate.decisions[0]).toMatchObject({ decision: 'skipped' });
    expect(platform.reassemblyQueue.messages).toHaveLength(1);
  });

  it('decides on the job entering chunking_complete, and on no other Jobs change', async () => {
    // Prepare: the job is complete; only which change arrives differs
    const platform = memoryPlatform();
    await chunkedJob(platform, 2);
    const { logger, lines } = captureLogger();

    // Act
    const ignored = await decideReassemblyTriggers(deps(platform, logger), [
      jobChange('1', undefined, 'created', 'inserted'),
      jobChange('2', 'created', 'chunking_in_progress'),
      jobChange('4', 'chunking_complete', 'chunking_complete'),
      jobChange('5', 'chunking_complete', 'completed'),
      jobChange('6', 'completed', undefined, 'removed'),
    ]);
    const entered = await decideReassemblyTriggers(deps(platform, logger), [
      jobChange('3', 'chunking_in_progress', 'chunking_complete'),
    ]);

    // Assess
    expect(ignored).toEqual({ decisions: [], failedPositions: [] });
    expect(entered.decisions).toEqual([{ jobId: JOB, decision: 'sent', lock: 'created' }]);
    expect(platform.reassemblyQueue.messages.map((m) => JSON.parse(m.body))).toEqual([{ job_id: JOB }]);
    expect(lines.map((l) => l.msg)).toContain(`job_id=${JOB} sending to reassembly queue`);
  });
});

describe('triggerIfComplete (the operator\'s command)', () => {

  it('tells whether a job is ready, reading only', async () => {
    // Prepare
    const platform = memoryPlatform();
    const before = await reassemblyReadiness(platform, JOB);
    await chunkedJob(platform, 1, 0);
    const missing = await reassemblyReadiness(platform, JOB);
    await completeSegments(platform, 1);

    // Act
    const ready = await reassemblyReadiness(platform, JOB);

    // Assess
    expect([before, missing, ready]).toEqual([
      { ready: false, reason: 'job not found' },
      { ready: false, reason: 'count 0 != total_segments 1' },
      { ready: true, count: 1 },
    ]);
    expect(platform.reassemblyTriggered.locks.size).toBe(0);
  });

  it('skips a started reassembly unless forced; forced, it sends and logs it as a warning', async () => {
    // Prepare
    const platform = memoryPlatform();
    await chunkedJob(platform, 1);
    await platform.reassemblyTriggered.tryCreate({ job_id: JOB, triggered_at: 1, ttl: 2 });
    await platform.reassemblyTriggered.tryStart(JOB, platform.clock.now(), 60_000);
    const { logger, lines } = captureLogger();

    // Act
    const plain = await triggerIfComplete(deps(platform), JOB);
    const forced = await triggerIfComplete(deps(platform, logger), JOB, { force: true });

    // Assess
    expect(plain).toEqual({ jobId: JOB, decision: 'skipped', reason: 'ReassemblyTriggered exists and reassembly has started' });
    expect(forced).toEqual({ jobId: JOB, decision: 'sent', lock: 'started' });
    expect(platform.reassemblyQueue.messages.map((m) => JSON.parse(m.body))).toEqual([{ job_id: JOB }]);
    expect(lines.map((l) => l.msg)).toContain(
      `job_id=${JOB} ReassemblyTriggered exists and reassembly has started: sending again (forced)`,
    );
  });
});
