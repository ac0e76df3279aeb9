import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  buildS3NotificationBody,
  finalKey,
  inputKey,
  segmentKey,
  segmentOutputKey,
  toJobId,
  type Job,
  type OutputMode,
} from '@stereo-spot/shared-types';
import {
  createJob,
  decideReassemblyTriggers,
  deleteJob,
  describeJob,
  failJob,
  handleChunkingMessage,
  handleReassemblyMessage,
  handleSegmentMessage,
  InvalidMediaError,
  InvalidMessageError,
  InvalidRequestError,
  ReassemblyBusyError,
  recoverChunking,
  SegmentsMissingError,
  SourceMissingError,
  removeDeadScratchDirs,
  type SegmentCompletionChange,
} from '../src';
import { captureLogger, memoryPlatform, TextMedia, textInference, type MemoryPlatform } from './fakes';

const JOB = toJobId('3f2b8c1e-6d4a-4b9e-8f00-1234567890ab');
let scratchDir: string;

beforeEach(async () => {
  scratchDir = await mkdtemp(path.join(os.tmpdir(), 'pipeline-test-'));
});
afterEach(async () => {
  await rm(scratchDir, { recursive: true, force: true });
});

function s3Body(key: string): string {
  return buildS3NotificationBody({ bucket: 'input', key, size: 1 });
}

function frames(count: number): string {
  return Array.from({ length: count }, (_, i) => `frame${i}`).join('\n');
}

async function seedJob(
  platform: MemoryPlatform,
  patch: Partial<Job> = {},
  mode: OutputMode = 'sbs',
): Promise<Job> {
  const job: Job = {
    job_id: JOB,
    mode,
    status: 'created',
    created_at: platform.clock.now(),
    stereo: { divergence: 3, convergence: 0.4, anaglyph_method: 'dubois' },
    source_file_name: 'holiday.mov',
    ...patch,
  };
  platform.jobs.jobs.set(JOB, job);
  return job;
}

const NO_LIMITS = { maxPixels: Infinity, maxFrameRate: Infinity, maxDurationSeconds: Infinity };

function chunkingDeps(platform: MemoryPlatform, media = new TextMedia()) {
  return { ...platform, media, segmentSeconds: 4, scratchDir, limits: NO_LIMITS };
}

function change(segmentIndex: number, eventName: SegmentCompletionChange['eventName'] = 'INSERT') {
  return { eventName, jobId: JOB, segmentIndex, sequenceNumber: `seq-${segmentIndex}-${eventName}` };
}

