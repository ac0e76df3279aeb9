import {
  DEFAULT_STEREO_PARAMS,
  newReassemblyTriggered,
  segmentKey,
  toJobId,
  type Job,
} from '@stereo-spot/shared-types';
import { sweepStuckJobs, type JanitorSettings } from '../../src/use-cases/janitor';
import { captureLogger } from '@stereo-spot/logging/testing';
import { memoryPlatform, type MemoryPlatform } from '../../src/testing';

const JOB = toJobId('5a1c2e3f-0b4d-4c6e-8a90-abcdefabcdef');
const MINUTE = 60_000;
const SETTINGS: JanitorSettings = { graceMs: 15 * MINUTE, maxAgeMs: 24 * 60 * MINUTE };

function job(platform: MemoryPlatform, overrides: Partial<Job>): Job {
  return {
    job_id: JOB,
    mode: 'anaglyph',
    status: 'created',
    created_at: platform.clock.now(),
    stereo: DEFAULT_STEREO_PARAMS,
    source_file_name: 'clip.mp4',
    ...overrides,
  };
}

function setup() {
  const platform = memoryPlatform();
  const { logger, lines } = captureLogger();
  const deps = { ...platform, reassemblyQueue: platform.reassemblyQueue, clock: platform.clock, logger };
  return { platform, deps, lines };
}

async function uploadSegments(platform: MemoryPlatform, total: number, skip: number[] = []) {
  for (let segmentIndex = 0; segmentIndex < total; segmentIndex += 1) {
    if (skip.includes(segmentIndex)) continue;
    await platform.inputStorage.putBytes(
      segmentKey({ jobId: JOB, segmentIndex, totalSegments: total, mode: 'anaglyph' }),
      'frames',
    );
  }
}

test('recovers a chunking_in_progress job whose segments are all uploaded, once the grace has passed', async () => {
  // Prepare
  const { platform, deps, lines } = setup();
  await platform.jobs.create(job(platform, { status: 'chunking_in_progress' }));
  await uploadSegments(platform, 3);

  // Act
  const early = await sweepStuckJobs(deps, SETTINGS);
  platform.clock.advance(16 * MINUTE);
  const late = await sweepStuckJobs(deps, SETTINGS);

  // Assess
  expect(early).toEqual([]);
  expect(late).toEqual([{ jobId: JOB, action: 'recovered-chunking', totalSegments: 3 }]);
  expect(await platform.jobs.get(JOB)).toMatchObject({ status: 'chunking_complete', total_segments: 3 });
  expect(lines.some((line) => String(line.msg).startsWith(`job_id=${JOB} janitor: recovered`))).toBe(true);
});

test('leaves a chunking job with a missing segment alone', async () => {
  // Prepare
  const { platform, deps } = setup();
  await platform.jobs.create(job(platform, { status: 'chunking_in_progress' }));
  await uploadSegments(platform, 3, [2]);
  platform.clock.advance(16 * MINUTE);

  // Act
  const actions = await sweepStuckJobs(deps, SETTINGS);

  // Assess
  expect(actions).toEqual([]);
  expect(await platform.jobs.get(JOB)).toMatchObject({ status: 'chunking_in_progress' });
});

test('triggers the reassembly of a complete job that was never triggered, and only once', async () => {
  // Prepare
  const { platform, deps } = setup();
  await platform.jobs.create(job(platform, { status: 'chunking_complete', total_segments: 2 }));
  for (const index of [0, 1]) {
    await platform.segmentCompletions.put({
      job_id: JOB,
      segment_index: index,
      output_key: `jobs/${JOB}/segments/${index}.mp4`,
      completed_at: platform.clock.now(),
    });
  }
  platform.clock.advance(16 * MINUTE);

  // Act
  const first = await sweepStuckJobs(deps, SETTINGS);
  const second = await sweepStuckJobs(deps, SETTINGS);

  // Assess
  expect(first).toEqual([{ jobId: JOB, action: 'triggered-reassembly' }]);
  expect(second).toEqual([]);
  expect(await platform.reassemblyTriggered.get(JOB)).toBeDefined();
  const sent = await platform.reassemblyQueue.receive({ maxMessages: 10, waitSeconds: 0 });
  expect(sent.map((message) => JSON.parse(message.body) as unknown)).toEqual([{ job_id: JOB }]);
});

test('sends again when the trigger took the lock but nobody started reassembling within the grace', async () => {
  // Prepare
  const { platform, deps } = setup();
  await platform.jobs.create(job(platform, { status: 'chunking_complete', total_segments: 1 }));
  await platform.segmentCompletions.put({
    job_id: JOB,
    segment_index: 0,
    output_key: `jobs/${JOB}/segments/0.mp4`,
    completed_at: platform.clock.now(),
  });
  await platform.reassemblyTriggered.tryCreate(newReassemblyTriggered(JOB, platform.clock.now()));
  platform.clock.advance(16 * MINUTE);

  // Act
  const actions = await sweepStuckJobs(deps, SETTINGS);

  // Assess
  expect(actions).toEqual([{ jobId: JOB, action: 'triggered-reassembly' }]);
});

test('fails a job older than the maximum age, with the reason', async () => {
  // Prepare
  const { platform, deps } = setup();
  await platform.jobs.create(job(platform, { status: 'created' }));
  platform.clock.advance(25 * 60 * MINUTE);

  // Act
  const actions = await sweepStuckJobs(deps, SETTINGS);

  // Assess
  expect(actions).toMatchObject([{ jobId: JOB, action: 'failed' }]);
  const failed = await platform.jobs.get(JOB);
  expect(failed?.status).toBe('failed');
  expect(failed?.error).toContain('stuck in created');
});
