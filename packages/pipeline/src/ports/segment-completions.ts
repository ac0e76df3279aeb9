import type { JobId, JobStatus, SegmentCompletion } from '@stereo-spot/shared-types';

export interface SegmentCompletionStore {
  /** Idempotent: writing the same (job_id, segment_index) again replaces it, never duplicates. */
  put(completion: SegmentCompletion): Promise<void>;
  /** Strongly consistent count for the job. */
  count(jobId: JobId): Promise<number>;
  /** All completions of the job in segment_index order. */
  list(jobId: JobId): Promise<SegmentCompletion[]>;
  deleteForJob(jobId: JobId): Promise<void>;
}

/** What a change did to the record it reports. */
export type ChangeKind = 'inserted' | 'changed' | 'removed';

interface RecordChange {
  readonly kind: ChangeKind;
  readonly jobId: JobId;
  /**
   * Where the change sits in its feed, opaque to the core (a stream sequence number, a row id):
   * handed back in `failedPositions` to say which changes to deliver again.
   */
  readonly position: string;
}

/** A SegmentCompletions write (or removal). */
export interface SegmentCompletionChange extends RecordChange {
  readonly subject: 'segment-completion';
  readonly segmentIndex: number;
}

/**
 * A Jobs write: the status before and after. However the job got there (media-worker, recovery
 * script, an operator's update-item), entering `chunking_complete` can complete it.
 */
export interface JobStatusChange extends RecordChange {
  readonly subject: 'job';
  readonly oldStatus?: JobStatus;
  readonly newStatus?: JobStatus;
}

/** A change the reassembly trigger reacts to. */
export type TriggerChange = SegmentCompletionChange | JobStatusChange;

/** The reply to a batch of changes: the positions of the changes to deliver again. */
export interface ChangeBatchOutcome {
  readonly failedPositions: readonly string[];
}

/** What a change feed hands its batches to (in feed order, at least once). */
export type TriggerChangeHandler = (changes: readonly TriggerChange[]) => Promise<ChangeBatchOutcome>;
