import {
  finalKey,
  outputFileName,
  type Job,
  type JobProgress,
  type JobView,
} from '@stereo-spot/shared-types';
import type { PipelinePorts } from '../ports/platform';

export interface JobViewDeps extends Pick<PipelinePorts, 'segmentCompletions' | 'outputStorage'> {
  /** How long the download and playback URLs of a completed job stay valid. */
  readonly downloadUrlTtlSeconds: number;
}

/** Overall progress: chunking is a small share, converting segments most of it, joining the rest. */
export function jobProgress(job: Job, segmentsDone: number): JobProgress {
  const total = job.total_segments;
  const base = { segments_done: segmentsDone, ...(total !== undefined ? { total_segments: total } : {}) };
  switch (job.status) {
    case 'created':
      return { ...base, stage: 'waiting for upload', fraction: 0 };
    case 'chunking_in_progress':
      return { ...base, stage: 'splitting into segments', fraction: 0.05 };
    case 'chunking_complete': {
      if (total === undefined || segmentsDone < total) {
        const share = total === undefined ? 0 : segmentsDone / total;
        return {
          ...base,
          stage: 'converting segments',
          fraction: Math.round((0.1 + 0.8 * share) * 1000) / 1000,
        };
      }
      return { ...base, stage: 'joining segments', fraction: 0.95 };
    }
    case 'completed':
      return { ...base, stage: 'completed', fraction: 1 };
    case 'failed':
      return { ...base, stage: 'failed', fraction: 0 };
  }
}

/**
 * What the API and the pages show for a job: the record, its progress (segments done from the
 * completions count) and, once completed, presigned playback and download URLs, the download
 * named with the VR players' suffix.
 */
export async function describeJob(deps: JobViewDeps, job: Job): Promise<JobView> {
  const segmentsDone =
    job.status === 'completed'
      ? (job.total_segments ?? 0)
      : job.status === 'chunking_complete' || job.status === 'failed'
        ? await deps.segmentCompletions.count(job.job_id)
        : 0;
  const view: JobView = { ...job, progress: jobProgress(job, segmentsDone) };
  if (job.status !== 'completed') return view;

  const downloadFileName = outputFileName(job.source_file_name, job.mode);
  const [download, playback] = await Promise.all([
    deps.outputStorage.presignGet(finalKey(job.job_id), {
      expiresInSeconds: deps.downloadUrlTtlSeconds,
      downloadFileName,
    }),
    deps.outputStorage.presignGet(finalKey(job.job_id), { expiresInSeconds: deps.downloadUrlTtlSeconds }),
  ]);
  return {
    ...view,
    download_url: download.url,
    playback_url: playback.url,
    download_file_name: downloadFileName,
  };
}
