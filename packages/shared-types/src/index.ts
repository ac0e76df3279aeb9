// Public API of @stereo-spot/shared-types: schemas, statuses, object keys and their parsers,
// queue payloads and API DTOs. Everything here is pure (no I/O).
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
  type AnaglyphMethod,
  type StereoParams,
} from './stereo';
export {
  JOB_STATUSES,
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
export { parseS3NotificationBody, buildS3NotificationBody, type S3ObjectEvent } from './s3-events';
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
