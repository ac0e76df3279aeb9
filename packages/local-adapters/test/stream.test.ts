import type { ChangeBatchOutcome, SegmentCompletionChange } from '@stereo-spot/pipeline';
import { makeSegmentCompletion, newJobId } from '@stereo-spot/testing';
import { createLogger } from '@stereo-spot/logging';
import {
  readSegmentCompletionChanges,
  SegmentCompletionStreamReader,
} from '../src/stream/segment-completion-stream';
import { SqliteSegmentCompletionStore } from '../src/stores/sqlite-segment-completions';
import { makeTempDatabase, type TempDatabase } from './support/local-fixtures';

const silent = createLogger({ name: 'stream-test', level: 'silent' });

describe('SegmentCompletions change stream', () => {
  let temp: TempDatabase;
  let store: SqliteSegmentCompletionStore;
  const readers: SegmentCompletionStreamReader[] = [];

  beforeEach(async () => {
    temp = await makeTempDatabase('stream');
    store = new SqliteSegmentCompletionStore(temp.db);
  });
  afterEach(async () => {
    await Promise.all(readers.splice(0).map((reader) => reader.stop()));
    await temp.cleanup();
  });

  function reader(consumer: string, handler: (changes: SegmentCompletionChange[]) => Promise<ChangeBatchOutcome>, batchSize = 100) {
    const created = new SegmentCompletionStreamReader({
      db: temp.db,
      consumer,
      handler,
      batchSize,
      pollIntervalMs: 20,
      retryBackoffMs: { initial: 10, max: 50 },
      logger: silent,
    });
    readers.push(created);
    return created;
  }

  const describeChange = (change: SegmentCompletionChange) => `${change.kind} ${change.segmentIndex}`;

  it('records an insert for a new completion, a change for a re-put and a removal for a delete, in order', async () => {
    // Prepare
    const jobId = newJobId();
    // Act
    await store.put(makeSegmentCompletion(jobId, 1));
    await store.put(makeSegmentCompletion(jobId, 0));
    await store.put(makeSegmentCompletion(jobId, 1, { completed_at: 5 }));
    await store.deleteForJob(jobId);
    // Assess
    const changes = readSegmentCompletionChanges(temp.db, 0, 100);
    expect(changes.map(describeChange)).toEqual(['inserted 1', 'inserted 0', 'changed 1', 'removed 0', 'removed 1']);
    expect(changes.every((change) => change.jobId === jobId)).toBe(true);
    const sequence = changes.map((change) => Number(change.position));
    expect([...sequence].sort((a, b) => a - b)).toEqual(sequence);
  });

  it('delivers in order in batches and moves the checkpoint past what succeeded', async () => {
    // Prepare
    const jobId = newJobId();
    for (let index = 0; index < 5; index++) await store.put(makeSegmentCompletion(jobId, index));
    const batches: string[][] = [];
    const consumer = reader('trigger', async (changes) => {
      batches.push(changes.map(describeChange));
      return { failedPositions: [] };
    }, 2);
    // Act
    const outcomes = [await consumer.pollOnce(), await consumer.pollOnce(), await consumer.pollOnce(), await consumer.pollOnce()];
    // Assess
    expect(batches).toEqual([['inserted 0', 'inserted 1'], ['inserted 2', 'inserted 3'], ['inserted 4']]);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['delivered', 'delivered', 'delivered', 'idle']);
  });

  it('delivers again from the lowest failed position (batch item failures)', async () => {
    // Prepare
    const jobId = newJobId();
    for (let index = 0; index < 4; index++) await store.put(makeSegmentCompletion(jobId, index));
    const batches: string[][] = [];
    let fail = true;
    const consumer = reader('trigger', async (changes) => {
      batches.push(changes.map(describeChange));
      const failed = fail ? changes.filter((change) => change.segmentIndex >= 2).map((change) => change.position) : [];
      fail = false;
      return { failedPositions: failed };
    });
    // Act
    const first = await consumer.pollOnce();
    const second = await consumer.pollOnce();
    // Assess
    expect(first.kind).toBe('failed');
    expect(second.kind).toBe('delivered');
    expect(batches).toEqual([['inserted 0', 'inserted 1', 'inserted 2', 'inserted 3'], ['inserted 2', 'inserted 3']]);
  });

  it('delivers the whole batch again when the handler throws', async () => {
    // Prepare
    const jobId = newJobId();
    await store.put(makeSegmentCompletion(jobId, 0));
    await store.put(makeSegmentCompletion(jobId, 1));
    let calls = 0;
    const batches: string[][] = [];
    const consumer = reader('trigger', async (changes) => {
      batches.push(changes.map(describeChange));
      calls += 1;
      if (calls === 1) throw new Error('queue unavailable');
      return { failedPositions: [] };
    });
    // Act
    await consumer.pollOnce();
    await consumer.pollOnce();
    // Assess
    expect(batches).toEqual([['inserted 0', 'inserted 1'], ['inserted 0', 'inserted 1']]);
  });

  it('a new reader of the same consumer resumes after the last checkpoint', async () => {
    // Prepare
    const jobId = newJobId();
    await store.put(makeSegmentCompletion(jobId, 0));
    const first = reader('trigger', async () => ({ failedPositions: [] }));
    await first.pollOnce();
    await first.stop();
    await store.put(makeSegmentCompletion(jobId, 1));
    await store.put(makeSegmentCompletion(jobId, 2));
    const seen: string[] = [];
    const second = reader('trigger', async (changes) => {
      seen.push(...changes.map(describeChange));
      return { failedPositions: [] };
    });
    // Act
    await second.pollOnce();
    // Assess
    expect(seen).toEqual(['inserted 1', 'inserted 2']);
  });

  it('redelivers what a crashed handler never acknowledged', async () => {
    // Prepare
    const jobId = newJobId();
    await store.put(makeSegmentCompletion(jobId, 0));
    let crashed = false;
    const first = reader('trigger', async () => {
      crashed = true;
      return new Promise(() => undefined); // never answers: the process "dies" here
    });
    void first.pollOnce();
    while (!crashed) await new Promise((resolve) => setTimeout(resolve, 5));
    const seen: string[] = [];
    const second = new SegmentCompletionStreamReader({
      db: temp.db,
      consumer: 'trigger',
      leaseMs: 50,
      logger: silent,
      handler: async (changes) => {
        seen.push(...changes.map(describeChange));
        return { failedPositions: [] };
      },
    });
    // Act: the dead reader's lease (30 s) blocks, so use a clock past it
    const blocked = await second.pollOnce();
    const later = new SegmentCompletionStreamReader({
      db: temp.db,
      consumer: 'trigger',
      logger: silent,
      clock: { now: () => Date.now() + 60_000 },
      handler: async (changes) => {
        seen.push(...changes.map(describeChange));
        return { failedPositions: [] };
      },
    });
    const takeover = await later.pollOnce();
    // Assess
    expect(blocked.kind).toBe('leased-elsewhere');
    expect(takeover.kind).toBe('delivered');
    expect(seen).toEqual(['inserted 0']);
  });

  it('keeps one checkpoint per consumer', async () => {
    // Prepare
    const jobId = newJobId();
    await store.put(makeSegmentCompletion(jobId, 0));
    const first: string[] = [];
    const second: string[] = [];
    const a = reader('a', async (changes) => {
      first.push(...changes.map(describeChange));
      return { failedPositions: [] };
    });
    const b = reader('b', async (changes) => {
      second.push(...changes.map(describeChange));
      return { failedPositions: [] };
    });
    // Act
    await a.pollOnce();
    await store.put(makeSegmentCompletion(jobId, 1));
    await a.pollOnce();
    await b.pollOnce();
    // Assess
    expect(first).toEqual(['inserted 0', 'inserted 1']);
    expect(second).toEqual(['inserted 0', 'inserted 1']);
  });

  it('running in the background, hands a new completion to the handler', async () => {
    // Prepare
    const jobId = newJobId();
    let deliver: (changes: SegmentCompletionChange[]) => void = () => undefined;
    const delivered = new Promise<SegmentCompletionChange[]>((resolve) => (deliver = resolve));
    const consumer = reader('trigger', async (changes) => {
      deliver(changes);
      return { failedPositions: [] };
    });
    consumer.start();
    // Act
    await store.put(makeSegmentCompletion(jobId, 3));
    const changes = await delivered;
    // Assess
    expect(changes).toEqual([
      { kind: 'inserted', subject: 'segment-completion', jobId, segmentIndex: 3, position: expect.any(String) },
    ]);
  });

  it('reads change rows an earlier version wrote with DynamoDB\'s event names', () => {
    // Prepare: what the stores wrote before the rows held the pipeline's kinds
    const jobId = newJobId();
    const insert = temp.db.prepare(
      `INSERT INTO segment_completion_changes (event_name, job_id, segment_index, created_at) VALUES (?, ?, ?, ?)`,
    );
    for (const [eventName, index] of [['INSERT', 0], ['MODIFY', 0], ['REMOVE', 0]] as const) insert.run(eventName, jobId, index, Date.now());

    // Act
    const changes = readSegmentCompletionChanges(temp.db, 0, 100);

    // Assess
    expect(changes.map(describeChange)).toEqual(['inserted 0', 'changed 0', 'removed 0']);
  });
});
