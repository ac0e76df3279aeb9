import { randomUUID } from 'node:crypto';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { createLogger } from '@stereo-spot/logging';
import type { TriggerChange } from '@stereo-spot/pipeline';
import { TABLES } from '@stereo-spot/contracts';
import { segmentOutputKey, toJobId, type JobId } from '@stereo-spot/shared-types';
import { DynamoDbSegmentCompletionStore } from '../src/dynamodb/segment-completion-store';
import { createTable } from '../src/provisioning/pipeline-resources';
import { DynamoDbStreamPoller } from '../src/streams/stream-poller';
import { startMotoFixture, type MotoFixture } from './support/moto';

describe('DynamoDbStreamPoller on moto_server', () => {
  let moto: MotoFixture;
  beforeAll(async () => {
    moto = await startMotoFixture();
  });
  afterAll(() => moto?.stop());

  async function newCompletionsTable(label: string) {
    const table = moto.prefix(label);
    const streamArn = await createTable(moto.clients, table, TABLES.segmentCompletions);
    const described = await moto.clients.dynamodb.send(new DescribeTableCommand({ TableName: table }));
    return {
      store: new DynamoDbSegmentCompletionStore(moto.clients.documents, table),
      streamArn: streamArn ?? described.Table?.LatestStreamArn ?? '',
    };
  }
  const put = (store: DynamoDbSegmentCompletionStore, jobId: JobId, index: number) =>
    store.put({
      job_id: jobId,
      segment_index: index,
      output_key: segmentOutputKey(jobId, index),
      completed_at: index,
    });

  const indexOf = (change: TriggerChange | undefined) =>
    change?.subject === 'segment-completion' ? change.segmentIndex : undefined;

  test('hands every change to the handler as the pipeline reads it, in order, once', async () => {
    // Prepare
    const { store, streamArn } = await newCompletionsTable('stream-order');
    const jobId = toJobId(randomUUID());
    const batches: (readonly TriggerChange[])[] = [];
    const poller = new DynamoDbStreamPoller({
      client: moto.clients.streams,
      streamArn,
      handler: async (changes) => {
        batches.push(changes);
        return { failedPositions: [] };
      },
    });
    for (const index of [0, 1, 2]) await put(store, jobId, index);

    // Act
    const firstPass = await poller.pollOnce();
    await put(store, jobId, 3);
    const secondPass = await poller.pollOnce();
    const idlePass = await poller.pollOnce();

    // Assess
    const changes = batches.flat();
    expect([firstPass, secondPass, idlePass]).toEqual([3, 1, 0]);
    expect(changes).toEqual(
      [0, 1, 2, 3].map((segmentIndex) => ({
        kind: 'inserted',
        subject: 'segment-completion',
        jobId,
        segmentIndex,
        position: expect.stringMatching(/^\d+$/),
      })),
    );
  });

  test('re-delivers from the first failed position, like ReportBatchItemFailures', async () => {
    // Prepare
    const { store, streamArn } = await newCompletionsTable('stream-retry');
    const jobId = toJobId(randomUUID());
    for (const index of [0, 1, 2]) await put(store, jobId, index);
    const seen: number[][] = [];
    let failOnce = true;
    const poller = new DynamoDbStreamPoller({
      client: moto.clients.streams,
      streamArn,
      handler: async (changes) => {
        seen.push(changes.map((change) => indexOf(change) ?? -1));
        const second = changes[1];
        if (failOnce && second !== undefined) {
          failOnce = false;
          return { failedPositions: [second.position] };
        }
        return { failedPositions: [] };
      },
    });

    // Act
    await poller.pollOnce();
    await poller.pollOnce();

    // Assess
    expect(seen).toEqual([
      [0, 1, 2],
      [1, 2],
    ]);
  });

  test('skips a record that keeps failing after maxRetries, then goes on', async () => {
    // Prepare
    const { store, streamArn } = await newCompletionsTable('stream-skip');
    const jobId = toJobId(randomUUID());
    for (const index of [0, 1]) await put(store, jobId, index);
    const seen: number[][] = [];
    const poller = new DynamoDbStreamPoller({
      client: moto.clients.streams,
      streamArn,
      maxRetries: 1,
      logger: createLogger({ name: 'stream-test', level: 'silent' }),
      handler: async (changes) => {
        seen.push(changes.map((change) => indexOf(change) ?? -1));
        if (indexOf(changes[0]) === 0) throw new Error('always fails');
        return { failedPositions: [] };
      },
    });

    // Act
    for (let pass = 0; pass < 3; pass++) await poller.pollOnce();

    // Assess
    expect(seen).toEqual([[0, 1], [0, 1], [1]]);
  });
});
