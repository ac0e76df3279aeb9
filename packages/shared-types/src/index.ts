// Public API of @stereo-spot/shared-types: schemas, statuses, object keys and their parsers,
// queue payloads and API DTOs. Everything here is pure (no I/O).
export { ok, err, type Result } from './result';
export {
  SharedTypesError,
  InvalidObjectKeyError,
  InvalidPayloadError,
  InvalidJobIdError,
  type SharedTypesErrorCode,
} from './errors';
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
  StereoParamsSchema,
  DEFAULT_STEREO_PARAMS,
  outputFileName,
  type OutputMode,
  type OutputModeInfo,
  type AnaglyphMethod,
  type StereoParams,
} from './stereo';
export {
  JOB_STATUSES,
  JobStatusSchema,
  JOB_STATUS_TRANSITIONS,
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
  parseFinalKey,
  type SegmentRef,
  type ParsedObjectKey,
} from './keys';
export { parseWith, parseJsonWith, describeZodError } from './json';
export {
  parseS3NotificationBody,
  buildS3NotificationBody,
  decodeS3EventKey,
  encodeS3EventKey,
  type S3ObjectEvent,
  type S3NotificationBody,
} from './s3-events';
export {
  ReassemblyMessageSchema,
  SegmentCompletionSchema,
  ReassemblyTriggeredSchema,
  REASSEMBLY_LOCK_TTL_DAYS,
  newReassemblyTriggered,
  type ReassemblyMessage,
  type SegmentCompletion,
  type ReassemblyTriggered,
} from './messages';
export {
  SourceFileNameSchema,
  CreateJobRequestSchema,
  PresignedUploadSchema,
  JobProgressSchema,
  JobViewSchema,
  CreateJobResponseSchema,
  JobListResponseSchema,
  ApiErrorSchema,
  type CreateJobRequest,
  type ValidCreateJobRequest,
  type PresignedUpload,
  type JobProgress,
  type JobView,
  type CreateJobResponse,
  type JobListResponse,
  type ApiError,
} from './api';
export { formatBytes } from './sizes';
