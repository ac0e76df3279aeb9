/**
 * The JobStore contract: conditional status transitions that refuse illegal moves, the single
 * atomic `total_segments` + `chunking_complete` write, and newest-first pagination.
 * Conditional writes are exercised one after another: emulators may not make truly concurrent
 * conditional writes atomic (the embedded adapter's own tests race them).
 */
import type { JobStore, ListOptions, Page } from '@stereo-spot/pipeline';
import type { Job, JobStatus } from '@stereo-spot/shared-types';
import { makeJob, newJobId } from '../fixtures/jobs';
import { useFreshFixture, type ContractFixture, type FixtureFactory } from './fixture';

export interface JobStoreContractFixture extends ContractFixture {
  /** A store over a fresh, empty table. */
  readonly store: JobStore;
}

async function collectPages(
  list: (options: ListOptions) => Promise<Page<Job>>,
  limit: number,
): Promise<{ ids: string[]; pageSizes: number[] }> {
  const ids: string[] = [];
  const pageSizes: number[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const result = await list({ limit, ...(cursor !== undefined ? { cursor } : {}) });
    ids.push(...result.items.map((job) => job.job_id));
    pageSizes.push(result.items.length);
    cursor = result.cursor;
    if (cursor === undefined) break;
  }
  return { ids, pageSizes };
}

