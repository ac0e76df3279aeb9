import path from 'node:path';
import { forJob, type Logger } from '@stereo-spot/logging';
import {
  finalKey,
  inputKey,
  newReassemblyTriggered,
  type JobId,
  type SegmentCompletion,
} from '@stereo-spot/shared-types';
import type { Clock } from '../ports/clock';
import type { MediaProcessor } from '../ports/media-processor';
import type { PipelinePorts } from '../ports/platform';
import type { WorkContext } from '../work-context';
import { isObjectExists, ReassemblyBusyError, SegmentsMissingError, SourceMissingError } from '../errors';
import { inBatches } from '../in-batches';
import { parseReassemblyBody } from './messages';
import { withScratchDir } from './scratch';

export interface ReassemblyDeps extends Pick<
  PipelinePorts,
  'jobs' | 'segmentCompletions' | 'reassemblyTriggered' | 'inputStorage' | 'outputStorage'
> {
  readonly media: MediaProcessor;
  readonly clock: Clock;
  readonly scratchDir: string;
  /**
   * A start lock older than this belongs to a worker that died; another may take over. Use the
   * reassembly queue's visibility timeout: a message only comes back after that long.
   */
  readonly staleAfterMs: number;
}

/** Downloads (segments and source) running at the same time while reassembling. */
const PARALLEL_DOWNLOADS = 4;

export type ReassemblyOutcome =
  | { readonly jobId: JobId; readonly outcome: 'reassembled'; readonly segments: number }
  | { readonly jobId: JobId; readonly outcome: 'status-repaired' }
  | { readonly jobId: JobId; readonly outcome: 'skipped'; readonly reason: string };

/**
 * A reassembly message `{"job_id"}`: takes the per-job start lock, lists the completions from the
 * table (never by listing objects), checks every converted segment exists, concatenates them in
 * index order with the source's audio (+faststart), uploads `jobs/{job_id}/final.mp4` and sets
 * `completed` + `completed_at`. When final.mp4 already exists it only repairs the status.
 */
export async function handleReassemblyMessage(
  deps: ReassemblyDeps,
  body: string,
  context: WorkContext,
): Promise<ReassemblyOutcome> {
  const jobId = parseReassemblyBody(body);
  const log = forJob(context.logger, { jobId });
  const skip = (reason: string): ReassemblyOutcome => {
    log.info({ reason }, `reassembly skipped: ${reason}`);
    return { jobId, outcome: 'skipped', reason };
  };

  const job = await deps.jobs.get(jobId);
  if (job === undefined) return skip('job not found (deleted?)');
  if (job.status !== 'chunking_complete') return skip(`status is ${job.status}`);
  const totalSegments = job.total_segments;
  if (totalSegments === undefined) return skip('total_segments is not set');

  const final = await deps.outputStorage.head(finalKey(jobId));
  if (final !== undefined) {
    const repaired = await markCompleted(deps, jobId, log);
    log.info('final.mp4 already exists: only the status was repaired');
    return repaired ? { jobId, outcome: 'status-repaired' } : skip('job changed meanwhile');
  }

  if (!(await takeStartLock(deps, jobId))) throw new ReassemblyBusyError(jobId);
  log.info({ total_segments: totalSegments }, 'reassembly started');

  const completions = await deps.segmentCompletions.list(jobId);
  const ordered = inIndexOrder(jobId, completions, totalSegments);
  const missingObjects: number[] = [];
  for (const completion of ordered) {
    if ((await deps.outputStorage.head(completion.output_key)) === undefined) {
      missingObjects.push(completion.segment_index);
    }
  }
  if (missingObjects.length > 0)
    throw new SegmentsMissingError(jobId, missingObjects, 'converted segment objects');
  if ((await deps.inputStorage.head(inputKey(jobId))) === undefined) throw new SourceMissingError(jobId);

  const published = await withScratchDir(deps.scratchDir, `reassemble-${jobId}`, async (dir) => {
    const downloads = ordered.map((completion) => ({
      key: completion.output_key,
      file: path.join(dir, `segment-${String(completion.segment_index).padStart(5, '0')}.mp4`),
    }));
    const segmentFiles = downloads.map(({ file }) => file);
    const source = path.join(dir, 'source.mp4');
    // A few downloads at a time (the list keeps the index order whatever finishes first).
    await inBatches(
      [
        () => deps.inputStorage.downloadToFile(inputKey(jobId), source),
        ...downloads.map(({ key, file }) => () => deps.outputStorage.downloadToFile(key, file)),
      ],
      PARALLEL_DOWNLOADS,
    );
    const output = path.join(dir, 'final.mp4');
    await deps.media.concat(segmentFiles, source, output, context.signal);
    await context.assertLease?.();
    try {
      // Create-only: a worker that took over from this one may already have published it.
      await deps.outputStorage.putFile(finalKey(jobId), output, { contentType: 'video/mp4', ifAbsent: true });
      return true;
    } catch (error) {
      if (isObjectExists(error)) return false;
      throw error;
    }
  });
  if (!published) log.info('final.mp4 was published by another delivery meanwhile');

  if (!(await markCompleted(deps, jobId, log))) return skip('job changed while reassembling');
  log.info({ total_segments: totalSegments }, `reassembled ${totalSegments} segment(s) into final.mp4`);
  return { jobId, outcome: 'reassembled', segments: totalSegments };
}

/** The conditional "start"; creates the trigger lock first if an operator sent the message by hand. */
async function takeStartLock(deps: ReassemblyDeps, jobId: JobId): Promise<boolean> {
  const now = deps.clock.now();
  if (await deps.reassemblyTriggered.tryStart(jobId, now, deps.staleAfterMs)) return true;
  if ((await deps.reassemblyTriggered.get(jobId)) !== undefined) return false;
  await deps.reassemblyTriggered.tryCreate(newReassemblyTriggered(jobId, now));
  return deps.reassemblyTriggered.tryStart(jobId, now, deps.staleAfterMs);
}

function inIndexOrder(
  jobId: JobId,
  completions: readonly SegmentCompletion[],
  totalSegments: number,
): SegmentCompletion[] {
  const byIndex = new Map(completions.map((completion) => [completion.segment_index, completion]));
  const missing: number[] = [];
  const ordered: SegmentCompletion[] = [];
  for (let index = 0; index < totalSegments; index += 1) {
    const completion = byIndex.get(index);
    if (completion === undefined) missing.push(index);
    else ordered.push(completion);
  }
  if (missing.length > 0) throw new SegmentsMissingError(jobId, missing, 'SegmentCompletions');
  return ordered;
}

async function markCompleted(deps: ReassemblyDeps, jobId: JobId, log: Logger): Promise<boolean> {
  const outcome = await deps.jobs.transition(jobId, 'completed', { completed_at: deps.clock.now() });
  if (outcome.applied || outcome.current?.status === 'completed') return true;
  log.warn({ status: outcome.current?.status }, 'could not mark the job completed');
  return false;
}
