import { forJob, logJobError, type Logger } from '@stereo-spot/logging';
import { INPUT_PREFIX, parseInputKey, type Job, type JobId } from '@stereo-spot/shared-types';
import type { Clock } from '../ports/clock';
import type { PipelinePorts } from '../ports/platform';
import type { Queue } from '../ports/queue';
import { failJob } from './fail-job';
import { recoverChunking } from './recover-chunking';
import { triggerIfComplete } from './reassembly-trigger';
import { pause } from '../pause';
import { removeDeadScratchDirs } from './scratch';

export interface JanitorDeps extends Pick<
  PipelinePorts,
  'jobs' | 'inputStorage' | 'segmentCompletions' | 'reassemblyTriggered'
> {
  readonly reassemblyQueue: Queue;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Scratch root of the workers on this machine: folders of dead workers are removed each sweep. */
  readonly scratchDir?: string;
}

export interface JanitorSettings {
  /**
   * How long a job (or its reassembly trigger) must have been left untouched before the janitor
   * acts: longer than one chunking attempt, so a live worker is never overtaken.
   */
  readonly graceMs: number;
  /** A job unfinished this long after creation is marked `failed`. */
  readonly maxAgeMs: number;
  /**
   * The upload (`input/{job_id}/source.mp4`) of a completed or failed job is deleted this long
   * after the job finished: the lifecycle of `input/` (S3 expires it on AWS as well). Undefined
   * keeps uploads.
   */
  readonly inputRetentionMs?: number;
}

/** 15 minutes of grace (the chunking queue's visibility timeout), 24 hours of maximum age. */
export const DEFAULT_JANITOR_SETTINGS: JanitorSettings = { graceMs: 15 * 60_000, maxAgeMs: 24 * 3_600_000 };

export type JanitorAction =
  | { readonly jobId: JobId; readonly action: 'recovered-chunking'; readonly totalSegments: number }
  | { readonly jobId: JobId; readonly action: 'triggered-reassembly' }
  | { readonly jobId: JobId; readonly action: 'failed'; readonly reason: string }
  | { readonly jobId: JobId; readonly action: 'deleted-input'; readonly key: string }
  | { readonly jobId: JobId; readonly action: 'error'; readonly error: unknown };

const PAGE_SIZE = 100;

/**
 * One sweep over the unfinished jobs, healing the stuck states the runbook describes. Every
 * write is one of the pipeline's own conditional writes, so several janitors (one per
 * media-worker) and the live workers can never fight: at most one of them applies.
 *  - `chunking_in_progress`, idle past the grace, every segment uploaded: the chunking recovery.
 *  - `chunking_complete`, every completion there, no reassembly trigger (or a trigger nobody
 *    started past the grace): the reassembly trigger.
 *  - any unfinished job older than `maxAgeMs`: `failed` with the reason.
 */
