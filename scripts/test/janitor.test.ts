import path from 'node:path';
import { createLocalPlatform, type LocalPlatform } from '@stereo-spot/local-adapters';
import { createLogger } from '@stereo-spot/logging';
import { runMediaWorker } from '@stereo-spot/media-worker';
import { portSourceOf, portsForRole, sweepStuckJobs, systemClock } from '@stereo-spot/pipeline';
import { inputKey } from '@stereo-spot/shared-types';
import { makeJob, makeTempDir, type TempDir } from '@stereo-spot/testing';
import { embeddedEnv, startWorkers, stopProcess, stuckAfterChunking, waitForStatus } from './support/stuck-chunking';

jest.setTimeout(180_000);

let home: TempDir;
let platform: LocalPlatform;

beforeEach(async () => {
  home = await makeTempDir('janitor');
  platform = createLocalPlatform({ home: home.path, publicBaseUrl: 'http://127.0.0.1', pollIntervalMs: 50 });
});

afterEach(async () => {
  await platform.close();
  await home.remove();
});

test('the janitor alone brings a job whose media-worker died after uploading every segment to completed', async () => {
  // Prepare
  const { job, totalSegments } = await stuckAfterChunking(platform);
  const logger = createLogger({ name: 'janitor', level: 'silent' });
  const deps = { ...platform, reassemblyQueue: platform.queues.reassembly.queue, clock: systemClock, logger };

  // Act
  const actions = await sweepStuckJobs(deps, { graceMs: 0, maxAgeMs: 3_600_000 });
  const workers = startWorkers(['chunking', 'video-worker', 'reassembly', 'reassembly-trigger'], embeddedEnv(home.path));
  let final;
  try {
    final = await waitForStatus(platform, job.job_id, 'completed', 150_000);
  } finally {
    await stopProcess(workers);
  }

  // Assess
  expect(actions).toEqual([{ jobId: job.job_id, action: 'recovered-chunking', totalSegments }]);
  expect(final).toMatchObject({ status: 'completed', total_segments: totalSegments });
});

test('the janitor fails a job past its maximum age on the embedded store', async () => {
  // Prepare
  const { job } = await stuckAfterChunking(platform, { createdAt: Date.now() - 2 * 3_600_000, drop: [0] });
  const logger = createLogger({ name: 'janitor', level: 'silent' });
  const deps = { ...platform, reassemblyQueue: platform.queues.reassembly.queue, clock: systemClock, logger };

  // Act
  const actions = await sweepStuckJobs(deps, { graceMs: 0, maxAgeMs: 3_600_000 });

  // Assess
  expect(actions).toMatchObject([{ jobId: job.job_id, action: 'failed' }]);
  expect(await platform.jobs.get(job.job_id)).toMatchObject({ status: 'failed' });
});

test("the media-worker's janitor loop recovers the job on its own", async () => {
  // Prepare
  const { job, totalSegments } = await stuckAfterChunking(platform);
  const stop = new AbortController();

  // Act
  const worker = runMediaWorker({
    chunking: {
      ports: await portsForRole('chunking', portSourceOf(platform)),
      consumer: { longPollWaitSeconds: 1, shutdownGraceSeconds: 0 },
      segmentDurationSeconds: 1,
      mediaLimits: { maxPixels: 7680 * 4320, maxFrameRate: 120, maxDurationSeconds: 3600 },
      janitor: { intervalMs: 100, graceMs: 0 },
    },
    scratchDir: path.join(home.path, 'work'),
    logger: createLogger({ name: 'media-worker', level: 'silent' }),
    signal: stop.signal,
  });
  let recovered;
  try {
    recovered = await waitForStatus(platform, job.job_id, 'chunking_complete', 30_000);
  } finally {
    stop.abort();
    await worker;
  }

  // Assess
  expect(recovered).toMatchObject({ status: 'chunking_complete', total_segments: totalSegments });
});

test("the janitor deletes the uploads of finished jobs after the retention, and keeps every other upload", async () => {
  // Prepare: uploads of a completed, a failed, an unfinished job, all finished (or touched) an hour ago.
  const hourAgo = Date.now() - 3_600_000;
  const completed = makeJob({ status: 'completed', created_at: hourAgo, updated_at: hourAgo });
  const failed = makeJob({ status: 'failed', created_at: hourAgo, updated_at: hourAgo, error: 'bad upload' });
  const running = makeJob({ status: 'chunking_in_progress', created_at: hourAgo, updated_at: hourAgo });
  for (const job of [completed, failed, running]) {
    await platform.jobs.create(job);
    await platform.inputStorage.putBytes(inputKey(job.job_id), 'video bytes');
  }
  const logger = createLogger({ name: 'janitor', level: 'silent' });
  const deps = { ...platform, reassemblyQueue: platform.queues.reassembly.queue, clock: systemClock, logger };
  const settings = { graceMs: 24 * 3_600_000, maxAgeMs: 48 * 3_600_000 };

  // Act: a retention longer than the hour keeps everything; a shorter one deletes the finished jobs' uploads.
  const withinRetention = await sweepStuckJobs(deps, { ...settings, inputRetentionMs: 2 * 3_600_000 });
  const pastRetention = await sweepStuckJobs(deps, { ...settings, inputRetentionMs: 30 * 60_000 });

  // Assess
  expect(withinRetention).toEqual([]);
  expect(pastRetention).toEqual(
    expect.arrayContaining([
      { jobId: completed.job_id, action: 'deleted-input', key: inputKey(completed.job_id) },
      { jobId: failed.job_id, action: 'deleted-input', key: inputKey(failed.job_id) },
    ]),
  );
  expect(pastRetention).toHaveLength(2);
  expect(await platform.inputStorage.head(inputKey(completed.job_id))).toBeUndefined();
  expect(await platform.inputStorage.head(inputKey(failed.job_id))).toBeUndefined();
  expect(await platform.inputStorage.head(inputKey(running.job_id))).toBeDefined();
  expect(await platform.jobs.get(completed.job_id)).toMatchObject({ status: 'completed' });
});
