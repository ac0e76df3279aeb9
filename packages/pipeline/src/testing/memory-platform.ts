import { objectsCreatedMessageFormat } from '../ports/object-events';
import type { PipelinePorts } from '../ports/platform';
import type { QueuePair, QueueRole } from '../ports/queue';
import { ManualClock } from './manual-clock';
import { MemoryDeadLetterQueue, MemoryQueue } from './memory-queue';
import { MemoryStorage } from './memory-storage';
import { MemoryCompletions, MemoryJobStore, MemoryLocks } from './memory-stores';

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

/** The embedded platform's default redrive limit (LOCAL_QUEUE_MAX_RECEIVE_COUNT). */
const MAX_RECEIVE_COUNT = 3;

function queuePair(role: QueueRole): QueuePair & { readonly queue: MemoryQueue } {
  const deadLetter = new MemoryDeadLetterQueue(`${role}-dlq`);
  return { queue: new MemoryQueue(role, 30, { deadLetter, maxReceiveCount: MAX_RECEIVE_COUNT }), deadLetter };
}

/**
 * Every port in memory, on a ManualClock. The buckets have no notification rules: a test that
 * plays S3's part sets `onPut`.
 */
export function memoryPlatform(): MemoryPlatform {
  const clock = new ManualClock();
  const chunking = queuePair('chunking');
  const video = queuePair('video-worker');
  const reassembly = queuePair('reassembly');
  return {
    clock,
    inputStorage: new MemoryStorage('input'),
    outputStorage: new MemoryStorage('output'),
    jobs: new MemoryJobStore(clock),
    segmentCompletions: new MemoryCompletions(),
    reassemblyTriggered: new MemoryLocks(),
    chunkingQueue: chunking.queue,
    videoQueue: video.queue,
    reassemblyQueue: reassembly.queue,
    queues: { chunking, 'video-worker': video, reassembly },
    objectEvents: objectsCreatedMessageFormat,
  };
}
