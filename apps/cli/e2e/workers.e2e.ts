/**
 * Several worker processes on one STEREO_SPOT_HOME: two video-workers share a job's segments, and
 * a video-worker killed mid-segment loses nothing.
 */
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { finalKey, toJobId } from '@stereo-spot/shared-types';
import { makeTestClip } from '@stereo-spot/testing';
import { download, submitJob, waitForJob } from './support/api';
import { videoFacts } from './support/media';
import { linesContaining, stopAll } from './support/processes';
import { e2eDeployment, type E2eDeployment } from './support/deployment';

let deployment: E2eDeployment | undefined;

afterEach(async () => {
  await stopAll();
  await deployment?.remove();
  deployment = undefined;
});

const convertedBy = (lines: ReturnType<typeof linesContaining>, jobId: string) =>
  lines.filter((line) => line.job_id === jobId).map((line) => line.segment_index as number);

describe('worker processes', () => {
  it('two video-workers share one job’s segments; the job completes once', async () => {
    // Prepare
    deployment = await e2eDeployment();
    const control = await deployment.startReady('control', ['worker', 'web-ui', 'chunking', 'reassembly', 'reassembly-trigger']);
    const workers = await Promise.all([
      deployment.startReady('video-1', ['worker', 'video-worker']),
      deployment.startReady('video-2', ['worker', 'video-worker']),
    ]);
    const clip = await makeTestClip({
      seconds: 6,
      width: 160,
      height: 90,
      fps: 24,
      bFrames: true,
      dir: deployment.home.path,
    });

    // Act
    const jobId = await submitJob(deployment.url, clip.path, 'half-sbs');
    const job = await waitForJob(deployment.url, jobId);

    // Assess
    expect(job).toMatchObject({ status: 'completed', total_segments: 6 });
    const [first = [], second = []] = workers.map((worker) =>
      convertedBy(linesContaining([worker], 'segment converted'), jobId),
    );
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(0);
    expect([...first, ...second].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(linesContaining([control], 'reassembly started').filter((l) => l.job_id === jobId)).toHaveLength(
      1,
    );
    const output = path.join(deployment.home.path, 'out.mp4');
    await writeFile(output, await download(deployment.url, job));
    expect(videoFacts(output).videoFrames).toBe(clip.frames);
  });

  it('a video-worker killed with SIGKILL mid-segment: the segment comes back after the visibility timeout', async () => {
    // Prepare
    deployment = await e2eDeployment({ LOCAL_QUEUE_VISIBILITY_TIMEOUT_SECONDS: '4' });
    const control = await deployment.startReady('control', ['worker', 'web-ui', 'chunking', 'reassembly', 'reassembly-trigger']);
    const victim = await deployment.startReady('victim', ['worker', 'video-worker']);
    const clip = await makeTestClip({ seconds: 4, width: 160, height: 90, fps: 24, dir: deployment.home.path });
    const jobId = await submitJob(deployment.url, clip.path);

    // Act
    const converting = await victim.waitForLog(
      (line) => line.job_id === jobId && line.msg.includes('converting segment'),
    );
    const scratch = path.join(deployment.home.path, 'work');
    const victimsFolders = async () =>
      (await readdir(scratch).catch(() => [] as string[])).filter((name) => name.includes(`-pid${victim.pid}-`));
    for (let i = 0; i < 200 && (await victimsFolders()).length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const leftBehind = await victimsFolders();
    await victim.kill();
    const rescuer = await deployment.startReady('rescuer', ['worker', 'video-worker']);
    const afterRescuerStart = await victimsFolders();
    const job = await waitForJob(deployment.url, jobId);

    // Assess
    const killedIndex = converting.segment_index as number;
    expect(job).toMatchObject({ status: 'completed', total_segments: 4 });
    expect(convertedBy(linesContaining([victim], 'segment converted'), jobId)).not.toContain(killedIndex);
    expect(convertedBy(linesContaining([rescuer], 'segment converted'), jobId)).toContain(killedIndex);
    expect(linesContaining([control], 'reassembly started').filter((l) => l.job_id === jobId)).toHaveLength(
      1,
    );
    const platform = deployment.open();
    const outputs = (await platform.outputStorage.list(`jobs/${jobId}/`)).map((object) => object.key);
    expect(outputs.filter((key) => key === finalKey(toJobId(jobId)))).toHaveLength(1);
    expect(outputs).toHaveLength(5);
    // The killed worker's scratch folder (its input and partial output) is removed at the next start.
    expect(leftBehind).toHaveLength(1);
    expect(afterRescuerStart).toEqual([]);
    expect(linesContaining([rescuer], 'scratch folder(s) of dead workers')).toHaveLength(1);
  });
});
