/**
 * At-least-once delivery and bad input, end to end: every message delivered twice, poison
 * messages, corrupt uploads.
 */
import { stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LocalPlatform } from '@stereo-spot/local-adapters';
import type { Queue } from '@stereo-spot/pipeline';
import { makeTestClip } from '@stereo-spot/testing';
import { download, submitJob, waitForJob } from './support/api';
import { videoFacts } from './support/media';
import { linesContaining, stopAll, type StereoSpotProcess } from './support/processes';
import { e2eDeployment, type E2eDeployment } from './support/deployment';

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const isEmpty = async (queue: Queue) => {
  const depth = await queue.depth();
  return depth.visible + depth.inFlight === 0;
};

/** Takes every message off the queue and puts each back twice: the next consumer gets duplicates. */
async function duplicateAll(queue: Queue, atLeast: number): Promise<number> {
  await until(async () => (await queue.depth()).visible >= atLeast, `${atLeast} message(s) on ${queue.name}`);
  // Take them all first (kept invisible), so the copies sent below are not taken again.
  const taken = [];
  for (;;) {
    const messages = await queue.receive({ maxMessages: 10, waitSeconds: 0, visibilityTimeoutSeconds: 120 });
    if (messages.length === 0) break;
    taken.push(...messages);
  }
  for (const message of taken) {
    await queue.send(message.body);
    await queue.send(message.body);
    await queue.delete(message.receiptHandle);
  }
  return taken.length;
}

const forJob = (processes: StereoSpotProcess[], text: string, jobId: string) =>
  linesContaining(processes, text).filter((line) => line.job_id === jobId);

