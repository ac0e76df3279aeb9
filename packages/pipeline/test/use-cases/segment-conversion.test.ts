import { captureLogger } from '@stereo-spot/logging/testing';
import { segmentKey, segmentOutputKey } from '@stereo-spot/shared-types';
import { handleSegmentMessage } from '../../src/use-cases/segment-conversion';
import { memoryPlatform } from '../../src/testing';
import { textInference } from '../fakes';
import { JOB, created, seedJob } from './support';

describe('handleSegmentMessage', () => {
  const key = (i: number) => segmentKey({ jobId: JOB, segmentIndex: i, totalSegments: 2, mode: 'sbs' });

  it("converts with the job's mode and stereo parameters and records the completion", async () => {
    // Prepare
    const platform = memoryPlatform();
    await seedJob(platform, { status: 'chunking_complete', total_segments: 2 });
    await platform.inputStorage.putBytes(key(1), 'a\nb');
    const { inference, calls } = textInference(platform);
    const { logger } = captureLogger();

    // Act
    const outcomes = await handleSegmentMessage({ ...platform, inference }, created(key(1)), { logger });

    // Assess
    expect(outcomes).toEqual([expect.objectContaining({ outcome: 'converted' })]);
    expect(calls).toEqual([{ jobId: JOB, segmentIndex: 1, mode: 'sbs', divergence: 3 }]);
    expect(platform.outputStorage.objects.get(segmentOutputKey(JOB, 1))?.toString()).toBe('sbs:a\nsbs:b');
    expect(await platform.segmentCompletions.list(JOB)).toEqual([
      {
        job_id: JOB,
        segment_index: 1,
        output_key: segmentOutputKey(JOB, 1),
        completed_at: platform.clock.now(),
        frames: 2,
      },
    ]);
  });

  it('does not convert a segment twice: a duplicate only rewrites the completion', async () => {
    // Prepare
    const platform = memoryPlatform();
    await seedJob(platform, { status: 'chunking_in_progress' });
    await platform.inputStorage.putBytes(key(0), 'a');
    const { inference, calls } = textInference(platform);
    const { logger } = captureLogger();

    // Act
    await handleSegmentMessage({ ...platform, inference }, created(key(0)), { logger });
    const second = await handleSegmentMessage({ ...platform, inference }, created(key(0)), { logger });

    // Assess
    expect(calls).toHaveLength(1);
    expect(second[0]?.outcome).toBe('already-converted');
    expect(await platform.segmentCompletions.count(JOB)).toBe(1);
  });

  it('a worker that lost its lease records no completion, and asks before the output is written', async () => {
    // Prepare
    const platform = memoryPlatform();
    await seedJob(platform, { status: 'chunking_complete', total_segments: 2 });
    await platform.inputStorage.putBytes(key(0), 'a');
    const { inference } = textInference(platform);
    const asked: unknown[] = [];
    const convert = inference.convertSegment.bind(inference);
    inference.convertSegment = (request) => {
      asked.push(request.assertLease);
      return convert(request);
    };
    const lost = new Error('lost the lease');

    // Act
    const outcome = handleSegmentMessage({ ...platform, inference }, created(key(0)), {
      logger: captureLogger().logger,
      assertLease: () => Promise.reject(lost),
    });

    // Assess
    await expect(outcome).rejects.toBe(lost);
    expect(asked).toEqual([expect.any(Function)]);
    expect(await platform.segmentCompletions.count(JOB)).toBe(0);
  });

  it('skips segments of failed, completed or deleted jobs', async () => {
    // Prepare
    const platform = memoryPlatform();
    const { inference, calls } = textInference(platform);
    const { logger } = captureLogger();

    // Act
    const missing = await handleSegmentMessage({ ...platform, inference }, created(key(0)), { logger });
    await seedJob(platform, { status: 'failed', error: 'x' });
    const failed = await handleSegmentMessage({ ...platform, inference }, created(key(0)), { logger });

    // Assess
    expect(missing[0]).toMatchObject({ outcome: 'skipped', reason: 'job not found (deleted?)' });
    expect(failed[0]).toMatchObject({ outcome: 'skipped', reason: 'status is failed' });
    expect(calls).toEqual([]);
  });
});
