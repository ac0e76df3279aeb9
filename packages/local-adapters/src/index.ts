// Public API of @stereo-spot/local-adapters: what other projects use. The embedded platform
// (files + SQLite) behind the pipeline's ports, where it keeps its files, and a reader of its Jobs
// change feed. Its own tests import its modules by path.
export {
  createLocalPlatform,
  DEFAULT_HOME,
  DATABASE_FILE,
  type LocalPlatform,
  type LocalPlatformOptions,
} from './platform';
export { openDatabase } from './sqlite/database';
export { readJobChanges } from './stream/segment-completion-stream';
