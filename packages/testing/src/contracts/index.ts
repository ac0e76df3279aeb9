export { useFreshFixture, type ContractFixture, type FixtureFactory } from './fixture';
export { describeQueueContract, type QueueContractFixture, type QueueContractOptions } from './queue-contract';
export { describeJobStoreContract, type JobStoreContractFixture } from './job-store-contract';
export {
  describeSegmentCompletionStoreContract,
  type SegmentCompletionStoreContractFixture,
} from './segment-completions-contract';
export {
  describeReassemblyTriggeredStoreContract,
  type ReassemblyTriggeredStoreContractFixture,
} from './reassembly-triggered-contract';
export { describeObjectStorageContract, type ObjectStorageContractFixture } from './object-storage-contract';
