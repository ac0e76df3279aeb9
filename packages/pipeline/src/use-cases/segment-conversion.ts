import { forJob } from '@stereo-spot/logging';
import { segmentKey, segmentOutputKey, type SegmentRef } from '@stereo-spot/shared-types';
import type { Clock } from '../ports/clock';
import type { PipelinePorts } from '../ports/platform';
import type { StereoInference } from '../ports/stereo-inference';
import { isObjectExists } from '../errors';
import type { WorkContext } from '../work-context';
import type { ObjectEvents } from '../ports/object-events';
import { forEachCreated } from './messages';

export interface SegmentConversionDeps extends Pick<
  PipelinePorts,
  'jobs' | 'segmentCompletions' | 'outputStorage'
> {
  readonly inference: StereoInference;
  readonly clock: Clock;
}

export interface SegmentWorkContext extends WorkContext {
  /** 0..1 within the segment being converted. */
  readonly onProgress?: (ref: SegmentRef, fraction: number) => void;
}

export type SegmentOutcome =
  | { readonly ref: SegmentRef; readonly outcome: 'converted'; readonly seconds: number }
  | { readonly ref: SegmentRef; readonly outcome: 'already-converted' }
  | { readonly ref: SegmentRef; readonly outcome: 'skipped'; readonly reason: string };

/**
 * A video-worker message (objects created: `segments/{job_id}/{i}_{n}_{mode}.mp4`): converts
 * the segment with the job's mode and stereo parameters into `jobs/{job_id}/segments/{i}.mp4` and
 * records the SegmentCompletion. A segment whose output already exists is not converted again;
 * its completion is (re)written, which is idempotent. Before each write the worker confirms it
 * still owns the message (`assertLease`); the output is written create-only, so a worker that
 * lost the race to another delivery writes neither the output nor the completion.
 */
export async function handleSegmentMessage(
  deps: SegmentConversionDeps,
  events: ObjectEvents,
  context: SegmentWorkContext,
): Promise<SegmentOutcome[]> {
  return forEachCreated(events, 'segment', ({ kind: _kind, ...ref }) => convertSegment(deps, ref, context));
}

async function convertSegment(
  deps: SegmentConversionDeps,
  ref: SegmentRef,
  context: SegmentWorkContext,
): Promise<SegmentOutcome> {
  const log = forJob(context.logger, { jobId: ref.jobId, segmentIndex: ref.segmentIndex });
  const skip = (reason: string): SegmentOutcome => {
    log.info({ reason }, `segment skipped: ${reason}`);
    return { ref, outcome: 'skipped', reason };
  };

  const job = await deps.jobs.get(ref.jobId);
  if (job === undefined) return skip('job not found (deleted?)');
  if (job.status !== 'chunking_in_progress' && job.status !== 'chunking_complete') {
    return skip(`status is ${job.status}`);
  }

  const outputKey = segmentOutputKey(ref.jobId, ref.segmentIndex);
  const existing = await deps.outputStorage.head(outputKey);
  if (existing !== undefined) {
    await recordCompletion(deps, context, ref, undefined);
    log.info('segment already converted: completion recorded again');
    return { ref, outcome: 'already-converted' };
  }

  log.info({ mode: job.mode, total_segments: ref.totalSegments }, 'converting segment');
  const started = deps.clock.now();
  let result;
  try {
    result = await deps.inference.convertSegment({
      jobId: ref.jobId,
      segmentIndex: ref.segmentIndex,
      inputKey: segmentKey(ref),
      outputKey,
      mode: job.mode,
      stereo: job.stereo,
      ...(context.signal !== undefined ? { signal: context.signal } : {}),
      ...(context.assertLease !== undefined ? { assertLease: context.assertLease } : {}),
      ...(context.onProgress !== undefined
        ? { onProgress: (fraction: number) => context.onProgress?.(ref, fraction) }
        : {}),
    });
  } catch (error) {
    // Another delivery published the output first; it records the completion itself.
    if (isObjectExists(error)) return skip('another delivery published the output first');
    throw error;
  }
  await recordCompletion(deps, context, ref, result.frames);
  const seconds = (deps.clock.now() - started) / 1000;
  log.info(
    { seconds, frames: result.frames, backend: deps.inference.name },
    `segment converted in ${seconds.toFixed(1)} s`,
  );
  return { ref, outcome: 'converted', seconds };
}

/** Writes the segment's completion, once this worker has confirmed it still owns the message. */
async function recordCompletion(
  deps: SegmentConversionDeps,
  context: SegmentWorkContext,
  ref: SegmentRef,
  frames: number | undefined,
): Promise<void> {
  await context.assertLease?.();
  await deps.segmentCompletions.put({
    job_id: ref.jobId,
    segment_index: ref.segmentIndex,
    output_key: segmentOutputKey(ref.jobId, ref.segmentIndex),
    completed_at: deps.clock.now(),
    ...(frames !== undefined ? { frames } : {}),
  });
}
