import { describeQueueContract } from '@stereo-spot/testing';
import { SqliteDeadLetterQueue, SqliteQueue } from '../src/queue/sqlite-queue';
import { makeTempDatabase } from './support/local-fixtures';

describeQueueContract('SQLite', async () => {
  const temp = await makeTempDatabase('queue');
  const closed = new AbortController();
  const deadLetter = new SqliteDeadLetterQueue({ db: temp.db, name: 'work-dlq', visibilityTimeoutSeconds: 30, closed: closed.signal });
  const queue = new SqliteQueue({
    db: temp.db,
    name: 'work',
    visibilityTimeoutSeconds: 1,
    redrive: { deadLetterQueueName: deadLetter.name, maxReceiveCount: 3 },
    closed: closed.signal,
  });
  return {
    queue,
    deadLetter,
    maxReceiveCount: 3,
    async cleanup() {
      closed.abort();
      await temp.cleanup();
    },
  };
});
