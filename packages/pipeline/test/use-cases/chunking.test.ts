import { readdir } from 'node:fs/promises';
import { captureLogger } from '@stereo-spot/logging/testing';
import { inputKey, segmentKey } from '@stereo-spot/shared-types';
import { handleChunkingMessage } from '../../src/use-cases/chunking';
import { InvalidMediaError, InvalidMessageError } from '../../src/errors';
import { memoryPlatform, type MemoryPlatform } from '../../src/testing';
import { TextMedia } from '../fakes';
import { frames, JOB, NO_LIMITS, created, seedJob, useScratchDir } from './support';

const scratchDir = useScratchDir();

function chunkingDeps(platform: MemoryPlatform, media = new TextMedia()) {
  return { ...platform, media, segmentSeconds: 4, scratchDir: scratchDir(), limits: NO_LIMITS };
}

describe('handleChunkingMessage', () => {
  it('uploads canonical video segments and ends with total_segments + chunking_complete', async () => {
    // Prepare
    const platform = memoryPlatform();
    await seedJob(platform);
    await platform.inputStorage.putBytes(inputKey(JOB), frames(10));
    const { logger } = captureLogger();

    // Act
    const outcomes = await handleChunkingMessage(chunkingDeps(platform), created(inputKey(JOB)), { logger });

    // Assess
    expect(outcomes).toEqual([{ jobId: JOB, outcome: 'chunked', totalSegments: 3 }]);
    const keys = (await platform.inputStorage.list(`segments/${JOB}/`)).map((o) => o.key);
    expect(keys).toEqual(
      [0, 1, 2].map((i) => segmentKey({ jobId: JOB, segmentIndex: i, totalSegments: 3, mode: 'sbs' })),
    );
    expect(await platform.jobs.get(JOB)).toMatchObject({ status: 'chunking_complete', total_segments: 3 });
    expect(await readdir(scratchDir())).toEqual([]);
  });

  it('is idempotent: a redelivery after a crash re-uploads nothing and completes the job once', async () => {
    // Prepare: a first delivery died after uploading segment 0
    const platform = memoryPlatform();
    await seedJob(platform, { status: 'chunking_in_progress' });
    await platform.inputStorage.putBytes(inputKey(JOB), frames(10));
    const first = segmentKey({ jobId: JOB, segmentIndex: 0, totalSegments: 3, mode: 'sbs' });
    await platform.inputStorage.putBytes(first, 'frame0\nframe1\nframe2\nframe3');
    const puts: string[] = [];
    platform.inputStorage.onPut = (key) => puts.push(key);
    const { logger } = captureLogger();

    // Act
    await handleChunkingMessage(chunkingDeps(platform), created(inputKey(JOB)), { logger });
    const again = await handleChunkingMessage(chunkingDeps(platform), created(inputKey(JOB)), { logger });

    // Assess
    expect(puts).toHaveLength(2);
    expect(puts).not.toContain(first);
    expect(again).toEqual([{ jobId: JOB, outcome: 'skipped', reason: 'status is chunking_complete' }]);
    expect(await platform.jobs.get(JOB)).toMatchObject({ status: 'chunking_complete', total_segments: 3 });
  });

  it('lets unreadable media and media without video fail permanently', async () => {
    // Prepare
    const platform = memoryPlatform();
    await seedJob(platform);
    const { logger } = captureLogger();

    // Act
    await platform.inputStorage.putBytes(inputKey(JOB), 'corrupt bytes');
    const corrupt = handleChunkingMessage(chunkingDeps(platform), created(inputKey(JOB)), { logger });
    await expect(corrupt).rejects.toMatchObject({ permanent: true });
    await platform.inputStorage.putBytes(inputKey(JOB), 'audio-only\nx');
    const noVideo = handleChunkingMessage(chunkingDeps(platform), created(inputKey(JOB)), { logger });

    // Assess
    await expect(noVideo).rejects.toThrow(InvalidMediaError);
    await expect(noVideo).rejects.toThrow('the uploaded file has no video stream');
    expect(await readdir(scratchDir())).toEqual([]);
  });

  it('rejects keys that are not a source upload and ignores a test event', async () => {
    // Prepare
    const platform = memoryPlatform();
    const { logger } = captureLogger();
    const deps = chunkingDeps(platform);

    // Act + Assess
    await expect(handleChunkingMessage(deps, created(`input/${JOB}/other.mp4`), { logger })).rejects.toThrow(
      InvalidMessageError,
    );
    await expect(
      handleChunkingMessage(deps, created(`segments/${JOB}/00000_00001_sbs.mp4`), { logger }),
    ).rejects.toThrow('expected a input key');
    expect(await handleChunkingMessage(deps, { kind: 'test-event' }, { logger })).toEqual([]);
  });

  it('skips a job that no longer exists', async () => {
    // Prepare
    const platform = memoryPlatform();
    const { logger, lines } = captureLogger();

    // Act
    const outcomes = await handleChunkingMessage(chunkingDeps(platform), created(inputKey(JOB)), { logger });

    // Assess
    expect(outcomes[0]).toMatchObject({ outcome: 'skipped', reason: 'job not found (deleted?)' });
    expect(lines.at(-1)?.msg).toBe(`job_id=${JOB} chunking skipped: job not found (deleted?)`);
  });
});
