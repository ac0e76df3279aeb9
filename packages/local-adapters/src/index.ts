// Public API of @stereo-spot/local-adapters: the embedded platform (files + SQLite) behind the
// pipeline's ports. Apps usually need only `createLocalPlatform`.
export {
  createLocalPlatform,
  DEFAULT_HOME,
  DATABASE_FILE,
  INPUT_BUCKET,
  OUTPUT_BUCKET,
  DEFAULT_MAX_RECEIVE_COUNT,
  type LocalPlatform,
  type LocalPlatformOptions,
} from './platform';
export { SqliteQueue, SqliteDeadLetterQueue, type SqliteQueueOptions, type Redrive } from './queue/sqlite-queue';
export { openDatabase, type SqliteDatabase } from './sqlite/database';
export { SqliteJobStore } from './stores/sqlite-job-store';
export { SqliteSegmentCompletionStore } from './stores/sqlite-segment-completions';
export { SqliteReassemblyTriggeredStore } from './stores/sqlite-reassembly-triggered';
export {
  SegmentCompletionStreamReader,
  readSegmentCompletionChanges,
  readJobChanges,
  SEGMENT_COMPLETIONS_FEED,
  JOBS_FEED,
  type ChangeFeed,
  type StreamReaderOptions,
  type PollOutcome,
} from './stream/segment-completion-stream';
export { FsObjectStorage, type FsObjectStorageOptions, type NotificationRule } from './storage/fs-object-storage';
export { localObjectEventFormat } from './storage/object-events';
export { PresignSigner, loadOrCreateSecret, PRESIGNED_PATH_PREFIX, type PresignedGrant } from './storage/presign';
export { createPresignedRequestHandler, type PresignedRequestHandler, type UploadCheck } from './storage/presigned-handler';
export {
  LocalAdapterError,
  UnsafeObjectKeyError,
  InvalidArgumentError,
  ReceiptHandleInvalidError,
  PayloadTooLargeError,
  ObjectExistsError,
  type LocalAdapterErrorCode,
} from './errors';
