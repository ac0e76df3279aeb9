import { captureLogger } from '@stereo-spot/logging/testing';
import { failJob } from '../../src/use-cases/fail-job';
import { memoryPlatform } from '../../src/testing';
import { JOB, seedJob } from './support';

describe('failJob', () => {
  it('fails an unfinished job with the reason and leaves a finished one alone', async () => {
    // Prepare
    const platform = memoryPlatform();
    await seedJob(platform, { status: 'chunking_in_progress' });
    const { logger } = captureLogger();

    // Act
    const first = await failJob({ ...platform, logger }, JOB, 'the uploaded file has no video stream');
    const second = await failJob({ ...platform, logger }, JOB, 'other');

    // Assess
    expect([first, second]).toEqual([true, false]);
    expect(await platform.jobs.get(JOB)).toMatchObject({
      status: 'failed',
      error: 'the uploaded file has no video stream',
    });
  });
});
