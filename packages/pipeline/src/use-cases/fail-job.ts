import { forJob, type Logger } from '@stereo-spot/logging';
import type { JobId } from '@stereo-spot/shared-types';
import type { PipelinePorts } from '../ports/platform';

export interface FailJobDeps extends Pick<PipelinePorts, 'jobs'> {
  readonly logger: Logger;
}

/**
 * Marks a job `failed` with a human-readable reason (one conditional write from any unfinished
 * status). A job that is already finished or gone is left as it is. Returns whether it changed.
 */
export async function failJob(deps: FailJobDeps, jobId: JobId, reason: string): Promise<boolean> {
  const log = forJob(deps.logger, { jobId });
  const outcome = await deps.jobs.transition(jobId, 'failed', { error: reason });
  if (outcome.applied) {
    log.warn({ reason }, `job failed: ${reason}`);
    return true;
  }
  log.info(
    { status: outcome.current?.status ?? 'gone', reason },
    'job not marked failed: already finished or gone',
  );
  return false;
}
