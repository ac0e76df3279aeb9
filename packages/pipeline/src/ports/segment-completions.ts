import type { JobId, SegmentCompletion } from '@stereo-spot/shared-types';

export interface SegmentCompletionStore {
  /** Idempotent: writing the same (job_id, segment_index) again replaces it, never duplicates. */
  put(completion: SegmentCompletion): Promise<void>;
  /** Strongly consistent count for the job. */
  count(jobId: JobId): Promise<number>;
  /** All completions of the job in segment_index order. */
  list(jobId: JobId): Promise<SegmentCompletion[]>;
  deleteForJob(jobId: JobId): Promise<void>;
}

/**
 * A change the reassembly trigger reacts to, reduced to what the decision needs: a
 * SegmentCompletions write, or the Job entering `chunking_complete` (from the Jobs table's stream;
 * however it got there: media-worker, recovery script, an operator's update-item).
 */
export interface TriggerChange {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly jobId: JobId;
  /** Stable id of the change record (stream sequence number) for batch-item-failure reporting. */
  readonly sequenceNumber: string;
}

/** One change of the SegmentCompletions table (the DynamoDB stream record's keys). */
export interface SegmentCompletionChange extends TriggerChange {
  readonly segmentIndex: number;
}
