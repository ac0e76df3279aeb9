import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLocalPlatform, type LocalPlatform } from '@stereo-spot/local-adapters';
import { createLogger } from '@stereo-spot/logging';
import { portSourceOf, portsForRole, type MediaLimits } from '@stereo-spot/pipeline';
import { inputKey, segmentsPrefix, type Job, type JobId } from '@stereo-spot/shared-types';
import { makeHostileUploads, makeJob, makeTempDir, makeTestClip, type TempDir } from '@stereo-spot/testing';
import { runMediaWorker } from '../src/media-worker';
import { ffmpegSync } from './media';

const SECRET_MARKER = 'SECRET-MARKER-9d41';
const LIMITS: MediaLimits = { maxPixels: 320 * 240, maxFrameRate: 30, maxDurationSeconds: 5 };

let home: TempDir;
let platform: LocalPlatform;
let logLines: string[];
let stop: AbortController;
let worker: Promise<unknown>;
let target: string;

beforeAll(async () => {
  home = await makeTempDir('media-gate');
  platform = createLocalPlatform({ home: home.path, publicBaseUrl: 'http://127.0.0.1', pollIntervalMs: 50 });
  // Another user's upload on the worker's disk, which the hostile uploads try to read.
  await mkdir(path.join(home.path, 'other-user'));
  const clip = await makeTestClip({ dir: path.join(home.path, 'other-user'), width: 64, height: 48, seconds: 1 });
  target = path.join(home.path, 'other-user', 'target.ts');
  ffmpegSync(['-i', clip.path, '-c', 'copy', '-metadata', `service_name=${SECRET_MARKER}`, '-f', 'mpegts', target]);

  logLines = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(chunk.toString('utf8'));
      callback();
    },
  });
  stop = new AbortController();
  worker = runMediaWorker({
    chunking: {
      ports: await portsForRole('chunking', portSourceOf(platform)),
      consumer: { longPollWaitSeconds: 1, shutdownGraceSeconds: 0 },
      segmentDurationSeconds: 1,
      mediaLimits: LIMITS,
      janitor: false,
    },
    scratchDir: path.join(home.path, 'work'),
    logger: createLogger({ name: 'media-worker', level: 'debug', destination }),
    signal: stop.signal,
  });
});

afterAll(async () => {
  stop.abort();
  await worker;
  await platform.close();
  await home.remove();
});

async function submit(bytes: Buffer | string): Promise<JobId> {
  const job = makeJob({ created_at: Date.now() });
  await platform.jobs.create(job);
  await platform.inputStorage.putBytes(inputKey(job.job_id), bytes);
  return job.job_id;
}

async function settled(jobId: JobId): Promise<Job | undefined> {
  const deadline = Date.now() + 50_000;
  let job = await platform.jobs.get(jobId);
  while (job?.status !== 'chunking_complete' && job?.status !== 'failed' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    job = await platform.jobs.get(jobId);
  }
  return job;
}

async function goodClip(name: string): Promise<Buffer> {
  const clip = await makeTestClip({ dir: home.path, fileName: name, width: 160, height: 90, seconds: 2 });
  return readFile(clip.path);
}

describe('chunking through the media gate (embedded platform, real ffmpeg)', () => {
  it('fails every file-reading upload with a readable reason, leaks nothing, and still chunks the next good job', async () => {
    // Prepare: the scratch folder of a chunking is <scratch>/chunk-<job>-XXXXXX/, two levels under home.
    const uploads = await makeHostileUploads({ absolutePath: target, relativePath: '../../other-user/target.ts' });

    // Act
    const hostile = [];
    for (const upload of uploads) hostile.push({ kind: upload.kind, jobId: await submit(upload.bytes) });
    const results = [];
    for (const { kind, jobId } of hostile) results.push({ kind, jobId, job: await settled(jobId) });
    const good = await settled(await submit(await goodClip('good.mp4')));

    // Assess
    for (const { kind, jobId, job } of results) {
      expect({ kind, status: job?.status }).toEqual({ kind, status: 'failed' });
      expect(job?.error).toMatch(/^the uploaded file is not an accepted video: the format "(hls|concat)" is not accepted/);
      expect(job?.error).not.toContain(target);
      expect(await platform.inputStorage.list(segmentsPrefix(jobId))).toEqual([]);
    }
    expect(good).toMatchObject({ status: 'chunking_complete', total_segments: 2 });
    const logs = logLines.join('');
    expect(logs).not.toContain(SECRET_MARKER);
    expect(logs).toContain('UNSUPPORTED_CONTAINER');
  });

  it('fails a video above the pixel, frame-rate or duration limit with the reason, and chunks one within them', async () => {
    // Prepare
    const huge = await makeTestClip({ dir: home.path, fileName: 'huge.mp4', width: 640, height: 480, seconds: 1, audio: false });
    const fast = await makeTestClip({ dir: home.path, fileName: 'fast.mp4', width: 160, height: 90, seconds: 1, fps: 60, audio: false });
    const long = await makeTestClip({ dir: home.path, fileName: 'long.mp4', width: 64, height: 48, seconds: 8, fps: 5, audio: false });

    // Act
    const hugeJob = await settled(await submit(await readFile(huge.path)));
    const fastJob = await settled(await submit(await readFile(fast.path)));
    const longJob = await settled(await submit(await readFile(long.path)));
    const within = await settled(await submit(await goodClip('within.mp4')));

    // Assess
    expect(hugeJob).toMatchObject({
      status: 'failed',
      error: 'the video is 640x480 (307200 pixels), more than the 76800 pixels allowed (MAX_VIDEO_PIXELS)',
    });
    expect(fastJob).toMatchObject({
      status: 'failed',
      error: 'the video has 60 frames per second, more than the 30 allowed (MAX_VIDEO_FRAME_RATE)',
    });
    expect(longJob).toMatchObject({
      status: 'failed',
      error: 'the video lasts 8 s, longer than the 5 s allowed (MAX_VIDEO_DURATION_SECONDS)',
    });
    expect(within).toMatchObject({ status: 'chunking_complete' });
  });
});
