/**
 * INFERENCE_BACKEND=http: the video-worker hands each segment to an inference server process
 * (here with its builtin engine) through presigned URLs of the embedded storage, and the job
 * completes exactly as with the in-process engine. The server is set up as docs/security.md
 * says: a shared secret, and URLs allowed only on the web UI's host.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeTestClip } from '@stereo-spot/testing';
import { download, submitJob, waitForJob } from './support/api';
import { httpBackendDeployment } from './support/inference-server';
import { videoFacts } from './support/media';
import { linesContaining, stopAll } from './support/processes';
import type { E2eDeployment } from './support/deployment';

let deployment: E2eDeployment | undefined;

afterEach(async () => {
  await stopAll();
  await deployment?.remove();
  deployment = undefined;
});

describe('INFERENCE_BACKEND=http', () => {
  it('converts a whole job through an inference server process', async () => {
    // Prepare
    const started = await httpBackendDeployment();
    deployment = started.deployment;
    const inference = started.inference;
    const control = await deployment.startReady('control', ['worker', 'web-ui', 'chunking', 'video-worker', 'reassembly', 'reassembly-trigger']);
    const clip = await makeTestClip({ seconds: 3, width: 160, height: 90, fps: 24, dir: deployment.home.path });

    // Act
    const jobId = await submitJob(deployment.url, clip.path, 'sbs');
    const job = await waitForJob(deployment.url, jobId);

    // Assess
    expect(job).toMatchObject({ status: 'completed', total_segments: 3 });
    expect(linesContaining([control], 'segment converted').filter((l) => l.job_id === jobId)).toHaveLength(3);
    // The inference server, not an engine in the worker, converted every segment.
    const convertedByServer = linesContaining([inference.process], 'converted with builtin').filter(
      (l) => l.job_id === jobId,
    );
    expect(convertedByServer.map((l) => l.segment_index).sort()).toEqual([0, 1, 2]);
    const output = path.join(deployment.home.path, 'out.mp4');
    await writeFile(output, await download(deployment.url, job));
    const facts = videoFacts(output);
    expect(facts.videoFrames).toBe(clip.frames);
    expect(facts.width).toBe(320);
  });
});
