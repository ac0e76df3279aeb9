/**
 * In-memory fakes of the ports, for unit tests of the use cases' decisions only. The real
 * adapters are proven by the contract suites and the end-to-end tests.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { createLogger, type Logger } from '@stereo-spot/logging';
import {
  canTransition,
  type Job,
  type JobId,
  type JobStatus,
  type ReassemblyTriggered,
  type SegmentCompletion,
} from '@stereo-spot/shared-types';
import {
  JobAlreadyExistsError,
  ObjectNotFoundError,
  type Clock,
  type DeadLetterQueue,
  type JobStore,
  type JobTransitionPatch,
  type ListOptions,
  type MediaInfo,
  type MediaProcessor,
  type RgbImage,
  type ObjectInfo,
  type ObjectStorage,
  type Page,
  type PipelinePorts,
  type PresignedRequest,
  type PresignPutOptions,
  type Queue,
  type QueueMessage,
  type ReassemblyTriggeredStore,
  type SegmentCompletionStore,
  type SegmentConversionRequest,
  type TransitionOutcome,
} from '../src';

export class ManualClock implements Clock {
  constructor(public time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

export class MemoryJobStore implements JobStore {
  readonly jobs = new Map<string, Job>();
  constructor(private readonly clock: Clock) {}

  async create(job: Job): Promise<void> {
    if (this.jobs.has(job.job_id)) throw new JobAlreadyExistsError(job.job_id);
    this.jobs.set(job.job_id, { ...job });
  }
  async get(jobId: JobId): Promise<Job | undefined> {
    const job = this.jobs.get(jobId);
    return job && { ...job };
  }
  async transition(jobId: JobId, to: JobStatus, patch: JobTransitionPatch = {}): Promise<TransitionOutcome> {
    const current = this.jobs.get(jobId);
    if (current === undefined || !canTransition(current.status, to)) return { applied: false, current };
    const next: Job = { ...current, ...patch, status: to, updated_at: this.clock.now() };
    this.jobs.set(jobId, next);
    return { applied: true, job: { ...next } };
  }
  private page(filter: (job: Job) => boolean, by: (job: Job) => number, options: ListOptions): Page<Job> {
    const all = [...this.jobs.values()].filter(filter).sort((a, b) => by(b) - by(a));
    const start = options.cursor === undefined ? 0 : Number(options.cursor);
    const items = all.slice(start, start + options.limit);
    const next = start + options.limit;
    return next < all.length ? { items, cursor: String(next) } : { items };
  }
  async listInProgress(options: ListOptions): Promise<Page<Job>> {
    return this.page(
      (j) => j.status !== 'completed' && j.status !== 'failed',
      (j) => j.created_at,
      options,
    );
  }
  async listCompleted(options: ListOptions): Promise<Page<Job>> {
    return this.page(
      (j) => j.status === 'completed',
      (j) => j.completed_at ?? 0,
      options,
    );
  }
  async listFailed(options: ListOptions): Promise<Page<Job>> {
    return this.page(
      (j) => j.status === 'failed',
      (j) => j.created_at,
      options,
    );
  }
  async delete(jobId: JobId): Promise<void> {
    this.jobs.delete(jobId);
  }
}

export class MemoryCompletions implements SegmentCompletionStore {
  readonly items = new Map<string, SegmentCompletion>();
  puts = 0;
  async put(completion: SegmentCompletion): Promise<void> {
    this.puts += 1;
    this.items.set(`${completion.job_id}/${completion.segment_index}`, completion);
  }
  async count(jobId: JobId): Promise<number> {
    return (await this.list(jobId)).length;
  }
  async list(jobId: JobId): Promise<SegmentCompletion[]> {
    return [...this.items.values()]
      .filter((c) => c.job_id === jobId)
      .sort((a, b) => a.segment_index - b.segment_index);
  }
  async deleteForJob(jobId: JobId): Promise<void> {
    for (const [key, c] of this.items) if (c.job_id === jobId) this.items.delete(key);
  }
}

export class MemoryLocks implements ReassemblyTriggeredStore {
  readonly locks = new Map<string, ReassemblyTriggered>();
  async tryCreate(lock: ReassemblyTriggered): Promise<boolean> {
    if (this.locks.has(lock.job_id)) return false;
    this.locks.set(lock.job_id, { ...lock });
    return true;
  }
  async get(jobId: JobId): Promise<ReassemblyTriggered | undefined> {
    return this.locks.get(jobId);
  }
  async tryStart(jobId: JobId, now: number, staleAfterMs: number): Promise<boolean> {
    const lock = this.locks.get(jobId);
    if (lock === undefined) return false;
    if (lock.reassembly_started_at !== undefined && now - lock.reassembly_started_at < staleAfterMs)
      return false;
    this.locks.set(jobId, { ...lock, reassembly_started_at: now });
    return true;
  }
  async delete(jobId: JobId): Promise<void> {
    this.locks.delete(jobId);
  }
}

/** A bucket in memory; `onPut` plays the part of the notification rules. */
export class MemoryStorage implements ObjectStorage {
  readonly objects = new Map<string, Buffer>();
  onPut: (key: string) => void = () => undefined;
  constructor(readonly bucket: string) {}

