import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { finalKey, inputKey, toJobId } from '@stereo-spot/shared-types';
import { createJob } from '../src/use-cases/create-job';
import { decideReassemblyTriggers } from '../src/use-cases/reassembly-trigger';
import { handleChunkingMessage } from '../src/use-cases/chunking';
import { handleReassemblyMessage } from '../src/use-cases/reassembly';
import { handleSegmentMessage } from '../src/use-cases/segment-conversion';
import { readObjectEvents } from '../src/use-cases/messages';
import { type SegmentCompletionChange } from '../src/ports/segment-completions';
import { captureLogger } from '@stereo-spot/logging/testing';
import { memoryPlatform, type MemoryQueue } from '../src/testing';
import { TextMedia, textInference } from './fakes';

const JOB = toJobId('0b5e8d8e-0000-4000-8000-00000000abcd');

/**
 * The whole job on the in-memory ports, with the notification rules and the completions stream
 * wired like both platforms wire them, and every message delivered twice.
 */
describe('one job through every use case, every message delivered twice', () => {
  let scratchDir: string;
  beforeEach(async () => {
    scratchDir = await mkdtemp(path.join(os.tmpdir(), 'pipeline-flow-'));
  });
  afterEach(async () => {
    await rm(scratchDir, { recursive: true, force: true });
  });

  it('ends completed with the segments joined in order, one reassembly, each segment converted once', async () => {
    // Prepare
    const platform = memoryPlatform();
    const { logger } = captureLogger();
    const media = new TextMedia();
    const { inference, calls } = textInference(platform);
    const notify = (queue: MemoryQueue, key: string) =>
      queue.send(platform.objectEvents.encodeCreated({ key, size: 1 }));
    platform.inputStorage.onPut = (key) => {
      if (key.startsWith('input/')) void notify(platform.chunkingQueue, key);
      if (key.startsWith('segments/')) void notify(platform.videoQueue, key);
    };
    const stream: SegmentCompletionChange[] = [];
    const put = platform.segmentCompletions.put.bind(platform.segmentCompletions);
    platform.segmentCompletions.put = async (completion) => {
      await put(completion);
      stream.push({
        kind: 'inserted',
        subject: 'segment-completion',
        jobId: completion.job_id,
        segmentIndex: completion.segment_index,
        position: String(stream.length),
      });
    };
    const deps = {
      ...platform,
      media,
      inference,
      logger,
      scratchDir,
      segmentSeconds: 3,
      staleAfterMs: 60_000,
      limits: { maxPixels: Infinity, maxFrameRate: Infinity, maxDurationSeconds: Infinity },
    };
    const drain = async (queue: MemoryQueue, handle: (body: string) => Promise<unknown>) => {
      while (queue.messages.length > 0) {
        const message = queue.messages.shift()!;
        await handle(message.body);
        await handle(message.body);
      }
    };

    // Act
    await createJob(
      { ...deps, ids: { newJobId: () => JOB }, maxUploadBytes: 100, uploadUrlTtlSeconds: 60 },
      {
        file_name: 'walk.mp4',
        mode: 'half-sbs',
      },
    );
    await platform.inputStorage.putBytes(inputKey(JOB), 'f0\nf1\nf2\nf3\nf4\nf5\nf6');
    await drain(platform.chunkingQueue, (body) =>
      handleChunkingMessage(deps, readObjectEvents(platform.objectEvents, body), { logger }),
    );
    await drain(platform.videoQueue, (body) =>
      handleSegmentMessage(deps, readObjectEvents(platform.objectEvents, body), { logger }),
    );
    const changes = stream.splice(0);
    await decideReassemblyTriggers({ ...deps, reassemblyQueue: platform.reassemblyQueue }, changes);
    await decideReassemblyTriggers({ ...deps, reassemblyQueue: platform.reassemblyQueue }, changes);
    await drain(platform.reassemblyQueue, (body) => handleReassemblyMessage(deps, body, { logger }));

    // Assess
    expect(await platform.jobs.get(JOB)).toMatchObject({ status: 'completed', total_segments: 3 });
    expect(platform.outputStorage.objects.get(finalKey(JOB))?.toString()).toBe(
      'half-sbs:f0\nhalf-sbs:f1\nhalf-sbs:f2\nhalf-sbs:f3\nhalf-sbs:f4\nhalf-sbs:f5\nhalf-sbs:f6\n[audio]',
    );
    expect(media.concats).toHaveLength(1);
    expect(calls.map((c) => c.segmentIndex).sort()).toEqual([0, 1, 2]);
  });
});
