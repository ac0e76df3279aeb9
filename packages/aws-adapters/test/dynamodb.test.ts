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
import { TABLES } from '@stereo-spot/contracts';
import type { Clock } from '@stereo-spot/pipeline';
import {
  describeJobStoreContract,
  describeReassemblyTriggeredStoreContract,
  describeSegmentCompletionStoreContract,
} from '@stereo-spot/testing';
import { DynamoDbJobStore } from '../src/dynamodb/job-store';
import { DynamoDbReassemblyTriggeredStore } from '../src/dynamodb/reassembly-triggered-store';
import { DynamoDbSegmentCompletionStore } from '../src/dynamodb/segment-completion-store';
import { createTable } from '../src/provisioning/pipeline-resources';
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
  await createTable(moto.clients, table, TABLES.jobs);
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
    await createTable(moto.clients, table, TABLES.segmentCompletions);
    return new DynamoDbSegmentCompletionStore(moto.clients.documents, table);
  }
  const completion = (jobId: JobId, segmentIndex: number, completedAt = 1) => ({
    job_id: jobId,
    segment_index: segmentIndex,
    output_key: segmentOutputKey(jobId, segmentIndex),
    completed_at: completedAt,
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

describe('DynamoDbReassemblyTriggeredStore on moto_server', () => {
  async function newStore(label: string) {
    const table = moto.prefix(label);
    await createTable(moto.clients, table, TABLES.reassemblyTriggered);
    return new DynamoDbReassemblyTriggeredStore(moto.clients.documents, table);
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
});

// The shared port contracts, with the same assertions as for the embedded adapters. Every test
// gets its own table on a server that lives as long as this file.
const noCleanup = async () => undefined;

describeJobStoreContract('DynamoDB on moto_server', async () => {
  const table = moto.prefix('contract-jobs');
  await createTable(moto.clients, table, TABLES.jobs);
  return { store: new DynamoDbJobStore(moto.clients.documents, table), cleanup: noCleanup };
});

describeSegmentCompletionStoreContract('DynamoDB on moto_server', async () => {
  const table = moto.prefix('contract-completions');
  await createTable(moto.clients, table, TABLES.segmentCompletions);
  return { store: new DynamoDbSegmentCompletionStore(moto.clients.documents, table), cleanup: noCleanup };
});

describeReassemblyTriggeredStoreContract('DynamoDB on moto_server', async () => {
  const table = moto.prefix('contract-locks');
  await createTable(moto.clients, table, TABLES.reassemblyTriggered);
  return { store: new DynamoDbReassemblyTriggeredStore(moto.clients.documents, table), cleanup: noCleanup };
});