describe('createJob', () => {
  const deps = (platform: MemoryPlatform) => ({
    ...platform,
    ids: { newJobId: () => JOB },
    maxUploadBytes: 1000,
    uploadUrlTtlSeconds: 600,
  });

  it('stores a created job with the defaults and returns a presigned upload for its input key', async () => {
    // Prepare
    const platform = memoryPlatform();

    // Act
    const created = await createJob(deps(platform), { file_name: 'clip.mp4' });

    // Assess
    expect(created.job).toMatchObject({
      job_id: JOB,
      status: 'created',
      mode: 'anaglyph',
      stereo: { divergence: 2, convergence: 0.5, anaglyph_method: 'dubois' },
      source_file_name: 'clip.mp4',
    });
    expect(await platform.jobs.get(JOB)).toEqual(created.job);
    expect(created.upload).toMatchObject({ method: 'PUT', max_bytes: 1000 });
    expect(created.upload.url).toContain(inputKey(JOB));
    expect(platform.inputStorage.presignedPuts[0]?.options).toEqual({
      expiresInSeconds: 600,
      maxBytes: 1000,
    });
  });

  it('binds the upload URL to the announced file size', async () => {
    // Prepare
    const platform = memoryPlatform();

    // Act
    await createJob(deps(platform), { file_name: 'clip.mp4', file_size: 640 });

    // Assess
    expect(platform.inputStorage.presignedPuts[0]?.options).toEqual({
      expiresInSeconds: 600,
      maxBytes: 1000,
      contentLength: 640,
    });
  });

  it('requires file_size where the storage can bind only an exact upload size (S3)', async () => {
    // Prepare
    const platform = memoryPlatform();
    Object.assign(platform.inputStorage, { uploadSizeMustBeAnnounced: true });

    // Act
    const creating = createJob(deps(platform), { file_name: 'clip.mp4' });

    // Assess
    await expect(creating).rejects.toThrow(/^file_size: required: /);
    expect(platform.jobs.jobs.size).toBe(0);
    expect(platform.inputStorage.presignedPuts).toEqual([]);
  });

  it('refuses a bad request and an oversized file with readable messages, storing nothing', async () => {
    // Prepare
    const platform = memoryPlatform();

    // Act
    const badMode = createJob(deps(platform), { file_name: 'a.mp4', mode: 'hologram' });
    const tooBig = createJob(deps(platform), { file_name: 'a.mp4', file_size: 1001 });
    const slash = createJob(deps(platform), { file_name: '../a.mp4' });

    // Assess
    await expect(badMode).rejects.toThrow(InvalidRequestError);
    await expect(badMode).rejects.toThrow(/^mode: /);
    await expect(tooBig).rejects.toThrow('file_size: 1001 bytes is over the upload limit of 1000 bytes');
    await expect(slash).rejects.toThrow('file_name must not contain slashes');
    expect(platform.jobs.jobs.size).toBe(0);
  });
});

describe('handleChunkingMessage', () => {
  it('uploads canonical video segments and ends with total_segments + chunking_complete', async () => {
    // Prepare
    const platform = memoryPlatform();
    await seedJob(platform);
    await platform.inputStorage.putBytes(inputKey(JOB), frames(10));
    const { logger } = captureLogger();

    // Act
    const outcomes = await handleChunkingMessage(chunkingDeps(platform), s3Body(inputKey(JOB)), { logger });

    // Assess
    expect(outcomes).toEqual([{ jobId: JOB, outcome: 'chunked', totalSegments: 3 }]);
    const keys = (await platform.inputStorage.list(`segments/${JOB}/`)).map((o) => o.key);
    expect(keys).toEqual(
      [0, 1, 2].map((i) => segmentKey({ jobId: JOB, segmentIndex: i, totalSegments: 3, mode: 'sbs' })),
    );
    expect(await platform.jobs.get(JOB)).toMatchObject({ status: 'chunking_complete', total_segments: 3 });
    expect(await readdir(scratchDir)).toEqual([]);
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
    await handleChunkingMessage(chunkingDeps(platform), s3Body(inputKey(JOB)), { logger });
    const again = await handleChunkingMessage(chunkingDeps(platform), s3Body(inputKey(JOB)), { logger });

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
    const corrupt = handleChunkingMessage(chunkingDeps(platform), s3Body(inputKey(JOB)), { logger });
    await expect(corrupt).rejects.toMatchObject({ permanent: true });
    await platform.inputStorage.putBytes(inputKey(JOB), 'audio-only\nx');
    const noVideo = handleChunkingMessage(chunkingDeps(platform), s3Body(inputKey(JOB)), { logger });

    // Assess
    await expect(noVideo).rejects.toThrow(InvalidMediaError);
    await expect(noVideo).rejects.toThrow('the uploaded file has no video stream');
    expect(await readdir(scratchDir)).toEqual([]);
  });

  it('rejects bodies it cannot understand and ignores the S3 test event', async () => {
    // Prepare
    const platform = memoryPlatform();
    const { logger } = captureLogger();
    const deps = chunkingDeps(platform);

    // Act + Assess
    await expect(handleChunkingMessage(deps, 'not json', { logger })).rejects.toThrow(InvalidMessageError);
    await expect(handleChunkingMessage(deps, s3Body(`input/${JOB}/other.mp4`), { logger })).rejects.toThrow(
      InvalidMessageError,
    );
    await expect(
      handleChunkingMessage(deps, s3Body(`segments/${JOB}/00000_00001_sbs.mp4`), { logger }),
    ).rejects.toThrow('expected a input key');
    expect(await handleChunkingMessage(deps, JSON.stringify({ Event: 's3:TestEvent' }), { logger })).toEqual(
      [],
    );
  });

  it('skips a job that no longer exists', async () => {
    // Prepare
    const platform = memoryPlatform();
    const { logger, lines } = captureLogger();

    // Act
    const outcomes = await handleChunkingMessage(chunkingDeps(platform), s3Body(inputKey(JOB)), { logger });

    // Assess
    expect(outcomes[0]).toMatchObject({ outcome: 'skipped', reason: 'job not found (deleted?)' });
    expect(lines.at(-1)?.msg).toBe(`job_id=${JOB} chunking skipped: job not found (deleted?)`);
  });
});

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
    const outcomes = await handleSegmentMessage({ ...platform, inference }, s3Body(key(1)), { logger });

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
    await handleSegmentMessage({ ...platform, inference }, s3Body(key(0)), { logger });
    const second = await handleSegmentMessage({ ...platform, inference }, s3Body(key(0)), { logger });

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
    const outcome = handleSegmentMessage({ ...platform, inference }, s3Body(key(0)), {
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
    const missing = await handleSegmentMessage({ ...platform, inference }, s3Body(key(0)), { logger });
    await seedJob(platform, { status: 'failed', error: 'x' });
    const failed = await handleSegmentMessage({ ...platform, inference }, s3Body(key(0)), { logger });

    // Assess
    expect(missing[0]).toMatchObject({ outcome: 'skipped', reason: 'job not found (deleted?)' });
    expect(failed[0]).toMatchObject({ outcome: 'skipped', reason: 'status is failed' });
    expect(calls).toEqual([]);
  });
});

