import { readdir } from 'node:fs/promises';
import { captureLogger } from '@stereo-spot/logging/testing';
import { finalKey, inputKey, segmentOutputKey } from '@stereo-spot/shared-types';
import { handleReassemblyMessage } from '../../src/use-cases/reassembly';
import {
  InvalidMessageError,
  ReassemblyBusyError,
  SegmentsMissingError,
  SourceMissingError,
} from '../../src/errors';
import { memoryPlatform, type MemoryPlatform } from '../../src/testing';
import { TextMedia } from '../fakes';
import { JOB, seedJob, useScratchDir } from './support';

const scratchDir = useScratchDir();

describe('handleReassemblyMessage', () => {
  const body = JSON.stringify({ job_id: JOB });

  async function convertedJob(platform: MemoryPlatform, total: number) {
    await seedJob(platform, { status: 'chunking_complete', total_segments: total });
    await platform.inputStorage.putBytes(inputKey(JOB), 'source');
    await platform.reassemblyTriggered.tryCreate({ job_id: JOB, triggered_at: 1, ttl: 2 });
    // completions arrive out of order
    for (const i of [...Array(total).keys()].reverse()) {
      await platform.outputStorage.putBytes(segmentOutputKey(JOB, i), `s${i}`);
      await platform.segmentCompletions.put({
        job_id: JOB,
        segment_index: i,
        output_key: segmentOutputKey(JOB, i),
        completed_at: 1,
      });
    }
  }
  const deps = (platform: MemoryPlatform, media = new TextMedia()) => ({
    ...platform,
    media,
    scratchDir: scratchDir(),
    staleAfterMs: 60_000,
  });

  it('concatenates in index order with the source audio and completes the job', async () => {
    // Prepare
    const platform = memoryPlatform();
    await convertedJob(platform, 3);
    const media = new TextMedia();
    const { logger } = captureLogger();

    // Act
    const outcome = await handleReassemblyMessage(deps(platform, media), body, { logger });

    // Assess
    expect(outcome).toEqual({ jobId: JOB, outcome: 'reassembled', segments: 3 });
    expect(platform.outputStorage.objects.get(finalKey(JOB))?.toString()).toBe('s0\ns1\ns2\n[audio]');
    expect(media.concats[0]?.audio).toMatch(/source\.mp4$/);
    expect(await platform.jobs.get(JOB)).toMatchObject({
      status: 'completed',
      completed_at: platform.clock.now(),
    });
    expect(await readdir(scratchDir())).toEqual([]);
  });

  it('only repairs the status when final.mp4 already exists', async () => {
    // Prepare
    const platform = memoryPlatform();
    await convertedJob(platform, 2);
    await platform.outputStorage.putBytes(finalKey(JOB), 'done before');
    const media = new TextMedia();

    // Act
    const outcome = await handleReassemblyMessage(deps(platform, media), body, {
      logger: captureLogger().logger,
    });

    // Assess
    expect(outcome.outcome).toBe('status-repaired');
    expect(media.concats).toEqual([]);
    expect((await platform.jobs.get(JOB))?.status).toBe('completed');
  });

  it('leaves the message for later while another worker holds a fresh start lock, takes over a stale one', async () => {
    // Prepare
    const platform = memoryPlatform();
    await convertedJob(platform, 1);
    await platform.reassemblyTriggered.tryStart(JOB, platform.clock.now(), 60_000);
    const { logger } = captureLogger();

    // Act
    const busy = handleReassemblyMessage(deps(platform), body, { logger });
    await expect(busy).rejects.toThrow(ReassemblyBusyError);
    await expect(busy).rejects.toMatchObject({ permanent: false });
    platform.clock.advance(60_000);
    const takeover = await handleReassemblyMessage(deps(platform), body, { logger });

    // Assess
    expect(takeover.outcome).toBe('reassembled');
  });

  it('is a no-op for a completed job, and refuses (transiently) when a completion or object is missing', async () => {
    // Prepare
    const platform = memoryPlatform();
    await convertedJob(platform, 3);
    platform.segmentCompletions.items.delete(`${JOB}/1`);
    const { logger } = captureLogger();

    // Act + Assess
    const missingCompletion = handleReassemblyMessage(deps(platform), body, { logger });
    await expect(missingCompletion).rejects.toThrow(SegmentsMissingError);
    await expect(missingCompletion).rejects.toMatchObject({ permanent: false, missing: [1] });

    platform.clock.advance(60_000);
    await platform.segmentCompletions.put({
      job_id: JOB,
      segment_index: 1,
      output_key: segmentOutputKey(JOB, 1),
      completed_at: 1,
    });
    await platform.outputStorage.delete(segmentOutputKey(JOB, 2));
    await expect(handleReassemblyMessage(deps(platform), body, { logger })).rejects.toThrow(
      'converted segment objects missing for segment(s) 2',
    );

    platform.jobs.jobs.set(JOB, { ...platform.jobs.jobs.get(JOB)!, status: 'completed' });
    expect(await handleReassemblyMessage(deps(platform), body, { logger })).toMatchObject({
      outcome: 'skipped',
    });
  });

  it('creates the trigger lock itself when an operator sent the message by hand', async () => {
    // Prepare
    const platform = memoryPlatform();
    await convertedJob(platform, 1);
    platform.reassemblyTriggered.locks.clear();

    // Act
    const outcome = await handleReassemblyMessage(deps(platform), body, { logger: captureLogger().logger });

    // Assess
    expect(outcome.outcome).toBe('reassembled');
    expect(platform.reassemblyTriggered.locks.get(JOB)?.reassembly_started_at).toBe(platform.clock.now());
  });

  it('rejects a body that is not {"job_id": uuid}', async () => {
    // Prepare
    const platform = memoryPlatform();

    // Act
    const outcome = handleReassemblyMessage(deps(platform), '{"job_id":"x"}', { logger: captureLogger().logger });

    // Assess
    await expect(outcome).rejects.toThrow(InvalidMessageError);
  });

  it('fails permanently with a readable reason when the source is gone', async () => {
    // Prepare
    const platform = memoryPlatform();
    await convertedJob(platform, 2);
    await platform.inputStorage.delete(inputKey(JOB));

    // Act
    const outcome = handleReassemblyMessage(deps(platform), body, { logger: captureLogger().logger });

    // Assess
    await expect(outcome).rejects.toThrow(SourceMissingError);
    await expect(outcome).rejects.toMatchObject({
      permanent: true,
      message: `the source video of job ${JOB} is missing (deleted, or never uploaded): the final video cannot be assembled with its audio`,
    });
    expect(platform.outputStorage.objects.has(finalKey(JOB))).toBe(false);
  });

  it('writes no final when the lease was lost during the concatenation', async () => {
    // Prepare
    const platform = memoryPlatform();
    await convertedJob(platform, 2);
    const lost = new Error('lost the lease');

    // Act
    const outcome = handleReassemblyMessage(deps(platform), body, {
      logger: captureLogger().logger,
      assertLease: () => Promise.reject(lost),
    });

    // Assess
    await expect(outcome).rejects.toBe(lost);
    expect(platform.outputStorage.objects.has(finalKey(JOB))).toBe(false);
    expect((await platform.jobs.get(JOB))?.status).toBe('chunking_complete');
  });
});
