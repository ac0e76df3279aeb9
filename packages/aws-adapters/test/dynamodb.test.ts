import { randomUUID } from 'node:crypto';
import {
  DEFAULT_STEREO_PARAMS,
  newReassemblyTriggered,
  segmentOutputKey,
  toJobId,
  type Job,
  type JobId,
  type JobStatus,
} from '@stereo-spot/shared-types';
import { JobAlreadyExistsError, type Clock } from '@stereo-spot/pipeline';
import { DynamoDbJobStore } from '../src/dynamodb/job-store';
import { DynamoDbReassemblyLockStore } from '../src/dynamodb/reassembly-lock-store';
import { DynamoDbSegmentCompletionStore } from '../src/dynamodb/segment-completion-store';
import {
  createJobsTable,
  createReassemblyTriggeredTable,
  createSegmentCompletionsTable,
} from '../src/provisioning/pipeline-resources';
import { startMotoFixture, type MotoFixture } from './support/moto';

let moto: MotoFixture;
beforeAll(async () => {
  moto = await startMotoFixture();
});
afterAll(() => moto?.stop());

const clock = (start = 1_700_000_000_000): Clock & { set(ms: number): void } => {
  let now = start;
  return { now: () => now, set: (ms) => (now = ms) };
};

async function newJobStore(label: string, time = clock()) {
  const table = moto.prefix(label);
  await createJobsTable(moto.clients, table);
  return new DynamoDbJobStore(moto.clients.documents, table, time);
}

function job(overrides: Partial<Job> = {}): Job {
  return {
    job_id: toJobId(randomUUID()),
    mode: 'anaglyph',
    status: 'created',
    created_at: 1_700_000_000_000,
    stereo: DEFAULT_STEREO_PARAMS,
    source_file_name: 'holiday.mp4',
    ...overrides,
  };
}

/** Walks a list to its end: every page's items and whether a cursor followed. */
async function allPages(
  list: (options: { limit: number; cursor?: string }) => Promise<{ items: readonly Job[]; cursor?: string }>,
  limit: number,
) {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit, ...(cursor !== undefined ? { cursor } : {}) });
    pages.push(page.items.map((j) => j.source_file_name));
    cursor = page.cursor;
  } while (cursor !== undefined);
  return pages;
}

