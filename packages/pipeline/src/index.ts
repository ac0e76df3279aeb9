// Public API of @stereo-spot/pipeline: the ports (interfaces every platform implements) and the
// use cases that depend only on them. No platform SDK may be imported here (enforced by lint).
export type {
  ObjectInfo,
  PresignedRequest,
  PresignPutOptions,
  PresignGetOptions,
  ObjectStorage,
} from './ports/object-storage';
export type { JobTransitionPatch, TransitionOutcome, Page, ListOptions, JobStore } from './ports/job-store';
export type {
  SegmentCompletionStore,
  ChangeKind,
  SegmentCompletionChange,
  JobStatusChange,
  TriggerChange,
  ChangeBatchOutcome,
  TriggerChangeHandler,
} from './ports/segment-completions';
export type { ReassemblyTriggeredStore } from './ports/reassembly-triggered';
export {
  type QueueMessage,
  type ReceiveOptions,
  type QueueDepth,
  type Queue,
  type DeadLetterQueue,
  QUEUE_ROLES,
  type QueueRole,
  type QueuePair,
  type PipelineQueues,
} from './ports/queue';
export {
  type ObjectEvents,
  type ObjectEventFormat,
  objectsCreatedMessageFormat,
} from './ports/object-events';
export type {
  SegmentConversionRequest,
  SegmentConversionResult,
  StereoInference,
} from './ports/stereo-inference';
export type {
  MediaInfo,
  SplitResult,
  RgbImage,
  FirstFrameOptions,
  MediaLimits,
  MediaProcessor,
} from './ports/media-processor';
export { type Clock, systemClock, type IdGenerator } from './ports/clock';
export type { TaskProtection } from './ports/task-protection';
export {
  isPermanentError,
  describeError,
  PipelineError,
  ObjectNotFoundError,
  JobAlreadyExistsError,
  InvalidMediaError,
  UnsupportedContainerError,
  InvalidRequestError,
} from './errors';
export {
  portSourceOf,
  portsForRole,
  type PipelinePorts,
  PIPELINE_ROLES,
  type PipelineRole,
  type WebUiPorts,
  type ChunkingPorts,
  type VideoWorkerPorts,
  type ReassemblyPorts,
  type ReassemblyTriggerPorts,
  type PortSource,
} from './ports/platform';
export { createJob } from './use-cases/create-job';
export { handleChunkingMessage, assertWithinLimits } from './use-cases/chunking';
export { handleSegmentMessage } from './use-cases/segment-conversion';
export {
  decideReassemblyTriggers,
  triggerIfComplete,
  reassemblyReadiness,
  type ReassemblyTriggerDeps,
  type TriggerDecision,
  type TriggerBatchResult,
} from './use-cases/reassembly-trigger';
export { handleReassemblyMessage } from './use-cases/reassembly';
export { failJob } from './use-cases/fail-job';
export { recoverChunking } from './use-cases/recover-chunking';
export { deleteJob } from './use-cases/delete-job';
export {
  sweepStuckJobs,
  runJanitor,
  sweepScratch,
  DEFAULT_JANITOR_SETTINGS,
  type JanitorDeps,
  type JanitorSettings,
} from './use-cases/janitor';
export { describeJob, type JobViewDeps } from './use-cases/job-view';
export { readObjectEvents, jobContextOfObjectEvents, jobContextOfReassemblyBody } from './use-cases/messages';
export { withScratchDir } from './use-cases/scratch';
export { runConsumer, type ConsumerStats } from './consumer/consumer';
export {
  createProtectionLease,
  DEFAULT_PROTECTION_MINUTES,
  type ProtectionLease,
} from './consumer/protection-lease';
export { pause } from './pause';
export { inBatches } from './in-batches';