describe('delivery', () => {
  let deployment: E2eDeployment;
  afterEach(async () => {
    await stopAll();
    await deployment.remove();
  });

  it('every message delivered twice: the same outcome, one reassembly, no segment converted twice', async () => {
    // Prepare
    deployment = await e2eDeployment();
    const platform: LocalPlatform = deployment.open();
    const web = await deployment.startReady('web', ['worker', 'web-ui']);
    const clip = await makeTestClip({ seconds: 3, width: 160, height: 90, fps: 24, dir: deployment.home.path });
    const jobId = await submitJob(deployment.url, clip.path, 'tb');
    const { chunking, reassembly } = platform.queues;
    const video = platform.queues['video-worker'];

    // Act: each stage's messages are doubled before its worker starts
    await duplicateAll(chunking.queue, 1);
    const chunker = await deployment.startReady('chunking', ['worker', 'chunking']);
    await waitForJob(deployment.url, jobId, { statuses: ['chunking_complete'] });
    await until(() => isEmpty(chunking.queue), 'both chunking deliveries');

    await duplicateAll(video.queue, 3);
    const converter = await deployment.startReady('video', ['worker', 'video-worker', 'reassembly-trigger']);
    await until(() => isEmpty(video.queue), 'every segment delivery');
    await until(async () => (await reassembly.queue.depth()).visible >= 1, 'the reassembly message');

    await duplicateAll(reassembly.queue, 1);
    const reassembler = await deployment.startReady('reassembly', ['worker', 'reassembly']);
    const job = await waitForJob(deployment.url, jobId);
    await until(() => isEmpty(reassembly.queue), 'every reassembly delivery');

    // Assess
    const all = [web, chunker, converter, reassembler];
    expect(job).toMatchObject({ status: 'completed', total_segments: 3 });
    expect(forJob(all, 'chunking complete', jobId)).toHaveLength(1);
    expect(
      forJob(all, 'segment converted', jobId)
        .map((l) => l.segment_index)
        .sort(),
    ).toEqual([0, 1, 2]);
    expect(forJob(all, 'segment already converted', jobId)).toHaveLength(3);
    expect(forJob(all, 'reassembly started', jobId)).toHaveLength(1);
    expect((await chunking.deadLetter.peek(10)).length + (await video.deadLetter.peek(10)).length).toBe(0);
    const output = path.join(deployment.home.path, 'out.mp4');
    await writeFile(output, await download(deployment.url, job));
    expect(videoFacts(output)).toMatchObject({ videoFrames: clip.frames, width: 160, height: 180 });
  });

  describe('bad input against one running `stereo-spot up`', () => {
    let up: StereoSpotProcess;
    let platform: LocalPlatform;
    beforeEach(async () => {
      deployment = await e2eDeployment({
        LOCAL_QUEUE_VISIBILITY_TIMEOUT_SECONDS: '2',
        LOCAL_QUEUE_MAX_RECEIVE_COUNT: '3',
      });
      platform = deployment.open();
      up = await deployment.startReady('up', ['up']);
    });

    it('poison messages are logged with job_id=? and land in the DLQ after 3 receives, without blocking work', async () => {
      // Prepare
      const notJson = '{"objects_created": [ this is not json';
      const unknownKey = platform.objectEvents.encodeCreated({ key: 'input/holiday/source.mp4', size: 10 });
      const clip = await makeTestClip({ seconds: 2, width: 160, height: 90, fps: 24, dir: deployment.home.path });

      // Act
      await platform.queues.chunking.queue.send(notJson);
      await platform.queues.chunking.queue.send(unknownKey);
      const jobId = await submitJob(deployment.url, clip.path);
      const job = await waitForJob(deployment.url, jobId);
      await until(
        async () => (await platform.queues.chunking.deadLetter.depth()).visible === 2,
        'both poison messages in the DLQ',
      );

      // Assess
      expect(job.status).toBe('completed');
      const dead = await platform.queues.chunking.deadLetter.peek(10);
      expect(dead.map((m) => m.body).sort()).toEqual([notJson, unknownKey].sort());
      const poisonLines = linesContaining([up], 'unprocessable message');
      expect(poisonLines.length).toBeGreaterThanOrEqual(6);
      for (const line of poisonLines) {
        expect(line.job_id).toBe('?');
        expect(line.msg.startsWith('job_id=? ')).toBe(true);
      }
      expect(await isEmpty(platform.queues.chunking.queue)).toBe(true);
    });

    it('corrupt uploads fail their job at once with a readable error, and nothing retries them', async () => {
      // Prepare
      const dir = deployment.home.path;
      const text = path.join(dir, 'notes.mp4');
      await writeFile(text, 'Shopping list: bread, milk, a 3D television.\n'.repeat(40));
      const empty = path.join(dir, 'empty.mp4');
      await writeFile(empty, '');
      const clip = await makeTestClip({
        seconds: 3,
        width: 160,
        height: 90,
        fps: 24,
        dir,
        fileName: 'truncated.mp4',
      });
      await truncate(clip.path, Math.floor((await stat(clip.path)).size * 0.6));

      // Act
      const ids = {
        text: await submitJob(deployment.url, text),
        empty: await submitJob(deployment.url, empty),
        truncated: await submitJob(deployment.url, clip.path),
      };
      const jobs = {
        text: await waitForJob(deployment.url, ids.text),
        empty: await waitForJob(deployment.url, ids.empty),
        truncated: await waitForJob(deployment.url, ids.truncated),
      };

      // Assess
      expect(jobs.text).toMatchObject({
        status: 'failed',
        error: 'the uploaded file is not a readable video: Invalid data found when processing input',
      });
      expect(jobs.empty).toMatchObject({ status: 'failed', error: 'the uploaded file is empty (0 bytes)' });
      expect(jobs.truncated.status).toBe('failed');
      expect(jobs.truncated.error).toMatch(
        /^the uploaded video is truncated: its header promises 72 frames but only \d+ could be read$/,
      );
      for (const jobId of Object.values(ids)) {
        expect(forJob([up], 'chunking started', jobId)).toHaveLength(1);
        expect(forJob([up], 'job failed', jobId)).toHaveLength(1);
      }
      expect(await isEmpty(platform.queues.chunking.queue)).toBe(true);
      expect(await platform.queues.chunking.deadLetter.peek(10)).toEqual([]);
    });
  });
});
