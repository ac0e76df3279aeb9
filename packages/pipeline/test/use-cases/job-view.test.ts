import { finalKey } from '@stereo-spot/shared-types';
import { describeJob } from '../../src/use-cases/job-view';
import { memoryPlatform } from '../../src/testing';
import { JOB, seedJob } from './support';

describe('describeJob', () => {
  it('shows segments done from the completions and a download named with the VR suffix', async () => {
    // Prepare
    const platform = memoryPlatform();
    const converting = await seedJob(platform, { status: 'chunking_complete', total_segments: 4 });
    await platform.segmentCompletions.put({
      job_id: JOB,
      segment_index: 2,
      output_key: 'k',
      completed_at: 1,
    });
    await platform.outputStorage.putBytes(finalKey(JOB), 'the final video');
    const deps = { ...platform, downloadUrlTtlSeconds: 60 };

    // Act
    const inProgress = await describeJob(deps, converting);
    const completed = await describeJob(deps, { ...converting, status: 'completed', completed_at: 5 });

    // Assess
    expect(inProgress.progress).toEqual({
      stage: 'converting segments',
      segments_done: 1,
      total_segments: 4,
      fraction: 0.3,
    });
    expect(inProgress.download_url).toBeUndefined();
    expect(completed.progress).toMatchObject({ stage: 'completed', segments_done: 4, fraction: 1 });
    expect(completed.download_file_name).toBe('holiday_LRF_Full_SBS.mp4');
    const download = await fetch(completed.download_url!);
    expect(await download.text()).toBe('the final video');
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="holiday_LRF_Full_SBS.mp4"');
    expect(completed.playback_url).toContain(finalKey(JOB));
  });
});