describe('DynamoDbJobStore on moto_server', () => {
  test('creates once, reads back exactly, refuses a second create with the same id', async () => {
    // Prepare
    const store = await newJobStore('jobs-create');
    const created = job({ updated_at: 1_700_000_000_000 });

    // Act
    await store.create(created);
    const second = store.create({ ...created, source_file_name: 'other.mp4' });

    // Assess
    await expect(second).rejects.toBeInstanceOf(JobAlreadyExistsError);
    expect(await store.get(created.job_id)).toEqual(created);
    expect(await store.get(toJobId(randomUUID()))).toBeUndefined();
  });

  test('a legal transition applies with its patch in one write and stamps updated_at', async () => {
    // Prepare
    const time = clock();
    const store = await newJobStore('jobs-transition', time);
    const created = job();
    await store.create(created);
    await store.transition(created.job_id, 'chunking_in_progress');
    time.set(1_700_000_005_000);

    // Act
    const outcome = await store.transition(created.job_id, 'chunking_complete', { total_segments: 7 });

    // Assess
    expect(outcome).toEqual({
      applied: true,
      job: { ...created, status: 'chunking_complete', total_segments: 7, updated_at: 1_700_000_005_000 },
    });
    expect(await store.get(created.job_id)).toEqual(outcome.applied ? outcome.job : undefined);
  });

  test.each<[JobStatus, JobStatus]>([
    ['created', 'chunking_complete'],
    ['created', 'completed'],
    ['completed', 'failed'],
    ['failed', 'chunking_in_progress'],
    ['chunking_in_progress', 'created'],
  ])('refuses %s → %s and returns the job as it is', async (from, to) => {
    // Prepare
    const store = await newJobStore('jobs-refuse');
    const existing = job({ status: from });
    await store.create(existing);

    // Act
    const outcome = await store.transition(existing.job_id, to, { error: 'should not be written' });

    // Assess
    expect(outcome).toEqual({ applied: false, current: existing });
    expect(await store.get(existing.job_id)).toEqual(existing);
  });

  test('a transition of a job that does not exist applies nothing and creates nothing', async () => {
    // Prepare
    const store = await newJobStore('jobs-absent');
    const jobId = toJobId(randomUUID());

    // Act
    const outcome = await store.transition(jobId, 'failed', { error: 'x' });

    // Assess
    expect(outcome).toEqual({ applied: false, current: undefined });
    expect(await store.get(jobId)).toBeUndefined();
  });

  // Sequential on purpose: moto_server handles requests on threads without making a conditional
  // write atomic, so two truly concurrent writers can both "win" there (never on DynamoDB).
  test('of two writers starting from the same status only the first applies; the second sees its result', async () => {
    // Prepare
    const store = await newJobStore('jobs-second-writer');
    const existing = job({ status: 'chunking_complete', total_segments: 2 });
    await store.create(existing);

    // Act
    const first = await store.transition(existing.job_id, 'completed', { completed_at: 1_700_000_100_000 });
    const second = await store.transition(existing.job_id, 'failed', { error: 'boom' });

    // Assess
    expect(first.applied).toBe(true);
    expect(second).toEqual({ applied: false, current: first.applied ? first.job : undefined });
  });

  test('lists in-progress jobs of every unfinished status newest first, page by page, last page without cursor', async () => {
    // Prepare
    const store = await newJobStore('jobs-in-progress');
    const statuses: JobStatus[] = [
      'created',
      'chunking_in_progress',
      'chunking_complete',
      'completed',
      'failed',
    ];
    for (let i = 0; i < 10; i++) {
      const status = statuses[i % statuses.length]!;
      await store.create(
        job({
          status,
          created_at: 1_000 + i,
          source_file_name: `job-${i}`,
          ...(status === 'completed' ? { completed_at: 5_000 + i } : {}),
        }),
      );
    }

    // Act
    const pages = await allPages((o) => store.listInProgress(o), 2);
    const single = await store.listInProgress({ limit: 6 });

    // Assess
    expect(pages).toEqual([
      ['job-7', 'job-6'],
      ['job-5', 'job-2'],
      ['job-1', 'job-0'],
    ]);
    expect(single.items.map((j) => j.source_file_name)).toEqual([
      'job-7',
      'job-6',
      'job-5',
      'job-2',
      'job-1',
      'job-0',
    ]);
    expect(single.cursor).toBeUndefined();
  });

  test('lists completed jobs by completion time and failed jobs by creation time, newest first', async () => {
    // Prepare
    const store = await newJobStore('jobs-finished');
    await store.create(
      job({ status: 'completed', created_at: 1, completed_at: 30, source_file_name: 'c-old-created' }),
    );
    await store.create(
      job({ status: 'completed', created_at: 2, completed_at: 10, source_file_name: 'c-new-created' }),
    );
    await store.create(
      job({ status: 'completed', created_at: 3, completed_at: 20, source_file_name: 'c-mid' }),
    );
    await store.create(job({ status: 'failed', created_at: 5, error: 'x', source_file_name: 'f-5' }));
    await store.create(job({ status: 'failed', created_at: 9, error: 'y', source_file_name: 'f-9' }));
    await store.create(job({ status: 'created', created_at: 99, source_file_name: 'not-finished' }));

    // Act
    const completed = await allPages((o) => store.listCompleted(o), 2);
    const failed = await allPages((o) => store.listFailed(o), 5);

    // Assess
    expect(completed).toEqual([['c-old-created', 'c-mid'], ['c-new-created']]);
    expect(failed).toEqual([['f-9', 'f-5']]);
  });

  test('a page that ends exactly at the last job carries no cursor', async () => {
    // Prepare
    const store = await newJobStore('jobs-exact');
    for (let i = 0; i < 4; i++) await store.create(job({ created_at: i, source_file_name: `j${i}` }));

    // Act
    const pages = await allPages((o) => store.listInProgress(o), 2);

    // Assess
    expect(pages).toEqual([
      ['j3', 'j2'],
      ['j1', 'j0'],
    ]);
  });

  test('refuses cursors it did not make, and cursors of another list', async () => {
    // Prepare
    const store = await newJobStore('jobs-cursor');
    for (let i = 0; i < 3; i++) await store.create(job({ status: 'failed', created_at: i, error: 'e' }));
    const failedCursor = (await store.listFailed({ limit: 1 })).cursor ?? '';

    // Act + Assess
    await expect(store.listInProgress({ limit: 1, cursor: 'not-a-cursor' })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
      permanent: true,
    });
    await expect(store.listCompleted({ limit: 1, cursor: failedCursor })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
    expect((await store.listFailed({ limit: 5, cursor: failedCursor })).items).toHaveLength(2);
  });

  test('delete removes the job', async () => {
    // Prepare
    const store = await newJobStore('jobs-delete');
    const existing = job();
    await store.create(existing);

    // Act
    await store.delete(existing.job_id);
    await store.delete(existing.job_id);

    // Assess
    expect(await store.get(existing.job_id)).toBeUndefined();
  });

  test('a missing table is a permanent error that names the job', async () => {
    // Prepare
    const store = new DynamoDbJobStore(moto.clients.documents, moto.prefix('no-such-table'));
    const jobId = toJobId(randomUUID());

    // Act
    const error = await store.get(jobId).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess
    expect(error).toMatchObject({
      code: 'AWS_REQUEST_FAILED',
      permanent: true,
      jobId,
      awsErrorName: 'ResourceNotFoundException',
    });
    expect((error as Error).message).toContain(`job_id=${jobId}`);
  });
});

