/**
 * The state a media-worker leaves when it is killed after uploading every segment but before its
 * status update: the source under `input/`, every segment under its canonical key, the job still
 * `chunking_in_progress`, and the chunking message gone (e.g. to the DLQ), so nothing but a
 * recovery moves the job on. Segments are cut by the media-worker's own ffmpeg split.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { LocalPlatform } from '@stereo-spot/local-adapters';
import { FfmpegMediaProcessor } from '@stereo-spot/media-worker';
import { inputKey, segmentKey, type Job, type JobId } from '@stereo-spot/shared-types';
import { QUICK_PIPELINE_ENV, makeJob, makeTestClip } from '@stereo-spot/testing';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export async function stuckAfterChunking(
  platform: LocalPlatform,
  options: { readonly createdAt?: number; readonly drop?: readonly number[] } = {},
): Promise<{ job: Job; totalSegments: number }> {
  const clip = await makeTestClip({ width: 160, height: 90, seconds: 2 });
  try {
    const job = makeJob({ status: 'created', created_at: options.createdAt ?? Date.now() });
    await platform.jobs.create(job);
    await platform.inputStorage.putFile(inputKey(job.job_id), clip.path);
    await drainChunkingQueue(platform);
    await platform.jobs.transition(job.job_id, 'chunking_in_progress');
    const split = await new FfmpegMediaProcessor().split(clip.path, 1, path.join(path.dirname(clip.path), 'parts'));
    const totalSegments = split.files.length;
    for (const [segmentIndex, file] of split.files.entries()) {
      if (options.drop?.includes(segmentIndex)) continue;
      await platform.inputStorage.putFile(
        segmentKey({ jobId: job.job_id, segmentIndex, totalSegments, mode: job.mode }),
        file,
      );
    }
    return { job: (await platform.jobs.get(job.job_id)) as Job, totalSegments };
  } finally {
    await clip.remove();
  }
}

/** The chunking message of the upload is consumed: the dead worker had received it. */
async function drainChunkingQueue(platform: LocalPlatform): Promise<void> {
  const queue = platform.queues.chunking.queue;
  for (const message of await queue.receive({ maxMessages: 10, waitSeconds: 0 })) {
    await queue.delete(message.receiptHandle);
  }
}

/** `stereo-spot worker <roles...>` from the CLI's sources, as a child process. */
export function startWorkers(roles: readonly string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'apps', 'cli', 'src', 'main.ts'), 'worker', ...roles], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function waitForStatus(
  platform: LocalPlatform,
  jobId: JobId,
  status: Job['status'],
  timeoutMs: number,
): Promise<Job | undefined> {
  const deadline = Date.now() + timeoutMs;
  let job = await platform.jobs.get(jobId);
  while (job?.status !== status && job?.status !== 'failed' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    job = await platform.jobs.get(jobId);
  }
  return job;
}

export function embeddedEnv(home: string): Record<string, string> {
  return {
    STEREO_SPOT_PLATFORM: 'local',
    STEREO_SPOT_HOME: home,
    ...QUICK_PIPELINE_ENV,
    LOCAL_QUEUE_VISIBILITY_TIMEOUT_SECONDS: '30',
    LOG_LEVEL: 'warn',
  };
}
