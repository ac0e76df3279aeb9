import type { Job, JobId, JobStatus } from '@stereo-spot/shared-types';

/** Fields a status transition may set together with the status, in the same conditional write. */
export interface JobTransitionPatch {
  readonly total_segments?: number;
  readonly completed_at?: number;
  readonly error?: string;
}

export type TransitionOutcome =
  | { readonly applied: true; readonly job: Job }
  /** The condition failed: `current` is the job as it is now (undefined when it does not exist). */
  | { readonly applied: false; readonly current: Job | undefined };

export interface Page<T> {
  readonly items: readonly T[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  readonly cursor?: string;
}

export interface ListOptions {
  readonly limit: number;
  readonly cursor?: string;
}

export interface JobStore {
  /** Throws JobAlreadyExistsError when the id is taken. */
  create(job: Job): Promise<void>;
  get(jobId: JobId): Promise<Job | undefined>;
  /**
   * One conditional write: applies only when the job's current status may go to `to`
   * (shared-types `canTransition`). Sets `updated_at` and the patch fields atomically with the
   * status. Moving to `chunking_complete` with `total_segments` is THE single atomic update the
   * chunking step ends with.
   */
  transition(jobId: JobId, to: JobStatus, patch?: JobTransitionPatch): Promise<TransitionOutcome>;
  /** Jobs not yet completed or failed, newest `created_at` first. */
  listInProgress(options: ListOptions): Promise<Page<Job>>;
  /** Completed jobs, newest `completed_at` first. */
  listCompleted(options: ListOptions): Promise<Page<Job>>;
  /** Failed jobs, newest `created_at` first. */
  listFailed(options: ListOptions): Promise<Page<Job>>;
  delete(jobId: JobId): Promise<void>;
}
