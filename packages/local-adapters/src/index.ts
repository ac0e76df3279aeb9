// Public API of @stereo-spot/local-adapters: what other projects use. The embedded platform
// (files + SQLite) behind the pipeline's ports, its home and database file, and the change feed.
// The adapters' own tests import its modules by path.
export {
  createLocalPlatform,
  DEFAULT_HOME,
  DATABASE_FILE,
  INPUT_BUCKET,
  type LocalPlatform,
  type LocalPlatformOptions,
} from './platform';
export { openDatabase } from './sqlite/database';
export { readJobChanges, toDynamoDbStreamRecord } from './stream/segment-completion-stream';