export async function sweepStuckJobs(deps: JanitorDeps, settings: JanitorSettings): Promise<JanitorAction[]> {
  const actions: JanitorAction[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.jobs.listInProgress({ limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    for (const job of page.items) {
      try {
        const action = await sweepJob(deps, settings, job);
        if (action !== undefined) actions.push(action);
      } catch (error) {
        logJobError(deps.logger, { jobId: job.job_id }, error, 'janitor: sweep of the job failed');
        actions.push({ jobId: job.job_id, action: 'error', error });
      }
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  if (settings.inputRetentionMs !== undefined) actions.push(...(await expireFinishedInputs(deps, settings.inputRetentionMs)));
  return actions;
}

/**
 * Deletes the uploads of jobs that finished (`completed` or `failed`) at least `retentionMs` ago.
 * Walks the uploads, not the jobs, so the work is bounded by what is still stored. An upload
 * whose job is unfinished, or gone, is left alone (deleting a job removes its upload itself).
 */
export async function expireFinishedInputs(
  deps: Pick<JanitorDeps, 'jobs' | 'inputStorage' | 'clock' | 'logger'>,
  retentionMs: number,
): Promise<JanitorAction[]> {
  const actions: JanitorAction[] = [];
  const now = deps.clock.now();
  for (const object of await deps.inputStorage.list(INPUT_PREFIX)) {
    const parsed = parseInputKey(object.key);
    if (!parsed.ok) continue;
    const { jobId } = parsed.value;
    try {
      const job = await deps.jobs.get(jobId);
      if (job === undefined || (job.status !== 'completed' && job.status !== 'failed')) continue;
      if (now - (job.updated_at ?? job.created_at) < retentionMs) continue;
      await deps.inputStorage.delete(object.key);
      forJob(deps.logger, { jobId }).info(
        { key: object.key, status: job.status },
        `janitor: deleted the upload of a ${job.status} job`,
      );
      actions.push({ jobId, action: 'deleted-input', key: object.key });
    } catch (error) {
      logJobError(deps.logger, { jobId }, error, 'janitor: deleting the upload failed');
      actions.push({ jobId, action: 'error', error });
    }
  }
  return actions;
}

async function sweepJob(
  deps: JanitorDeps,
  settings: JanitorSettings,
  job: Job,
): Promise<JanitorAction | undefined> {
  const now = deps.clock.now();
  const jobId = job.job_id;
  const log = forJob(deps.logger, { jobId });
  if (now - job.created_at > settings.maxAgeMs) {
    const reason = `not finished ${Math.round(settings.maxAgeMs / 60_000)} minutes after creation (stuck in ${job.status}); failed by the janitor`;
    log.warn({ status: job.status }, 'janitor: job exceeded its maximum age');
    return (await failJob(deps, jobId, reason)) ? { jobId, action: 'failed', reason } : undefined;
  }
  if (now - (job.updated_at ?? job.created_at) < settings.graceMs) return undefined;

  if (job.status === 'chunking_in_progress') {
    const recovery = await recoverChunking(deps, jobId);
    if (recovery.outcome !== 'recovered') return undefined;
    log.warn({ total_segments: recovery.totalSegments }, 'janitor: recovered a stuck chunking');
    return { jobId, action: 'recovered-chunking', totalSegments: recovery.totalSegments };
  }
  if (job.status === 'chunking_complete' && job.total_segments !== undefined) {
    if ((await deps.segmentCompletions.count(jobId)) !== job.total_segments) return undefined;
    const lock = await deps.reassemblyTriggered.get(jobId);
    const neverTriggered = lock === undefined;
    const triggerLost =
      lock !== undefined && lock.reassembly_started_at === undefined && now - lock.triggered_at >= settings.graceMs;
    if (!neverTriggered && !triggerLost) return undefined;
    const decision = await triggerIfComplete(deps, jobId);
    if (decision.decision !== 'sent') return undefined;
    log.warn({ lock: decision.lock }, 'janitor: triggered a reassembly that was never triggered');
    return { jobId, action: 'triggered-reassembly' };
  }
  return undefined;
}

export interface JanitorLoopOptions extends JanitorSettings {
  readonly intervalMs: number;
  readonly signal: AbortSignal;
}

/** Sweeps every `intervalMs` until `signal` fires; a failed sweep is logged and retried next time. */
export async function runJanitor(deps: JanitorDeps, options: JanitorLoopOptions): Promise<void> {
  deps.logger.info(
    {
      interval_ms: options.intervalMs,
      grace_ms: options.graceMs,
      max_age_ms: options.maxAgeMs,
      input_retention_ms: options.inputRetentionMs ?? null,
    },
    'janitor started',
  );
  while (!options.signal.aborted) {
    try {
      await sweepStuckJobs(deps, options);
    } catch (error) {
      deps.logger.error({ err: error }, 'janitor: sweep failed; retrying at the next interval');
    }
    if (deps.scratchDir !== undefined) await sweepScratch(deps.scratchDir, deps.logger);
    await pause(options.intervalMs, options.signal);
  }
  deps.logger.info('janitor stopped');
}


/** Removes dead workers' scratch folders; a failure is logged and tried again next sweep. */
export async function sweepScratch(scratchDir: string, logger: Logger): Promise<string[]> {
  try {
    const removed = await removeDeadScratchDirs(scratchDir);
    if (removed.length > 0) {
      logger.warn({ scratch_dir: scratchDir, removed }, `removed ${removed.length} scratch folder(s) of dead workers`);
    }
    return removed;
  } catch (error) {
    logger.warn({ err: error, scratch_dir: scratchDir }, 'could not sweep the scratch folder');
    return [];
  }
}
