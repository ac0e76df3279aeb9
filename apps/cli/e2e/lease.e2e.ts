/**
 * A video-worker frozen (SIGSTOP) past its visibility timeout loses its lease: another worker
 * redoes the segment and the job completes; once resumed (SIGCONT) the frozen worker notices,
 * aborts, and writes nothing: the segment output, its completion and the final are unchanged.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LocalPlatform } from '@stereo-spot/local-adapters';
import { finalKey, segmentOutputKey, toJobId, type JobId } from '@stereo-spot/shared-types';
import { makeTestClip } from '@stereo-spot/testing';
import { submitJob, waitForJob } from './support/api';
import { stopAll } from './support/processes';
import { e2eDeployment, type E2eDeployment } from './support/deployment';

let deployment: E2eDeployment | undefined;

afterEach(async () => {
  await stopAll();
  await deployment?.remove();
  deployment = undefined;
});

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** What another reader could see of a segment: its output's bytes, its completion, the final's bytes. */
async function snapshot(platform: LocalPlatform, home: string, jobId: JobId, segmentIndex: number) {
  const outputs = path.join(home, 'buckets', platform.outputStorage.bucket);
  const completion = (await platform.segmentCompletions.list(jobId)).find((c) => c.segment_index === segmentIndex);
  return {
    segment: await sha256(path.join(outputs, segmentOutputKey(jobId, segmentIndex))),
    completion: JSON.stringify(completion),
    final: await sha256(path.join(outputs, finalKey(jobId))),
  };
}

describe('a worker that lost its lease', () => {
  it('frozen past its visibility timeout while another worker redoes the segment: after SIGCONT it writes nothing', async () => {
    // Prepare: a short visibility timeout; the frozen worker is the only video-worker at first
    deployment = await e2eDeployment({
      LOCAL_QUEUE_VISIBILITY_TIMEOUT_SECONDS: '3',
      SEGMENT_DURATION_SECONDS: '2',
    });
    const platform = deployment.open();
    await deployment.startReady('control', ['worker', 'web-ui', 'chunking', 'reassembly', 'reassembly-trigger']);
    const frozen = await deployment.startReady('video-frozen', ['worker', 'video-worker']);
    const clip = await makeTestClip({ seconds: 4, width: 320, height: 180, fps: 24, dir: deployment.home.path });
    const jobId = toJobId(await submitJob(deployment.url, clip.path, 'anaglyph'));
    const converting = await frozen.waitForLog((line) => line.job_id === jobId && line.msg.endsWith('converting segment'));
    const segmentIndex = converting.segment_index as number;

    // Act: freeze it mid-segment; another worker takes the segment after the visibility timeout
    process.kill(frozen.pid, 'SIGSTOP');
    const rescuer = await deployment.startReady('video-rescuer', ['worker', 'video-worker']);
    const job = await waitForJob(deployment.url, jobId);
    const before = await snapshot(platform, deployment.home.path, jobId, segmentIndex);
    process.kill(frozen.pid, 'SIGCONT');
    const abandoned = await frozen.waitForLog((line) =>
      line.msg.includes('lost the lease: the work was abandoned'),
    );
    const after = await snapshot(platform, deployment.home.path, jobId, segmentIndex);

    // Assess
    expect(job).toMatchObject({ status: 'completed', total_segments: 2 });
    const redone = rescuer.logs.filter(
      (line) => line.job_id === jobId && line.segment_index === segmentIndex && line.msg.includes('segment converted'),
    );
    expect(redone).toHaveLength(1);
    expect(abandoned).toMatchObject({ job_id: jobId, segment_index: segmentIndex });
    expect(frozen.logs.some((line) => line.msg.includes('lost the lease on the message'))).toBe(true);
    expect(
      frozen.logs.filter((line) => line.segment_index === segmentIndex && line.msg.includes('segment converted')),
    ).toEqual([]);
    expect(after).toEqual(before);
  });
});
