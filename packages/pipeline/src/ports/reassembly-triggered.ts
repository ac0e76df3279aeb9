import type { JobId, ReassemblyTriggered } from '@stereo-spot/shared-types';

/**
 * The ReassemblyTriggered records (one table): written once when a job's reassembly is triggered,
 * then the reassembly's start lock. At most one trigger and one running reassembly per job.
 */
export interface ReassemblyTriggeredStore {
  /** Conditional create (`attribute_not_exists(job_id)`). True when this call created it. */
  tryCreate(record: ReassemblyTriggered): Promise<boolean>;
  get(jobId: JobId): Promise<ReassemblyTriggered | undefined>;
  /**
   * Conditional "start": sets `reassembly_started_at = now` when it is unset, or when it is older
   * than `staleAfterMs` (the previous worker died). True when this caller may reassemble.
   */
  tryStart(jobId: JobId, now: number, staleAfterMs: number): Promise<boolean>;
  delete(jobId: JobId): Promise<void>;
}