export function describeJobStoreContract(name: string, makeFixture: FixtureFactory<JobStoreContractFixture>): void {
  describe(`JobStore contract: ${name}`, () => {
    const fixture = useFreshFixture(makeFixture);

    /** Creates a job and walks it to `status` through legal transitions. */
    async function jobIn(status: JobStatus, overrides: Partial<Job> = {}): Promise<Job> {
      const { store } = fixture();
      const { completed_at: completedAt, ...fields } = overrides;
      const job = makeJob(fields);
      await store.create(job);
      const path: Record<JobStatus, JobStatus[]> = {
        created: [],
        chunking_in_progress: ['chunking_in_progress'],
        chunking_complete: ['chunking_in_progress', 'chunking_complete'],
        completed: ['chunking_in_progress', 'chunking_complete', 'completed'],
        failed: ['failed'],
      };
      let current = job;
      for (const next of path[status]) {
        const outcome = await store.transition(job.job_id, next, {
          ...(next === 'chunking_complete' ? { total_segments: 2 } : {}),
          ...(next === 'completed' ? { completed_at: completedAt ?? job.created_at + 1000 } : {}),
          ...(next === 'failed' ? { error: 'broken upload' } : {}),
        });
        if (!outcome.applied) throw new Error(`setup: ${current.status} → ${next} was refused`);
        current = outcome.job;
      }
      return current;
    }

    it('creates and reads back a job; an unknown id reads as undefined', async () => {
      // Prepare
      const { store } = fixture();
      const job = makeJob({ mode: 'half-sbs', source_file_name: 'beach walk.mp4' });
      // Act
      await store.create(job);
      // Assess
      expect(await store.get(job.job_id)).toEqual(job);
      expect(await store.get(newJobId())).toBeUndefined();
    });

    it('refuses to create a job whose id exists', async () => {
      // Prepare
      const { store } = fixture();
      const job = makeJob();
      await store.create(job);
      // Act
      const second = store.create({ ...job, source_file_name: 'other.mp4' });
      // Assess
      await expect(second).rejects.toMatchObject({ code: 'JOB_ALREADY_EXISTS' });
      expect((await store.get(job.job_id))?.source_file_name).toBe(job.source_file_name);
    });

    it('walks the legal lifecycle, setting updated_at and keeping the other fields', async () => {
      // Prepare
      const { store } = fixture();
      const job = makeJob();
      await store.create(job);
      // Act
      const started = await store.transition(job.job_id, 'chunking_in_progress');
      const chunked = await store.transition(job.job_id, 'chunking_complete', { total_segments: 3 });
      const completed = await store.transition(job.job_id, 'completed', { completed_at: job.created_at + 5000 });
      // Assess
      expect([started.applied, chunked.applied, completed.applied]).toEqual([true, true, true]);
      const stored = await store.get(job.job_id);
      expect(stored).toMatchObject({
        status: 'completed',
        total_segments: 3,
        completed_at: job.created_at + 5000,
        stereo: job.stereo,
        source_file_name: job.source_file_name,
        mode: job.mode,
      });
      expect(stored?.updated_at).toEqual(expect.any(Number));
      if (completed.applied) expect(completed.job).toEqual(stored);
    });

    it.each([
      ['created', 'chunking_complete'],
      ['created', 'completed'],
      ['chunking_in_progress', 'completed'],
      ['chunking_in_progress', 'created'],
      ['chunking_complete', 'chunking_in_progress'],
      ['completed', 'failed'],
      ['completed', 'chunking_complete'],
      ['failed', 'chunking_in_progress'],
      ['failed', 'completed'],
    ] as const)('refuses %s → %s and reports the job as it is', async (from, to) => {
      // Prepare
      const { store } = fixture();
      const job = await jobIn(from);
      // Act
      const outcome = await store.transition(job.job_id, to, { total_segments: 9, completed_at: 1, error: 'x' });
      // Assess
      expect(outcome.applied).toBe(false);
      if (!outcome.applied) expect(outcome.current).toEqual(job);
      expect(await store.get(job.job_id)).toEqual(job);
    });

    it('refuses a transition of an unknown job with current undefined', async () => {
      // Prepare
      const { store } = fixture();
      // Act
      const outcome = await store.transition(newJobId(), 'chunking_in_progress');
      // Assess
      expect(outcome).toEqual({ applied: false, current: undefined });
    });

    it('applies a transition once: the same move again is refused', async () => {
      // Prepare
      const { store } = fixture();
      const job = await jobIn('created');
      // Act
      const first = await store.transition(job.job_id, 'chunking_in_progress');
      const second = await store.transition(job.job_id, 'chunking_in_progress');
      // Assess
      expect(first.applied).toBe(true);
      expect(second.applied).toBe(false);
      if (!second.applied) expect(second.current?.status).toBe('chunking_in_progress');
    });

    it('sets total_segments together with chunking_complete, and a refused write changes neither', async () => {
      // Prepare
      const { store } = fixture();
      const job = await jobIn('chunking_in_progress');
      // Act
      const applied = await store.transition(job.job_id, 'chunking_complete', { total_segments: 7 });
      const refused = await store.transition(job.job_id, 'chunking_complete', { total_segments: 9 });
      // Assess
      expect(applied.applied && applied.job).toMatchObject({ status: 'chunking_complete', total_segments: 7 });
      expect(refused.applied).toBe(false);
      expect(await store.get(job.job_id)).toMatchObject({ status: 'chunking_complete', total_segments: 7 });
    });

    it.each(['created', 'chunking_in_progress', 'chunking_complete'] as const)(
      'fails a %s job with a readable reason',
      async (from) => {
        // Prepare
        const { store } = fixture();
        const job = await jobIn(from);
        // Act
        const outcome = await store.transition(job.job_id, 'failed', { error: 'the upload is not a video' });
        // Assess
        expect(outcome.applied).toBe(true);
        expect(await store.get(job.job_id)).toMatchObject({ status: 'failed', error: 'the upload is not a video' });
      },
    );

    it('lists unfinished jobs newest created_at first, page by page, without finished ones', async () => {
      // Prepare
      const { store } = fixture();
      const base = 1_700_000_000_000;
      const unfinished = [
        await jobIn('created', { created_at: base + 1 }),
        await jobIn('chunking_complete', { created_at: base + 5 }),
        await jobIn('chunking_in_progress', { created_at: base + 3 }),
        await jobIn('created', { created_at: base + 4 }),
        await jobIn('chunking_in_progress', { created_at: base + 2 }),
      ];
      await jobIn('completed', { created_at: base + 6 });
      await jobIn('failed', { created_at: base + 7 });
      // Act
      const { ids, pageSizes } = await collectPages((options) => store.listInProgress(options), 2);
      // Assess
      const newestFirst = [...unfinished].sort((a, b) => b.created_at - a.created_at).map((job) => job.job_id);
      expect(ids).toEqual(newestFirst);
      expect(pageSizes.slice(0, 2)).toEqual([2, 2]);
    });

    it('lists completed jobs newest completed_at first, page by page', async () => {
      // Prepare
      const { store } = fixture();
      const base = 1_700_000_000_000;
      const early = await jobIn('completed', { created_at: base + 3, completed_at: base + 10 });
      const late = await jobIn('completed', { created_at: base + 1, completed_at: base + 30 });
      const middle = await jobIn('completed', { created_at: base + 2, completed_at: base + 20 });
      await jobIn('chunking_complete', { created_at: base + 4 });
      // Act
      const { ids } = await collectPages((options) => store.listCompleted(options), 2);
      // Assess
      expect(ids).toEqual([late.job_id, middle.job_id, early.job_id]);
    });

    it('lists failed jobs newest created_at first', async () => {
      // Prepare
      const { store } = fixture();
      const base = 1_700_000_000_000;
      const older = await jobIn('failed', { created_at: base + 1 });
      const newer = await jobIn('failed', { created_at: base + 2 });
      await jobIn('created', { created_at: base + 3 });
      // Act
      const { ids } = await collectPages((options) => store.listFailed(options), 1);
      // Assess
      expect(ids).toEqual([newer.job_id, older.job_id]);
    });

    it('a page that holds the rest has no cursor; an empty list is one empty page', async () => {
      // Prepare
      const { store } = fixture();
      const empty = await store.listInProgress({ limit: 10 });
      await jobIn('created');
      // Act
      const page = await store.listInProgress({ limit: 10 });
      // Assess
      expect(empty.items).toEqual([]);
      expect(empty.cursor).toBeUndefined();
      expect(page.items).toHaveLength(1);
      expect(page.cursor).toBeUndefined();
    });

    it('deletes a job', async () => {
      // Prepare
      const { store } = fixture();
      const job = await jobIn('failed');
      // Act
      await store.delete(job.job_id);
      // Assess
      expect(await store.get(job.job_id)).toBeUndefined();
      expect((await store.listFailed({ limit: 10 })).items).toEqual([]);
    });
  });
}