  async putFile(key: string, filePath: string, options: { ifAbsent?: boolean } = {}): Promise<void> {
    if (options.ifAbsent === true && this.objects.has(key)) {
      throw Object.assign(new Error(`${this.bucket}/${key} already exists`), { code: 'OBJECT_EXISTS' });
    }
    this.objects.set(key, await readFile(filePath));
    this.onPut(key);
  }
  async putBytes(key: string, body: Uint8Array | string): Promise<void> {
    this.objects.set(key, Buffer.from(body));
    this.onPut(key);
  }
  private body(key: string): Buffer {
    const body = this.objects.get(key);
    if (body === undefined) throw new ObjectNotFoundError(this.bucket, key);
    return body;
  }
  async getStream(key: string): Promise<Readable> {
    return Readable.from([this.body(key)]);
  }
  async downloadToFile(key: string, filePath: string): Promise<void> {
    const body = this.body(key);
    await mkdir(path.dirname(filePath), { recursive: true });
    await writeFile(filePath, body);
  }
  async head(key: string): Promise<ObjectInfo | undefined> {
    const body = this.objects.get(key);
    return body && { key, size: body.length };
  }
  async list(prefix: string): Promise<ObjectInfo[]> {
    return [...this.objects.keys()]
      .filter((key) => key.startsWith(prefix))
      .sort()
      .map((key) => ({ key, size: this.objects.get(key)!.length }));
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
  readonly presignedPuts: { key: string; options: PresignPutOptions }[] = [];
  async presignPut(key: string, options: PresignPutOptions): Promise<PresignedRequest> {
    this.presignedPuts.push({ key, options });
    return { url: `memory://${this.bucket}/${key}?put`, method: 'PUT', headers: {}, expiresAt: 0 };
  }
  async presignGet(key: string, options: { downloadFileName?: string }): Promise<PresignedRequest> {
    const name = options.downloadFileName ? `&name=${encodeURIComponent(options.downloadFileName)}` : '';
    return { url: `memory://${this.bucket}/${key}?get${name}`, method: 'GET', headers: {}, expiresAt: 0 };
  }
}

interface StoredMessage {
  id: string;
  body: string;
  visibleAt: number;
  receiveCount: number;
  receipt?: string;
}

/** SQS semantics on the wall clock (the consumer's heartbeat runs on real timers). */
export class MemoryQueue implements Queue {
  readonly messages: StoredMessage[] = [];
  readonly visibilityChanges: { receipt: string; seconds: number }[] = [];
  deleted = 0;
  private seq = 0;
  constructor(
    readonly name: string,
    readonly visibilityTimeoutSeconds = 30,
  ) {}

  async send(body: string): Promise<void> {
    this.seq += 1;
    this.messages.push({ id: `m${this.seq}`, body, visibleAt: 0, receiveCount: 0 });
  }
  async receive(options: {
    maxMessages: number;
    visibilityTimeoutSeconds?: number;
  }): Promise<QueueMessage[]> {
    const now = Date.now();
    const out: QueueMessage[] = [];
    for (const m of this.messages) {
      if (out.length >= options.maxMessages) break;
      if (m.visibleAt > now) continue;
      this.seq += 1;
      m.receiveCount += 1;
      m.receipt = `r${this.seq}`;
      m.visibleAt = now + (options.visibilityTimeoutSeconds ?? this.visibilityTimeoutSeconds) * 1000;
      out.push({ messageId: m.id, receiptHandle: m.receipt, body: m.body, receiveCount: m.receiveCount });
    }
    return out;
  }
  async delete(receiptHandle: string): Promise<void> {
    const index = this.messages.findIndex((m) => m.receipt === receiptHandle);
    if (index >= 0) {
      this.messages.splice(index, 1);
      this.deleted += 1;
    }
  }
  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    this.visibilityChanges.push({ receipt: receiptHandle, seconds });
    const m = this.messages.find((x) => x.receipt === receiptHandle);
    if (m) m.visibleAt = Date.now() + seconds * 1000;
  }
  async depth() {
    const now = Date.now();
    return {
      visible: this.messages.filter((m) => m.visibleAt <= now).length,
      inFlight: this.messages.filter((m) => m.visibleAt > now).length,
    };
  }
}

