import {
  describeJobStoreContract,
  describeReassemblyTriggeredStoreContract,
  describeSegmentCompletionStoreContract,
} from '@stereo-spot/testing';
import { SqliteJobStore } from '../src/stores/sqlite-job-store';
import { SqliteReassemblyTriggeredStore } from '../src/stores/sqlite-reassembly-triggered';
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

describeReassemblyTriggeredStoreContract('SQLite', async () => {
  const temp = await makeTempDatabase('locks');
  return { store: new SqliteReassemblyTriggeredStore(temp.db), cleanup: temp.cleanup };
});
