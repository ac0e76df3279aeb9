import { captureLogger } from '@stereo-spot/logging/testing';
import { segmentKey } from '@stereo-spot/shared-types';
import { recoverChunking } from '../../src/use-cases/recover-chunking';
import { memoryPlatform, type MemoryPlatform } from '../../src/testing';
import { JOB, seedJob } from './support';

describe('recoverChunking', () => {
  const put = (platform: MemoryPlatform, i: number, total: number) =>
    platform.inputStorage.putBytes(
      segmentKey({ jobId: JOB, segmentIndex: i, totalSegments: total, mode: 'sbs' }),
      'x',
    );

  it('completes a job whose chunking died after uploading every segment', async () => {
    // Prepare
    const platform = memoryPlatform();
    await seedJob(platform, { status: 'chunking_in_progress' });
    for (const i of [0, 1, 2]) await put(platform, i, 3);

    // Act
    const result = await recoverChunking({ ...platform, logger: captureLogger().logger }, JOB);

    // Assess
    expect(result).toEqual({ outcome: 'recovered', totalSegments: 3 });
    expect(await platform.jobs.get(JOB)).toMatchObject({ status: 'chunking_complete', total_segments: 3 });
  });

  it('refuses with the reason: missing segments, disagreeing totals, wrong status', async () => {
    // Prepare
    const platform = memoryPlatform();
    const logger = captureLogger().logger;
    await seedJob(platform, { status: 'chunking_in_progress' });
    await put(platform, 0, 3);
    await put(platform, 2, 3);

    // Act
    const missing = await recoverChunking({ ...platform, logger }, JOB);
    await put(platform, 1, 4);
    const disagree = await recoverChunking({ ...platform, logger }, JOB);
    await seedJob(platform, { status: 'completed' });
    const done = await recoverChunking({ ...platform, logger }, JOB);

    // Assess
    expect(missing).toEqual({ outcome: 'refused', reason: '1 of 3 segment(s) are missing', missing: [1] });
    expect(disagree).toEqual({ outcome: 'refused', reason: 'segment keys disagree on total_segments: 3, 4' });
    expect(done).toMatchObject({
      outcome: 'refused',
      reason: expect.stringContaining('status is completed'),
    });
  });
});
