import { captureLogger } from '@stereo-spot/logging/testing';
import { finalKey, inputKey, segmentKey, segmentOutputKey } from '@stereo-spot/shared-types';
import { deleteJob } from '../../src/use-cases/delete-job';
import { memoryPlatform } from '../../src/testing';
import { JOB, seedJob } from './support';

describe('deleteJob', () => {
  it('deletes every object and record of the job', async () => {
    // Prepare
    const platform = memoryPlatform();
    await seedJob(platform, { status: 'completed', total_segments: 1 });
    await platform.inputStorage.putBytes(inputKey(JOB), 'x');
    await platform.inputStorage.putBytes(
      segmentKey({ jobId: JOB, segmentIndex: 0, totalSegments: 1, mode: 'sbs' }),
      'x',
    );
    await platform.outputStorage.putBytes(segmentOutputKey(JOB, 0), 'x');
    await platform.outputStorage.putBytes(finalKey(JOB), 'x');
    await platform.segmentCompletions.put({
      job_id: JOB,
      segment_index: 0,
      output_key: 'k',
      completed_at: 1,
    });
    await platform.reassemblyTriggered.tryCreate({ job_id: JOB, triggered_at: 1, ttl: 1 });

    // Act
    const deleted = await deleteJob({ ...platform, logger: captureLogger().logger }, JOB);
    const again = await deleteJob({ ...platform, logger: captureLogger().logger }, JOB);

    // Assess
    expect([deleted, again]).toEqual([true, false]);
    expect(platform.inputStorage.objects.size + platform.outputStorage.objects.size).toBe(0);
    expect(
      platform.jobs.jobs.size + platform.segmentCompletions.items.size + platform.reassemblyTriggered.locks.size,
    ).toBe(0);
  });
});
