import { forJob, type Logger } from '@stereo-spot/logging';
import { parseSegmentKey, segmentsPrefix, type JobId } from '@stereo-spot/shared-types';
import type { PipelinePorts } from '../ports/platform';

export interface RecoverChunkingDeps extends Pick<PipelinePorts, 'jobs' | 'inputStorage'> {
  readonly logger: Logger;
}

export type ChunkingRecovery =
  | { readonly outcome: 'recovered'; readonly totalSegments: number }
  | {
      readonly outcome: 'refused';
      readonly reason: string;
      /** Segment indices absent from `segments/{job_id}/`, when that is the reason. */
      readonly missing?: readonly number[];
    };

/**
 * The runbook's chunking recovery: a job stuck in `chunking_in_progress` whose worker died after
 * uploading every segment but before its final update. Derives `total_segments` from the segment
 * keys (all must agree, indices 0..total-1 all present) and applies the same single conditional
 * update the chunking step would have made. Refuses, with the reason, in every other case.
 */
export async function recoverChunking(deps: RecoverChunkingDeps, jobId: JobId): Promise<ChunkingRecovery> {
  const log = forJob(deps.logger, { jobId });
  const refuse = (reason: string, missing?: number[]): ChunkingRecovery => {
    log.warn({ reason }, `chunking recovery refused: ${reason}`);
    return { outcome: 'refused', reason, ...(missing !== undefined ? { missing } : {}) };
  };

  const job = await deps.jobs.get(jobId);
  if (job === undefined) return refuse('job not found');
  if (job.status !== 'chunking_in_progress') {
    return refuse(`status is ${job.status}; only a chunking_in_progress job can be recovered`);
  }

  const objects = await deps.inputStorage.list(segmentsPrefix(jobId));
  if (objects.length === 0) return refuse(`no objects under ${segmentsPrefix(jobId)}`);
  const totals = new Set<number>();
  const indices = new Set<number>();
  for (const object of objects) {
    const parsed = parseSegmentKey(object.key);
    if (!parsed.ok) return refuse(parsed.error.message);
    totals.add(parsed.value.totalSegments);
    indices.add(parsed.value.segmentIndex);
  }
  if (totals.size !== 1)
    return refuse(`segment keys disagree on total_segments: ${[...totals].sort().join(', ')}`);
  const [totalSegments] = [...totals] as [number];
  const missing: number[] = [];
  for (let index = 0; index < totalSegments; index += 1) if (!indices.has(index)) missing.push(index);
  if (missing.length > 0) {
    return refuse(`${missing.length} of ${totalSegments} segment(s) are missing`, missing);
  }

  const outcome = await deps.jobs.transition(jobId, 'chunking_complete', { total_segments: totalSegments });
  if (!outcome.applied) return refuse(`status changed to ${outcome.current?.status ?? 'gone'} meanwhile`);
  log.info({ total_segments: totalSegments }, 'chunking recovered: chunking_complete');
  return { outcome: 'recovered', totalSegments };
}
