import { forJob, logJobError, type Logger } from '@stereo-spot/logging';
import { newReassemblyTriggered, type JobId, type ReassemblyMessage } from '@stereo-spot/shared-types';
import type { Clock } from '../ports/clock';
import type { PipelinePorts } from '../ports/platform';
import type { Queue } from '../ports/queue';
import type { ChangeBatchOutcome, TriggerChange } from '../ports/segment-completions';

export interface ReassemblyTriggerDeps extends Pick<
  PipelinePorts,
  'jobs' | 'segmentCompletions' | 'reassemblyTriggered'
> {
  readonly reassemblyQueue: Queue;
  readonly clock: Clock;
  readonly logger: Logger;
}

export type TriggerDecision =
  | {
      readonly jobId: JobId;
      readonly decision: 'sent';
      /** The ReassemblyTriggered lock: taken now, found, or found with a reassembly started (forced). */
      readonly lock: 'created' | 'existed' | 'started';
    }
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
 * the operator command, which may also `force` a send after a reassembly started). Duplicate
 * reassembly messages are harmless: the worker's start lock and the
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

export type ReassemblyReadiness =
  | { readonly ready: true; readonly count: number }
  | { readonly ready: false; readonly reason: string };

/**
 * Whether the job can be reassembled: `chunking_complete` with as many completions as
 * `total_segments`. Reads only (the operator's command asks before it acts).
 */
export async function reassemblyReadiness(
  deps: Pick<ReassemblyTriggerDeps, 'jobs' | 'segmentCompletions'>,
  jobId: JobId,
): Promise<ReassemblyReadiness> {
  const job = await deps.jobs.get(jobId);
  if (job === undefined) return { ready: false, reason: 'job not found' };
  if (job.status !== 'chunking_complete') {
    return { ready: false, reason: `status ${job.status} is not chunking_complete` };
  }
  const count = await deps.segmentCompletions.count(jobId);
  if (count !== job.total_segments) {
    return { ready: false, reason: `count ${count} != total_segments ${job.total_segments ?? '(unset)'}` };
  }
  return { ready: true, count };
}

export interface TriggerOptions {
  /**
   * The operator's override: send even when a worker has started reassembling (it died and its
   * message is gone). The worker's start lock, stale after a while, still keeps it to one.
   */
  readonly force?: boolean;
}

/** One job's decision; also what the operator's `ops reassembly trigger` runs. */
export async function triggerIfComplete(
  deps: ReassemblyTriggerDeps,
  jobId: JobId,
  options: TriggerOptions = {},
): Promise<TriggerDecision> {
  const log = forJob(deps.logger, { jobId });
  const skip = (reason: string): TriggerDecision => {
    log.info({ reason }, `skip: ${reason}`);
    return { jobId, decision: 'skipped', reason };
  };

  const readiness = await reassemblyReadiness(deps, jobId);
  if (!readiness.ready) return skip(readiness.reason);

  log.info({ count: readiness.count }, 'should trigger');
  let lock: 'created' | 'existed' | 'started' = 'created';
  if (await deps.reassemblyTriggered.tryCreate(newReassemblyTriggered(jobId, deps.clock.now()))) {
    log.info('created ReassemblyTriggered');
  } else {
    const existing = await deps.reassemblyTriggered.get(jobId);
    if (existing?.reassembly_started_at === undefined) {
      lock = 'existed';
      log.info('ReassemblyTriggered exists but reassembly has not started: sending again');
    } else if (options.force === true) {
      lock = 'started';
      log.warn('ReassemblyTriggered exists and reassembly has started: sending again (forced)');
    } else {
      return skip('ReassemblyTriggered exists and reassembly has started');
    }
  }
  log.info({ queue: deps.reassemblyQueue.name }, 'sending to reassembly queue');
  const message: ReassemblyMessage = { job_id: jobId };
  await deps.reassemblyQueue.send(JSON.stringify(message));
  return { jobId, decision: 'sent', lock };
}
