// Test entry of @stereo-spot/pipeline (`@stereo-spot/pipeline/testing`): every port in memory,
// for unit tests of the use cases' decisions. The fakes pass the same contract suites as the
// real adapters (packages/testing/test/memory-ports.contract.test.ts), so they do not lie.
export { ManualClock } from './manual-clock';
export { MemoryCompletions, MemoryJobStore, MemoryLocks } from './memory-stores';
export { MemoryDeadLetterQueue, MemoryQueue, type MemoryRedrive, type StoredMessage } from './memory-queue';
export { MemoryStorage, type MemoryNotificationRule } from './memory-storage';
export { memoryPlatform, type MemoryPlatform } from './memory-platform';
