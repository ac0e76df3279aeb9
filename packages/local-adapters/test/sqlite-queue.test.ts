import path from 'node:path';
import { makeTempDir, type TempDir } from '@stereo-spot/testing';
import { SqliteDeadLetterQueue, SqliteQueue } from '../src/queue/sqlite-queue';
import { openDatabase, type SqliteDatabase } from '../src/sqlite/database';

describe('SqliteQueue beyond the contract', () => {
  let dir: TempDir;
  let db: SqliteDatabase;
  let queue: SqliteQueue;
  let deadLetter: SqliteDeadLetterQueue;

  beforeEach(async () => {
    dir = await makeTempDir('sqlite-queue');
    db = openDatabase(path.join(dir.path, 'stereo-spot.db'));
    deadLetter = new SqliteDeadLetterQueue({ db, name: 'work-dlq', visibilityTimeoutSeconds: 30 });
    queue = new SqliteQueue({
      db,
      name: 'work',
      visibilityTimeoutSeconds: 1,
      redrive: { deadLetterQueueName: deadLetter.name, maxReceiveCount: 2 },
    });
  });
  afterEach(async () => {
    db.close();
    await dir.remove();
  });

  it('refuses to extend a delivery that is no longer current', async () => {
    // Prepare
    await queue.send('x');
    const [first] = await queue.receive({ maxMessages: 1, waitSeconds: 0 });
    await queue.changeVisibility(first!.receiptHandle, 0);
    await queue.receive({ maxMessages: 1, waitSeconds: 0 });
    // Act
    const extending = queue.changeVisibility(first!.receiptHandle, 60);
    // Assess
    await expect(extending).rejects.toMatchObject({ code: 'RECEIPT_HANDLE_INVALID' });
  });

  it.each([
    [{ maxMessages: 0, waitSeconds: 0 }],
    [{ maxMessages: 11, waitSeconds: 0 }],
    [{ maxMessages: 1, waitSeconds: -1 }],
    [{ maxMessages: 1, waitSeconds: 0, visibilityTimeoutSeconds: 43_201 }],
  ])('refuses receive options outside SQS limits: %j', async (options) => {
    // Prepare
    // Act
    const receiving = queue.receive(options);
    // Assess
    await expect(receiving).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', permanent: true });
  });

  it('refuses an empty body and one over 256 KiB', async () => {
    // Prepare
    const tooLarge = 'x'.repeat(256 * 1024 + 1);
    // Act
    const outcomes = await Promise.allSettled([queue.send(''), queue.send(tooLarge)]);
    // Assess
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('keeps the receive count a message reached when it moves to the DLQ', async () => {
    // Prepare
    await queue.send('poison');
    for (let receive = 0; receive < 2; receive++) {
      const [message] = await queue.receive({ maxMessages: 1, waitSeconds: 0 });
      await queue.changeVisibility(message!.receiptHandle, 0);
    }
    // Act
    await queue.receive({ maxMessages: 1, waitSeconds: 0 });
    // Assess
    expect((await deadLetter.peek(10)).map((message) => [message.body, message.receiveCount])).toEqual([['poison', 2]]);
  });

  it('replays into a queue of another database by sending copies', async () => {
    // Prepare
    const otherDb = openDatabase(path.join(dir.path, 'other.db'));
    try {
      const target = new SqliteQueue({ db: otherDb, name: 'elsewhere', visibilityTimeoutSeconds: 30 });
      await deadLetter.send('one');
      await deadLetter.send('two');
      // Act
      const moved = await deadLetter.replay(target);
      // Assess
      expect(moved).toBe(2);
      const received = await target.receive({ maxMessages: 10, waitSeconds: 0 });
      expect(received.map((message) => [message.body, message.receiveCount])).toEqual([
        ['one', 1],
        ['two', 1],
      ]);
      expect(await deadLetter.peek(10)).toEqual([]);
    } finally {
      otherDb.close();
    }
  });

  it('ends a long poll when the queue is closed', async () => {
    // Prepare
    const closing = new AbortController();
    const closable = new SqliteQueue({ db, name: 'closable', visibilityTimeoutSeconds: 1, closed: closing.signal });
    const polling = closable.receive({ maxMessages: 1, waitSeconds: 20 });
    // Act
    closing.abort();
    // Assess
    await expect(polling).resolves.toEqual([]);
  });
});
