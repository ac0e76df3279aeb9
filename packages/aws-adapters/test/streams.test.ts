import { randomUUID } from 'node:crypto';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
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

  test('hands every change to the handler in Lambda event shape, in order, once', async () => {
    // Prepare
    const { store, streamArn } = await newCompletionsTable('stream-order');
    const jobId = toJobId(randomUUID());
    const events: DynamoDBStreamEvent[] = [];
    const poller = new DynamoDbStreamPoller({
      client: moto.clients.streams,
      streamArn,
      handler: async (event) => {
        events.push(event);
      },
    });
    for (const index of [0, 1, 2]) await put(store, jobId, index);

    // Act
    const firstPass = await poller.pollOnce();
    await put(store, jobId, 3);
    const secondPass = await poller.pollOnce();
    const idlePass = await poller.pollOnce();

    // Assess
    const records = events.flatMap((event) => event.Records);
    expect([firstPass, secondPass, idlePass]).toEqual([3, 1, 0]);
    expect(records.map((r) => [r.eventName, r.dynamodb?.Keys?.job_id?.S, r.dynamodb?.Keys?.segment_index?.N])).toEqual(
      [0, 1, 2, 3].map((index) => ['INSERT', jobId, String(index)]),
    );
    expect(records.every((r) => (r.dynamodb?.SequenceNumber ?? '').length > 0)).toBe(true);
    expect(records[0]).toMatchObject({
      eventSource: 'aws:dynamodb',
      eventSourceARN: streamArn,
      dynamodb: {
        ApproximateCreationDateTime: expect.any(Number),
        NewImage: { output_key: { S: segmentOutputKey(jobId, 0) } },
        StreamViewType: 'NEW_IMAGE',
      },
    });
  });

  test('re-delivers from the first reported failure, like ReportBatchItemFailures', async () => {
    // Prepare
    const { store, streamArn } = await newCompletionsTable('stream-retry');
    const jobId = toJobId(randomUUID());
    for (const index of [0, 1, 2]) await put(store, jobId, index);
    const seen: number[][] = [];
    let failOnce = true;
    const poller = new DynamoDbStreamPoller({
      client: moto.clients.streams,
      streamArn,
      handler: async (event) => {
        const indexes = event.Records.map((r) => Number(r.dynamodb?.Keys?.segment_index?.N));
        seen.push(indexes);
        const second = event.Records[1];
        if (failOnce && second !== undefined) {
          failOnce = false;
          return { batchItemFailures: [{ itemIdentifier: second.dynamodb?.SequenceNumber ?? '' }] };
        }
        return { batchItemFailures: [] };
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
      handler: async (event) => {
        seen.push(event.Records.map((r) => Number(r.dynamodb?.Keys?.segment_index?.N)));
        if (event.Records[0]?.dynamodb?.Keys?.segment_index?.N === '0') throw new Error('always fails');
      },
    });

    // Act
    for (let pass = 0; pass < 3; pass++) await poller.pollOnce();

    // Assess
    expect(seen).toEqual([[0, 1], [0, 1], [1]]);
  });
});
