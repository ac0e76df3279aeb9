/** Twenty small jobs submitted at once on one `stereo-spot up` plus one extra video-worker. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeTestClip } from '@stereo-spot/testing';
import { download, submitJob, waitForJob } from './support/api';
import { videoFacts } from './support/media';
import { linesContaining, stopAll } from './support/processes';
import { e2eDeployment, type E2eDeployment } from './support/deployment';

let deployment: E2eDeployment;
afterEach(async () => {
  await stopAll();
  await deployment.remove();
});

describe('load', () => {
  it('20 small jobs submitted at once all complete; every segment converted exactly once', async () => {
    // Prepare
    deployment = await e2eDeployment();
    const up = await deployment.startReady('up', ['up']);
    const helper = await deployment.startReady('video-2', ['worker', 'video-worker']);
    const clip = await makeTestClip({ seconds: 2, width: 160, height: 90, fps: 24, dir: deployment.home.path });

    // Act
    const jobIds = await Promise.all(
      Array.from({ length: 20 }, () => submitJob(deployment.url, clip.path, 'sbs')),
    );
    const jobs = [];
    for (const jobId of jobIds) jobs.push(await waitForJob(deployment.url, jobId, { timeoutMs: 180_000 }));

    // Assess
    expect(jobs.map((job) => job.status)).toEqual(Array(20).fill('completed'));
    const converted = linesContaining([up, helper], 'segment converted');
    for (const job of jobs) {
      const indices = converted
        .filter((line) => line.job_id === job.job_id)
        .map((line) => line.segment_index);
      expect(indices.sort()).toEqual([0, 1]);
      expect(linesContaining([up], 'reassembly started').filter((l) => l.job_id === job.job_id)).toHaveLength(
        1,
      );
    }
    expect(linesContaining([up, helper], 'segment already converted')).toEqual([]);
    expect(converted.some((line) => line.pid === helper.pid)).toBe(true);
    const sample = path.join(deployment.home.path, 'sample.mp4');
    const last = jobs.at(-1);
    if (last === undefined) throw new Error('no job');
    await writeFile(sample, await download(deployment.url, last));
    expect(videoFacts(sample)).toMatchObject({ videoFrames: clip.frames, width: 320, height: 90 });
    // Ctrl-C stops `up` cleanly: loops end, the platform closes, exit code 0
    expect(await up.stop(15_000, 'SIGINT')).toBe(0);
    expect(up.logs.at(-1)?.msg).toBe('stopped');
  });
});
