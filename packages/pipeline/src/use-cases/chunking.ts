import path from 'node:path';
import { forJob, type Logger } from '@stereo-spot/logging';
import { inputKey, MAX_TOTAL_SEGMENTS, segmentKey, type Job, type JobId } from '@stereo-spot/shared-types';
import { InvalidMediaError, isObjectExists, MediaLimitError } from '../errors';
import type { MediaInfo, MediaLimits, MediaProcessor } from '../ports/media-processor';
import type { PipelinePorts } from '../ports/platform';
import type { WorkContext } from '../work-context';
import type { ObjectEvents } from '../ports/object-events';
import { forEachCreated } from './messages';
import { withScratchDir } from './scratch';

export interface ChunkingDeps extends Pick<PipelinePorts, 'jobs' | 'inputStorage'> {
  readonly media: MediaProcessor;
  /** Target segment length; segments split at the next keyframe after it. */
  readonly segmentSeconds: number;
  /** Folder for temporary media files (one sub-folder per message, removed afterwards). */
  readonly scratchDir: string;
  /** An upload above any of them fails its job (permanent) before it is split. */
  readonly limits: MediaLimits;
}

export type ChunkingOutcome =
  | { readonly jobId: JobId; readonly outcome: 'chunked'; readonly totalSegments: number }
  | { readonly jobId: JobId; readonly outcome: 'skipped'; readonly reason: string };

/**
 * A chunking-queue message (objects created: `input/{job_id}/source.mp4`): moves the job to
 * `chunking_in_progress`, splits the source into video-only keyframe-aligned segments, uploads them
 * under their canonical keys, then ends with ONE conditional update `total_segments` +
 * `chunking_complete`. Safe to run again for the same job: segments already uploaded are kept (so
 * they are not converted twice) and a job already chunked is left alone.
 */
export async function handleChunkingMessage(
  deps: ChunkingDeps,
  events: ObjectEvents,
  context: WorkContext,
): Promise<ChunkingOutcome[]> {
  return forEachCreated(events, 'input', (key) => chunkJob(deps, key.jobId, context));
}

async function chunkJob(deps: ChunkingDeps, jobId: JobId, context: WorkContext): Promise<ChunkingOutcome> {
  const log = forJob(context.logger, { jobId });
  const skip = (reason: string): ChunkingOutcome => {
    log.info({ reason }, `chunking skipped: ${reason}`);
    return { jobId, outcome: 'skipped', reason };
  };

  const job = await deps.jobs.get(jobId);
  if (job === undefined) return skip('job not found (deleted?)');
  if (job.status !== 'created' && job.status !== 'chunking_in_progress') {
    return skip(`status is ${job.status}`);
  }
  if (job.status === 'created') {
    const started = await deps.jobs.transition(jobId, 'chunking_in_progress');
    if (!started.applied && started.current?.status !== 'chunking_in_progress') {
      return skip(`status is ${started.current?.status ?? 'gone'}`);
    }
  }
  log.info({ segment_seconds: deps.segmentSeconds }, 'chunking started');

  const totalSegments = await withScratchDir(deps.scratchDir, `chunk-${jobId}`, (dir) =>
    splitAndUpload(deps, job, dir, context, log),
  );

  await context.assertLease?.();
  const done = await deps.jobs.transition(jobId, 'chunking_complete', { total_segments: totalSegments });
  if (!done.applied) {
    const current = done.current;
    if (current?.status === 'chunking_complete' && current.total_segments === totalSegments) {
      return skip('another delivery already completed chunking');
    }
    return skip(`could not mark chunking complete: status is ${current?.status ?? 'gone'}`);
  }
  log.info({ total_segments: totalSegments }, `chunking complete: ${totalSegments} segment(s)`);
  return { jobId, outcome: 'chunked', totalSegments };
}

async function splitAndUpload(
  deps: ChunkingDeps,
  job: Job,
  dir: string,
  context: WorkContext,
  log: Logger,
): Promise<number> {
  const source = path.join(dir, 'source.mp4');
  await deps.inputStorage.downloadToFile(inputKey(job.job_id), source);
  const info = await deps.media.probe(source, context.signal);
  if (!info.hasVideo) throw new InvalidMediaError('the uploaded file has no video stream');
  if (!(info.durationSeconds > 0))
    throw new InvalidMediaError('the uploaded video has no duration (no frames?)');
  assertWithinLimits(info, deps.limits);

  const { files } = await deps.media.split(
    source,
    deps.segmentSeconds,
    path.join(dir, 'segments'),
    context.signal,
  );
  if (files.length === 0) throw new InvalidMediaError('the uploaded video produced no segments (no frames?)');
  if (files.length > MAX_TOTAL_SEGMENTS) {
    throw new InvalidMediaError(
      `the video would make ${files.length} segments, more than the ${MAX_TOTAL_SEGMENTS} a job may have`,
    );
  }

  const totalSegments = files.length;
  let uploaded = 0;
  for (const [segmentIndex, file] of files.entries()) {
    const key = segmentKey({ jobId: job.job_id, segmentIndex, totalSegments, mode: job.mode });
    // An earlier delivery already uploaded it, and its notification was sent then.
    if ((await deps.inputStorage.head(key)) !== undefined) continue;
    await context.assertLease?.();
    try {
      // Create-only: a video-worker may be reading a segment another delivery uploaded.
      await deps.inputStorage.putFile(key, file, { contentType: 'video/mp4', ifAbsent: true });
    } catch (error) {
      if (isObjectExists(error)) continue;
      throw error;
    }
    uploaded += 1;
  }
  log.info(
    { total_segments: totalSegments, uploaded, duration_seconds: info.durationSeconds },
    `uploaded ${uploaded} of ${totalSegments} segment(s)`,
  );
  return totalSegments;
}

/** MediaLimitError naming the measured value and the limit, for the first limit exceeded. */
export function assertWithinLimits(info: MediaInfo, limits: MediaLimits): void {
  const { width, height, frameRate } = info;
  if (width !== undefined && height !== undefined && width * height > limits.maxPixels) {
    throw new MediaLimitError(
      `the video is ${width}x${height} (${width * height} pixels), more than the ${limits.maxPixels} pixels allowed (MAX_VIDEO_PIXELS)`,
    );
  }
  if (frameRate !== undefined && frameRate > limits.maxFrameRate) {
    throw new MediaLimitError(
      `the video has ${Math.round(frameRate * 100) / 100} frames per second, more than the ${limits.maxFrameRate} allowed (MAX_VIDEO_FRAME_RATE)`,
    );
  }
  if (info.durationSeconds > limits.maxDurationSeconds) {
    throw new MediaLimitError(
      `the video lasts ${formatDuration(info.durationSeconds)}, longer than the ${formatDuration(limits.maxDurationSeconds)} allowed (MAX_VIDEO_DURATION_SECONDS)`,
    );
  }
}

function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : m > 0 ? `${m} min ${String(s).padStart(2, '0')} s` : `${s} s`;
}
