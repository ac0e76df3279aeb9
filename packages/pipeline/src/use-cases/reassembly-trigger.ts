import { forJob, logJobError, type Logger } from '@stereo-spot/logging';
import { newReassemblyTriggered, type JobId, type ReassemblyMessage } from '@stereo-spot/shared-types';
import type { Clock } from '../ports/clock';
import type { PipelinePorts } from '../ports/platform';
import type { Queue } from '../ports/queue';
import type { TriggerChange } from '../ports/segment-completions';

export interface ReassemblyTriggerDeps extends Pick<
  PipelinePorts,
  'jobs' | 'segmentCompletions' | 'reassemblyTriggered'
> {
  readonly reassemblyQueue: Queue;
  readonly clock: Clock;
  readonly logger: Logger;
}

export type TriggerDecision =
  | { readonly jobId: JobId; readonly decision: 'sent'; readonly lock: 'created' | 'existed' }
  | { readonly jobId: JobId; readonly decision: 'skipped'; readonly reason: string }
  | { readonly jobId: JobId; readonly decision: 'error'; readonly error: unknown };

export interface TriggerBatchResult {
  readonly decisions: readonly TriggerDecision[];
  /** Sequence numbers of the changes to deliver again (every change of a job that errored). */
  readonly failedSequenceNumbers: readonly string[];
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
    if (change.eventName === 'REMOVE') continue;
    const sequenceNumbers = byJob.get(change.jobId) ?? [];
    sequenceNumbers.push(change.sequenceNumber);
    byJob.set(change.jobId, sequenceNumbers);
  }

  const decisions: TriggerDecision[] = [];
  const failedSequenceNumbers: string[] = [];
  for (const [jobId, sequenceNumbers] of byJob) {
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
      failedSequenceNumbers.push(...sequenceNumbers);
    }
  }
  return { decisions, failedSequenceNumbers };
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
  if (await deps.reassemblyTriggered.tryCreate(newReassemblyTriggered(jobId, deps.clock.now()))) {
    log.info('created ReassemblyTriggered');
  } else {
    const existing = await deps.reassemblyTriggered.get(jobId);
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
