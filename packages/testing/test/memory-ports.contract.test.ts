/**
 * pipeline's in-memory fakes (`@stereo-spot/pipeline/testing`) against the same contract suites
 * the embedded and AWS adapters pass: a use-case test on the fakes then means what it says.
 * (Run here rather than in pipeline: testing depends on pipeline, so the reverse would be a cycle.)
 */
import {
  ManualClock,
  MemoryCompletions,
  MemoryDeadLetterQueue,
  MemoryJobStore,
  MemoryLocks,
  MemoryQueue,
  MemoryStorage,
} from '@stereo-spot/pipeline/testing';
import { objectsCreatedMessageFormat } from '@stereo-spot/pipeline';
import { describeJobStoreContract } from '../src/contracts/job-store-contract';
import { describeObjectStorageContract } from '../src/contracts/object-storage-contract';
import { describeQueueContract } from '../src/contracts/queue-contract';
import { describeReassemblyTriggeredStoreContract } from '../src/contracts/reassembly-triggered-contract';
import { describeSegmentCompletionStoreContract } from '../src/contracts/segment-completions-contract';

const nothingToRelease = async () => undefined;

describeQueueContract('in memory', async () => {
  const deadLetter = new MemoryDeadLetterQueue('work-dlq');
  const queue = new MemoryQueue('work', 1, { deadLetter, maxReceiveCount: 3 });
  return { queue, deadLetter, maxReceiveCount: 3, cleanup: nothingToRelease };
});

describeObjectStorageContract('in memory', async () => {
  const notification = {
    prefix: 'input/',
    suffix: '.mp4',
    queue: new MemoryQueue('uploads', 30),
    format: objectsCreatedMessageFormat,
  };
  const storage = new MemoryStorage('contract-bucket', [notification]);
  return { storage, notification, cleanup: () => storage.close() };
});

describeJobStoreContract('in memory', async () => ({
  store: new MemoryJobStore(new ManualClock()),
  cleanup: nothingToRelease,
}));

describeSegmentCompletionStoreContract('in memory', async () => ({
  store: new MemoryCompletions(),
  cleanup: nothingToRelease,
}));

describeReassemblyTriggeredStoreContract('in memory', async () => ({
  store: new MemoryLocks(),
  cleanup: nothingToRelease,
}));
