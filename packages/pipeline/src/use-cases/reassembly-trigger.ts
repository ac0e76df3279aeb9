import { forJob, logJobError, type Logger } from '@stereo-spot/logging';
import { newReassemblyTriggered, type JobId, type ReassemblyMessage } from '@stereo-spot/shared-types';
import type { Clock } from '../ports/clock';
import type { PipelinePorts } from '../ports/platform';
import type { Queue } from '../ports/queue';
import type { ChangeBatchOutcome, TriggerChange } from '../ports/segment-completions';

export interface ReassemblyTriggerDeps extends Pick<
  PipelinePorts,
  'jobs' | 'segmentCompletions' | 'reassemblyLocks'
> {
  readonly reassemblyQueue: Queue;
  readonly clock: Clock;
  readonly logger: Logger;
}

export type TriggerDecision =
  | { readonly jobId: JobId; readonly decision: 'sent'; readonly lock: 'created' | 'existed' }
  | { readonly jobId: JobId; readonly decision: 'skipped'; readonly reason: string }
  | { readonly jobId: JobId; readonly decision: 'error'; readonly error: unknown };

/** The decisions, and (as `failedPositions`) every change of a job whose decision errored. */
export interface TriggerBatchResult extends ChangeBatchOutcome {
  readonly decisions: readonly TriggerDecision[];
}

/**
 * The reassembly trigger, shared by the Lambda (DynamoDB streams) and the embedded change feed:
 * reacts to SegmentCompletions writes AND to the Job entering `chunking_complete` (whichever
 * comes last completes the job; the conditional lock keeps it to one reassembly). Groups
 * the changes by job and, for each job that is `chunking_complete` with as many completions as
 * `total_segments`, takes the ReassemblyTriggered lock with a conditional create and sends
 * `{"job_id"}` to the reassembly queue.
 *
 * If the lock already exists but no worker has started reassembling, the message is sent again:
 * that is how a send that failed after the lock was taken is repaired by the next delivery (or by
 * the operator command). Duplicate reassembly messages are harmless: the worker's start lock and the
 * `completed` status make the second one a no-op.
 */
export async function decideReassemblyTriggers(
  deps: ReassemblyTriggerDeps,
  changes: readonly TriggerChange[],
): Promise<TriggerBatchResult> {
  const byJob = new Map<JobId, string[]>();
  for (const change of changes) {
    if (!canCompleteJob(change)) continue;
    const positions = byJob.get(change.jobId) ?? [];
    positions.push(change.position);
    byJob.set(change.jobId, positions);
  }

  const decisions: TriggerDecision[] = [];
  const failedPositions: string[] = [];
  for (const [jobId, positions] of byJob) {
    try {
      decisions.push(await triggerIfComplete(deps, jobId));
    } catch (error) {
      logJobError(
        deps.logger,
        { jobId },
        error,
        'reassembly trigger failed; the change will be delivered again',
      );
      decisions.push({ jobId, decision: 'error', error });
      failedPositions.push(...positions);
    }
  }
  return { decisions, failedPositions };
}

/**
 * Whether the change may be the last fact a job waited for: a completion written, or the job
 * entering `chunking_complete` (a write that leaves it there, e.g. `updated_at`, is not the entry).
 */
function canCompleteJob(change: TriggerChange): boolean {
  if (change.kind === 'removed') return false;
  if (change.subject === 'segment-completion') return true;
  return change.newStatus === 'chunking_complete' && change.oldStatus !== 'chunking_complete';
}

/** One job's decision; also what the operator's manual trigger runs. */
export async function triggerIfComplete(deps: ReassemblyTriggerDeps, jobId: JobId): Promise<TriggerDecision> {
  const log = forJob(deps.logger, { jobId });
  const skip = (reason: string): TriggerDecision => {
    log.info({ reason }, `skip: ${reason}`);
    return { jobId, decision: 'skipped', reason };
  };

  const job = await deps.jobs.get(jobId);
  if (job === undefined) return skip('job not found');
  if (job.status !== 'chunking_complete') return skip(`status ${job.status} is not chunking_complete`);
  const count = await deps.segmentCompletions.count(jobId);
  if (count !== job.total_segments) {
    return skip(`count ${count} != total_segments ${job.total_segments ?? '(unset)'}`);
  }

  log.info({ count }, 'should trigger');
  let lock: 'created' | 'existed' = 'created';
  if (await deps.reassemblyLocks.tryCreate(newReassemblyTriggered(jobId, deps.clock.now()))) {
    log.info('created ReassemblyTriggered');
  } else {
    const existing = await deps.reassemblyLocks.get(jobId);
    if (existing?.reassembly_started_at !== undefined) {
      return skip('ReassemblyTriggered exists and reassembly has started');
    }
    lock = 'existed';
    log.info('ReassemblyTriggered exists but reassembly has not started: sending again');
  }
  log.info({ queue: deps.reassemblyQueue.name }, 'sending to reassembly queue');
  const message: ReassemblyMessage = { job_id: jobId };
  await deps.reassemblyQueue.send(JSON.stringify(message));
  return { jobId, decision: 'sent', lock };
}
