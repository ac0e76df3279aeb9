import { forJob, type Logger } from '@stereo-spot/logging';
import { inputKey, jobOutputPrefix, segmentsPrefix, type JobId } from '@stereo-spot/shared-types';
import type { ObjectStorage } from '../ports/object-storage';
import type { PipelinePorts } from '../ports/platform';

export interface DeleteJobDeps extends Pick<
  PipelinePorts,
  'jobs' | 'segmentCompletions' | 'reassemblyTriggered' | 'inputStorage' | 'outputStorage'
> {
  readonly logger: Logger;
}

/**
 * Deletes a job's objects (upload, source segments, converted segments, final) and then its
 * records. The job record goes last, so a deletion interrupted half-way can simply be repeated.
 * Returns false when the job does not exist.
 */
export async function deleteJob(deps: DeleteJobDeps, jobId: JobId): Promise<boolean> {
  const job = await deps.jobs.get(jobId);
  if (job === undefined) return false;
  await deps.inputStorage.delete(inputKey(jobId));
  const removed =
    1 +
    (await deleteUnder(deps.inputStorage, segmentsPrefix(jobId))) +
    (await deleteUnder(deps.outputStorage, jobOutputPrefix(jobId)));
  await deps.segmentCompletions.deleteForJob(jobId);
  await deps.reassemblyTriggered.delete(jobId);
  await deps.jobs.delete(jobId);
  forJob(deps.logger, { jobId }).info({ objects: removed }, 'job deleted with its objects and records');
  return true;
}

async function deleteUnder(storage: ObjectStorage, prefix: string): Promise<number> {
  const objects = await storage.list(prefix);
  for (const object of objects) await storage.delete(object.key);
  return objects.length;
}
