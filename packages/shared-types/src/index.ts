// Public API of @stereo-spot/shared-types: schemas, statuses, object keys and their parsers,
// queue payloads, API DTOs and the inference server's protocol. Everything here is pure (no I/O).
export { ok, err, type Result } from './result';
export { InvalidPayloadError } from './errors';
export { JobIdSchema, isJobId, parseJobId, toJobId, type JobId } from './job-id';
export {
  OUTPUT_MODES,
  OutputModeSchema,
  DEFAULT_OUTPUT_MODE,
  OUTPUT_MODE_INFO,
  ANAGLYPH_METHODS,
  AnaglyphMethodSchema,
  STEREO_LIMITS,
  DivergenceSchema,
  ConvergenceSchema,
  DEFAULT_STEREO_PARAMS,
  outputFileName,
  type OutputMode,
  type AnaglyphMethod,
  type StereoParams,
} from './stereo';
export {
  JOB_STATUSES,
  JobStatusSchema,
  canTransition,
  statusesBefore,
  isTerminalStatus,
  MAX_TOTAL_SEGMENTS,
  JobSchema,
  type JobStatus,
  type Job,
} from './job';
export {
  INPUT_PREFIX,
  SEGMENTS_PREFIX,
  JOBS_PREFIX,
  MP4_SUFFIX,
  inputKey,
  segmentKey,
  segmentsPrefix,
  segmentOutputKey,
  finalKey,
  jobOutputPrefix,
  parseObjectKey,
  parseObjectKeyOf,
  parseInputKey,
  parseSegmentKey,
  parseSegmentOutputKey,
  type SegmentRef,
  type ParsedObjectKey,
} from './keys';
export { parseWith, parseJsonWith, describeZodError } from './json';
export { parseObjectsCreatedMessage, buildObjectsCreatedMessage, type CreatedObject } from './object-events';
export {
  ReassemblyMessageSchema,
  SegmentCompletionSchema,
  ReassemblyTriggeredSchema,
  newReassemblyTriggered,
  type ReassemblyMessage,
  type SegmentCompletion,
  type ReassemblyTriggered,
} from './messages';
export {
  CreateJobRequestSchema,
  JobViewSchema,
  CreateJobResponseSchema,
  JobListResponseSchema,
  ApiErrorSchema,
  type CreateJobRequest,
  type PresignedUpload,
  type JobProgress,
  type JobView,
  type ApiError,
} from './api';
export { formatBytes } from './sizes';
export {
  parseS3Uri,
  InvocationRequestSchema,
  isInferenceErrorCode,
  isPermanentInferenceError,
  InferenceErrorBodySchema,
  InvocationResultSchema,
  type InvocationRequestBody,
  type InferenceErrorCode,
  type InferenceErrorBody,
} from './inference-protocol';
