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
 * One change of the SegmentCompletions table as the reassembly trigger sees it (the DynamoDB
 * stream record, reduced to what the decision needs).
 */
export interface SegmentCompletionChange {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly jobId: JobId;
  readonly segmentIndex: number;
  /** Stable id of the change record (stream sequence number) for batch-item-failure reporting. */
  readonly sequenceNumber: string;
}
