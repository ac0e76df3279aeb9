// The use cases: each takes the ports it needs (and settings) and knows nothing of any platform.
export { createJob, type CreateJobDeps, type CreatedJob } from './create-job';
export { handleChunkingMessage, assertWithinLimits, type ChunkingDeps, type ChunkingOutcome } from './chunking';
export {
  handleSegmentMessage,
  type SegmentConversionDeps,
  type SegmentWorkContext,
  type SegmentOutcome,
} from './segment-conversion';
export {
  decideReassemblyTriggers,
  triggerIfComplete,
  reassemblyReadiness,
  type ReassemblyReadiness,
  type ReassemblyTriggerDeps,
  type TriggerOptions,
  type TriggerDecision,
  type TriggerBatchResult,
} from './reassembly-trigger';
export { handleReassemblyMessage, type ReassemblyDeps, type ReassemblyOutcome } from './reassembly';
export { failJob, type FailJobDeps } from './fail-job';
export { recoverChunking, type RecoverChunkingDeps, type ChunkingRecovery } from './recover-chunking';
export { deleteJob, type DeleteJobDeps } from './delete-job';
export {
  sweepStuckJobs,
  runJanitor,
  sweepScratch,
  DEFAULT_JANITOR_SETTINGS,
  type JanitorDeps,
  type JanitorSettings,
  type JanitorAction,
  type JanitorLoopOptions,
} from './janitor';
export { describeJob, jobProgress, type JobViewDeps } from './job-view';
export {
  readObjectEvents,
  createdKeysOf,
  jobContextOfObjectEvents,
  jobContextOfReassemblyBody,
  parseReassemblyBody,
  type MessageJobContext,
} from './messages';
export { withScratchDir, removeDeadScratchDirs, processIsAlive } from './scratch';
