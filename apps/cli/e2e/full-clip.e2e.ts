/**
 * The main acceptance: a 30 s 720p clip with audio and B-frames through `stereo-spot up`
 * and `stereo-spot submit --wait -o`, checked frame by frame against the source.
 */
import path from 'node:path';
import { makeTestClip } from '@stereo-spot/testing';
import { audioStreamMd5, videoFacts, videoFrameTimes } from './support/media';
import { runCli, stopAll } from './support/processes';
import { e2eDeployment, type E2eDeployment } from './support/deployment';

let deployment: E2eDeployment;
afterEach(async () => {
  await stopAll();
  await deployment.remove();
});

describe('a 30 s 720p clip end to end', () => {
  it('yields the source frame count, duration and audio, with no gap at segment boundaries', async () => {
    // Prepare: 10 s segments (3 of them), the engine's fastest settings with every core (threads unset)
    deployment = await e2eDeployment({ SEGMENT_DURATION_SECONDS: '10', BUILTIN_ENGINE_THREADS: '' });
    await deployment.startReady('up', ['up']);
    const clip = await makeTestClip({
      seconds: 30,
      width: 1280,
      height: 720,
      fps: 30,
      bFrames: true,
      audio: true,
      dir: deployment.home.path,
    });
    const output = path.join(deployment.home.path, 'result_LR.mp4');

    // Act
    const submitted = await runCli(
      ['submit', clip.path, '--mode', 'half-sbs', '--wait', '-o', output, '--server', deployment.url],
      deployment.env,
    );

    // Assess
    expect({ code: submitted.code, stderr: submitted.stderr }).toMatchObject({ code: 0 });
    expect(submitted.stdout.trim()).toBe(output);
    expect(submitted.stderr).toContain('completed');
    const source = videoFacts(clip.path);
    const result = videoFacts(output);
    expect(source.videoFrames).toBe(900);
    expect(result.videoFrames).toBe(source.videoFrames);
    expect(Math.abs(result.durationSeconds - source.durationSeconds)).toBeLessThanOrEqual(1 / 30);
    expect(result).toMatchObject({ width: 1280, height: 720, audioCodec: 'aac' });
    expect(audioStreamMd5(output)).toBe(audioStreamMd5(clip.path));
    const times = videoFrameTimes(output);
    const steps = times.slice(1).map((time, i) => time - (times[i] ?? time));
    expect(Math.min(...steps)).toBeGreaterThan(1 / 30 - 0.002);
    expect(Math.max(...steps)).toBeLessThan(1 / 30 + 0.002);
  });
});