describe('decideReassemblyTriggers', () => {
  async function completeSegments(platform: MemoryPlatform, count: number) {
    for (let i = 0; i < count; i += 1) {
      await platform.segmentCompletions.put({
        job_id: JOB,
        segment_index: i,
        output_key: segmentOutputKey(JOB, i),
        completed_at: 1,
      });
    }
  }
  const deps = (platform: MemoryPlatform, logger = captureLogger().logger) => ({
    ...platform,
    reassemblyQueue: platform.reassemblyQueue,
    logger,
  });

  it('logs the reason of every skip', async () => {
    // Prepare
    const platform = memoryPlatform();
    const { logger, lines } = captureLogger();

    // Act
    await decideReassemblyTriggers(deps(platform, logger), [change(0)]);
    await seedJob(platform, { status: 'chunking_in_progress' });
    await decideReassemblyTriggers(deps(platform, logger), [change(0)]);
    await seedJob(platform, { status: 'chunking_complete', total_segments: 3 });
    await completeSegments(platform, 2);
    await decideReassemblyTriggers(deps(platform, logger), [change(1)]);

    // Assess
    expect(lines.map((l) => l.msg)).toEqual([
      `job_id=${JOB} skip: job not found`,
      `job_id=${JOB} skip: status chunking_in_progress is not chunking_complete`,
      `job_id=${JOB} skip: count 2 != total_segments 3`,
    ]);
    expect(platform.reassemblyQueue.messages).toEqual([]);
  });

  it('takes the lock once and sends {"job_id"} when the last completion arrives', async () => {
    // Prepare
    const platform = memoryPlatform();
    await seedJob(platform, { status: 'chunking_complete', total_segments: 2 });
    await completeSegments(platform, 2);
    const { logger, lines } = captureLogger();

    // Act: one batch with both records of the job, and a REMOVE that is ignored
    const result = await decideReassemblyTriggers(deps(platform, logger), [
      change(0),
      change(1),
      change(0, 'REMOVE'),
    ]);

    // Assess
    expect(result.decisions).toEqual([{ jobId: JOB, decision: 'sent', lock: 'created' }]);
    expect(result.failedSequenceNumbers).toEqual([]);
    expect(platform.reassemblyQueue.messages.map((m) => JSON.parse(m.body))).toEqual([{ job_id: JOB }]);
    expect(platform.reassemblyTriggered.locks.get(JOB)).toMatchObject({
      job_id: JOB,
      triggered_at: platform.clock.now(),
    });
    expect(lines.map((l) => l.msg)).toEqual([
      `job_id=${JOB} should trigger`,
      `job_id=${JOB} created ReassemblyTriggered`,
      `job_id=${JOB} sending to reassembly queue`,
    ]);
  });

  it('reports a failed send for redelivery, and the redelivery sends it although the lock exists', async () => {
    // Prepare
    const platform = memoryPlatform();
    await seedJob(platform, { status: 'chunking_complete', total_segments: 1 });
    await completeSegments(platform, 1);
    const send = platform.reassemblyQueue.send.bind(platform.reassemblyQueue);
    platform.reassemblyQueue.send = async () => {
      throw new Error('throttled');
    };

    // Act
    const failed = await decideReassemblyTriggers(deps(platform), [change(0)]);
    platform.reassemblyQueue.send = send;
    const retried = await decideReassemblyTriggers(deps(platform), [change(0)]);

    // Assess
    expect(failed.failedSequenceNumbers).toEqual(['seq-0-INSERT']);
    expect(retried.decisions).toEqual([{ jobId: JOB, decision: 'sent', lock: 'existed' }]);
    expect(platform.reassemblyQueue.messages).toHaveLength(1);
  });

  it('does not send again once a worker has started reassembling', async () => {
    // Prepare
    const platform = memoryPlatform();
    await seedJob(platform, { status: 'chunking_complete', total_segments: 1 });
    await completeSegments(platform, 1);
    await decideReassemblyTriggers(deps(platform), [change(0)]);
    await platform.reassemblyTriggered.tryStart(JOB, platform.clock.now(), 60_000);

    // Act
    const duplicate = await decideReassemblyTriggers(deps(platform), [change(0, 'MODIFY')]);

    // Assess
    expect(duplicate.decisions[0]).toMatchObject({ decision: 'skipped' });
    expect(platform.reassemblyQueue.messages).toHaveLength(1);
  });
});

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
    scratchDir,
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
    expect(await readdir(scratchDir)).toEqual([]);
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
    await expect(
      handleReassemblyMessage(deps(memoryPlatform()), '{"job_id":"x"}', { logger: captureLogger().logger }),
    ).rejects.toThrow(InvalidMessageError);
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

describe('deleteJob and describeJob', () => {
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
    expect(completed.download_url).toContain(encodeURIComponent('holiday_LRF_Full_SBS.mp4'));
    expect(completed.playback_url).toContain(finalKey(JOB));
  });
});

describe('removeDeadScratchDirs', () => {
  it("removes the folders of dead workers and keeps live ones' and unrelated folders", async () => {
    // Prepare
    const { mkdir, writeFile } = await import('node:fs/promises');
    for (const name of ['segment-a-pid111-x1', 'chunk-b-pid222-x2', `reassemble-c-pid${process.pid}-x3`, 'previews']) {
      await mkdir(path.join(scratchDir, name));
      await writeFile(path.join(scratchDir, name, 'input.mp4'), 'partial');
    }

    // Act
    const removed = await removeDeadScratchDirs(scratchDir, { isAlive: (pid) => pid === 222 });

    // Assess
    expect(removed).toEqual(['segment-a-pid111-x1']);
    expect((await readdir(scratchDir)).sort()).toEqual(['chunk-b-pid222-x2', 'previews', `reassemble-c-pid${process.pid}-x3`]);
  });
});
