import {
  describeJobStoreContract,
  describeReassemblyLockStoreContract,
  describeSegmentCompletionStoreContract,
} from '@stereo-spot/testing';
import { SqliteJobStore } from '../src/stores/sqlite-job-store';
import { SqliteReassemblyLockStore } from '../src/stores/sqlite-reassembly-locks';
import { SqliteSegmentCompletionStore } from '../src/stores/sqlite-segment-completions';
import { makeTempDatabase } from './support/local-fixtures';

describeJobStoreContract('SQLite', async () => {
  const temp = await makeTempDatabase('jobs');
  return { store: new SqliteJobStore(temp.db), cleanup: temp.cleanup };
});

describeSegmentCompletionStoreContract('SQLite', async () => {
  const temp = await makeTempDatabase('completions');
  return { store: new SqliteSegmentCompletionStore(temp.db), cleanup: temp.cleanup };
});

describeReassemblyLockStoreContract('SQLite', async () => {
  const temp = await makeTempDatabase('locks');
  return { store: new SqliteReassemblyLockStore(temp.db), cleanup: temp.cleanup };
});