/**
 * Media plumbing on text files: a "video" is a file whose lines are frames; split makes
 * `segmentSeconds`-line files, concat joins them and appends the audio source's name.
 */
export class TextMedia implements MediaProcessor {
  concats: { segments: string[]; audio: string | undefined }[] = [];
  async probe(filePath: string): Promise<MediaInfo> {
    const text = (await readFile(filePath, 'utf8')).trim();
    if (text === '' || text.startsWith('corrupt')) {
      throw Object.assign(new Error(`unreadable media: ${path.basename(filePath)}`), { permanent: true });
    }
    return {
      durationSeconds: text.split('\n').length,
      hasVideo: !text.startsWith('audio-only'),
      hasAudio: true,
    };
  }
  async split(filePath: string, segmentSeconds: number, outputDir: string): Promise<{ files: string[] }> {
    const frames = (await readFile(filePath, 'utf8')).trim().split('\n');
    await mkdir(outputDir, { recursive: true });
    const files: string[] = [];
    for (let i = 0; i * segmentSeconds < frames.length; i += 1) {
      const file = path.join(outputDir, `${i}.mp4`);
      await writeFile(file, frames.slice(i * segmentSeconds, (i + 1) * segmentSeconds).join('\n'));
      files.push(file);
    }
    return { files };
  }
  async concat(
    segmentPaths: readonly string[],
    audio: string | undefined,
    outputPath: string,
  ): Promise<void> {
    this.concats.push({ segments: [...segmentPaths], audio });
    const parts = await Promise.all(segmentPaths.map((p) => readFile(p, 'utf8')));
    await writeFile(outputPath, `${parts.join('\n')}\n[audio]`);
  }
  async firstFrame(filePath: string, { width }: { width: number }): Promise<RgbImage> {
    await this.probe(filePath);
    return { width, height: 1, data: new Uint8Array(width * 3) };
  }
}

export function captureLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: createLogger({ name: 'test', level: 'debug', destination }), lines };
}

export interface MemoryPlatform extends PipelinePorts {
  readonly inputStorage: MemoryStorage;
  readonly outputStorage: MemoryStorage;
  readonly jobs: MemoryJobStore;
  readonly segmentCompletions: MemoryCompletions;
  readonly reassemblyTriggered: MemoryLocks;
  readonly chunkingQueue: MemoryQueue;
  readonly videoQueue: MemoryQueue;
  readonly reassemblyQueue: MemoryQueue;
  readonly clock: ManualClock;
}

const noDlq = (name: string) => new MemoryQueue(`${name}-dlq`) as unknown as DeadLetterQueue;

export function memoryPlatform(): MemoryPlatform {
  const clock = new ManualClock();
  const chunkingQueue = new MemoryQueue('chunking');
  const videoQueue = new MemoryQueue('video-worker');
  const reassemblyQueue = new MemoryQueue('reassembly');
  return {
    clock,
    inputStorage: new MemoryStorage('input'),
    outputStorage: new MemoryStorage('output'),
    jobs: new MemoryJobStore(clock),
    segmentCompletions: new MemoryCompletions(),
    reassemblyTriggered: new MemoryLocks(),
    chunkingQueue,
    videoQueue,
    reassemblyQueue,
    queues: {
      chunking: { queue: chunkingQueue, deadLetter: noDlq('chunking') },
      'video-worker': { queue: videoQueue, deadLetter: noDlq('video-worker') },
      reassembly: { queue: reassemblyQueue, deadLetter: noDlq('reassembly') },
    },
  };
}

/** Converts a text "segment" by prefixing every frame with the mode, like a real backend would re-encode it. */
export function textInference(platform: MemoryPlatform) {
  const calls: { jobId: string; segmentIndex: number; mode: string; divergence: number }[] = [];
  return {
    calls,
    inference: {
      name: 'text',
      async convertSegment(request: SegmentConversionRequest) {
        calls.push({
          jobId: request.jobId,
          segmentIndex: request.segmentIndex,
          mode: request.mode,
          divergence: request.stereo.divergence,
        });
        const body = platform.inputStorage.objects.get(request.inputKey);
        if (body === undefined) throw new ObjectNotFoundError('input', request.inputKey);
        const frames = body.toString('utf8').split('\n');
        await platform.outputStorage.putBytes(
          request.outputKey,
          frames.map((f) => `${request.mode}:${f}`).join('\n'),
        );
        return { frames: frames.length, seconds: 0 };
      },
    },
  };
}
