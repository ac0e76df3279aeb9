import {
  canTransition,
  type Job,
  type JobId,
  type JobStatus,
  type ReassemblyTriggered,
  type SegmentCompletion,
} from '@stereo-spot/shared-types';
import { JobAlreadyExistsError } from '../errors';
import type { Clock } from '../ports/clock';
import type { JobStore, JobTransitionPatch, ListOptions, Page, TransitionOutcome } from '../ports/job-store';
import type { ReassemblyTriggeredStore } from '../ports/reassembly-triggered';
import type { SegmentCompletionStore } from '../ports/segment-completions';

// Every read hands out a copy, as a database would: a caller mutating what it read changes nothing stored.

/** The JobStore in a Map (tests may read and seed `jobs` directly). */
export class MemoryJobStore implements JobStore {
  readonly jobs = new Map<string, Job>();
  constructor(private readonly clock: Clock) {}

  async create(job: Job): Promise<void> {
    if (this.jobs.has(job.job_id)) throw new JobAlreadyExistsError(job.job_id);
    this.jobs.set(job.job_id, { ...job });
  }
  async get(jobId: JobId): Promise<Job | undefined> {
    const job = this.jobs.get(jobId);
    return job && { ...job };
  }
  async transition(jobId: JobId, to: JobStatus, patch: JobTransitionPatch = {}): Promise<TransitionOutcome> {
    const current = this.jobs.get(jobId);
    if (current === undefined || !canTransition(current.status, to)) {
      return { applied: false, current: current && { ...current } };
    }
    const next: Job = { ...current, ...patch, status: to, updated_at: this.clock.now() };
    this.jobs.set(jobId, next);
    return { applied: true, job: { ...next } };
  }
  private page(filter: (job: Job) => boolean, by: (job: Job) => number, options: ListOptions): Page<Job> {
    const all = [...this.jobs.values()].filter(filter).sort((a, b) => by(b) - by(a));
    const start = options.cursor === undefined ? 0 : Number(options.cursor);
    const items = all.slice(start, start + options.limit).map((job) => ({ ...job }));
    const next = start + options.limit;
    return next < all.length ? { items, cursor: String(next) } : { items };
  }
  async listInProgress(options: ListOptions): Promise<Page<Job>> {
    return this.page(
      (j) => j.status !== 'completed' && j.status !== 'failed',
      (j) => j.created_at,
      options,
    );
  }
  async listCompleted(options: ListOptions): Promise<Page<Job>> {
    return this.page(
      (j) => j.status === 'completed',
      (j) => j.completed_at ?? 0,
      options,
    );
  }
  async listFailed(options: ListOptions): Promise<Page<Job>> {
    return this.page(
      (j) => j.status === 'failed',
      (j) => j.created_at,
      options,
    );
  }
  async delete(jobId: JobId): Promise<void> {
    this.jobs.delete(jobId);
  }
}

/** SegmentCompletions in a Map keyed `job_id/segment_index`; `puts` counts every write. */
export class MemoryCompletions implements SegmentCompletionStore {
  readonly items = new Map<string, SegmentCompletion>();
  puts = 0;
  async put(completion: SegmentCompletion): Promise<void> {
    this.puts += 1;
    this.items.set(`${completion.job_id}/${completion.segment_index}`, { ...completion });
  }
  async count(jobId: JobId): Promise<number> {
    return (await this.list(jobId)).length;
  }
  async list(jobId: JobId): Promise<SegmentCompletion[]> {
    return [...this.items.values()]
      .filter((c) => c.job_id === jobId)
      .sort((a, b) => a.segment_index - b.segment_index)
      .map((c) => ({ ...c }));
  }
  async deleteForJob(jobId: JobId): Promise<void> {
    for (const [key, c] of this.items) if (c.job_id === jobId) this.items.delete(key);
  }
}

/** ReassemblyTriggered locks in a Map keyed by job id. */
export class MemoryLocks implements ReassemblyTriggeredStore {
  readonly locks = new Map<string, ReassemblyTriggered>();
  async tryCreate(lock: ReassemblyTriggered): Promise<boolean> {
    if (this.locks.has(lock.job_id)) return false;
    this.locks.set(lock.job_id, { ...lock });
    return true;
  }
  async get(jobId: JobId): Promise<ReassemblyTriggered | undefined> {
    const lock = this.locks.get(jobId);
    return lock && { ...lock };
  }
  async tryStart(jobId: JobId, now: number, staleAfterMs: number): Promise<boolean> {
    const lock = this.locks.get(jobId);
    if (lock === undefined) return false;
    if (lock.reassembly_started_at !== undefined && now - lock.reassembly_started_at < staleAfterMs)
      return false;
    this.locks.set(jobId, { ...lock, reassembly_started_at: now });
    return true;
  }
  async delete(jobId: JobId): Promise<void> {
    this.locks.delete(jobId);
  }
}