describe('DynamoDbSegmentCompletionStore on moto_server', () => {
  async function newStore(label: string) {
    const table = moto.prefix(label);
    await createSegmentCompletionsTable(moto.clients, table);
    return new DynamoDbSegmentCompletionStore(moto.clients.documents, table);
  }
  const completion = (jobId: JobId, segmentIndex: number, completedAt = 1) => ({
    job_id: jobId,
    segment_index: segmentIndex,
    output_key: segmentOutputKey(jobId, segmentIndex),
    completed_at: completedAt,
  });

  test('puts are idempotent per (job, index); count and list see only that job, in index order', async () => {
    // Prepare
    const store = await newStore('completions');
    const jobId = toJobId(randomUUID());
    const other = toJobId(randomUUID());

    // Act
    for (const index of [10, 2, 0, 2, 1]) await store.put(completion(jobId, index, index));
    await store.put({ ...completion(jobId, 2, 99), frames: 48 });
    await store.put(completion(other, 0));

    // Assess
    expect(await store.count(jobId)).toBe(4);
    expect((await store.list(jobId)).map((c) => c.segment_index)).toEqual([0, 1, 2, 10]);
    expect((await store.list(jobId))[2]).toEqual({ ...completion(jobId, 2, 99), frames: 48 });
    expect(await store.count(other)).toBe(1);
  });

  test('deleteForJob removes every completion of that job only (more than one batch)', async () => {
    // Prepare
    const store = await newStore('completions-delete');
    const jobId = toJobId(randomUUID());
    const other = toJobId(randomUUID());
    for (let i = 0; i < 30; i++) await store.put(completion(jobId, i));
    await store.put(completion(other, 0));

    // Act
    await store.deleteForJob(jobId);

    // Assess
    expect(await store.count(jobId)).toBe(0);
    expect(await store.count(other)).toBe(1);
  });
});

describe('DynamoDbReassemblyLockStore on moto_server', () => {
  async function newStore(label: string) {
    const table = moto.prefix(label);
    await createReassemblyTriggeredTable(moto.clients, table);
    return new DynamoDbReassemblyLockStore(moto.clients.documents, table);
  }

  test('the lock is created once, with the +90 days ttl', async () => {
    // Prepare
    const store = await newStore('locks-create');
    const jobId = toJobId(randomUUID());
    const lock = newReassemblyTriggered(jobId, 1_700_000_000_000);

    // Act
    const results = [await store.tryCreate(lock), await store.tryCreate({ ...lock, triggered_at: 2 })];

    // Assess
    expect(results).toEqual([true, false]);
    expect(await store.get(jobId)).toEqual(lock);
    expect(lock.ttl).toBe(1_700_000_000 + 90 * 24 * 3600);
  });

  test('start succeeds once, again only after the stale limit, never without a lock', async () => {
    // Prepare
    const store = await newStore('locks-start');
    const jobId = toJobId(randomUUID());
    await store.tryCreate(newReassemblyTriggered(jobId, 1_000));

    // Act
    const first = await store.tryStart(jobId, 10_000, 5_000);
    const tooSoon = await store.tryStart(jobId, 14_000, 5_000);
    const takeover = await store.tryStart(jobId, 15_001, 5_000);
    const noLock = await store.tryStart(toJobId(randomUUID()), 10_000, 5_000);

    // Assess
    expect([first, tooSoon, takeover, noLock]).toEqual([true, false, true, false]);
    expect((await store.get(jobId))?.reassembly_started_at).toBe(15_001);
  });

  test('delete removes the lock so a new trigger can create it', async () => {
    // Prepare
    const store = await newStore('locks-delete');
    const jobId = toJobId(randomUUID());
    await store.tryCreate(newReassemblyTriggered(jobId, 1));

    // Act
    await store.delete(jobId);

    // Assess
    expect(await store.get(jobId)).toBeUndefined();
    expect(await store.tryCreate(newReassemblyTriggered(jobId, 2))).toBe(true);
  });
});
