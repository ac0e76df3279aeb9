import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { SqsDeadLetterQueue, isMoveTaskUnavailable } from '../src/sqs/sqs-dead-letter-queue';
import { SqsQueue, describeSqsQueue, queueNameFromUrl } from '../src/sqs/sqs-queue';
import { startMotoFixture, type MotoFixture } from './support/moto';

let moto: MotoFixture;
beforeAll(async () => {
  moto = await startMotoFixture();
});
afterAll(() => moto?.stop());

/** A queue with a DLQ after `maxReceiveCount` receives, like the provisioned ones. */
async function newQueuePair(label: string, maxReceiveCount = 2, visibilityTimeout = 30) {
  const name = moto.prefix(label);
  const dlq = await moto.clients.sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqArn = (
    await moto.clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes?.QueueArn;
  const queue = await moto.clients.sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(visibilityTimeout),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
      },
    }),
  );
  return {
    queue: new SqsQueue(moto.clients.sqs, await describeSqsQueue(moto.clients.sqs, queue.QueueUrl ?? '')),
    deadLetter: new SqsDeadLetterQueue(
      moto.clients.sqs,
      await describeSqsQueue(moto.clients.sqs, dlq.QueueUrl ?? ''),
    ),
  };
}

const receiveAll = (queue: SqsQueue, visibilityTimeoutSeconds?: number) =>
  queue.receive({
    maxMessages: 10,
    waitSeconds: 1,
    ...(visibilityTimeoutSeconds !== undefined ? { visibilityTimeoutSeconds } : {}),
  });

describe('SqsQueue on moto_server', () => {
  test('states its name and the visibility timeout it was created with', async () => {
    // Prepare + Act
    const { queue } = await newQueuePair('describe', 2, 45);

    // Assess
    expect(queue.name).toBe(queueNameFromUrl(queue.url));
    expect(queue.visibilityTimeoutSeconds).toBe(45);
  });

  test('receives with receive counts, hides in-flight messages, deletes', async () => {
    // Prepare
    const { queue } = await newQueuePair('receive', 5);
    await queue.send('{"n":1}');

    // Act
    const [first] = await receiveAll(queue, 0);
    const [second] = await receiveAll(queue, 30);
    const whileHidden = await queue.receive({ maxMessages: 10, waitSeconds: 0 });
    const depth = await queue.depth();
    await queue.delete(second!.receiptHandle);

    // Assess
    expect(first).toMatchObject({ body: '{"n":1}', receiveCount: 1 });
    expect(second).toMatchObject({ messageId: first!.messageId, receiveCount: 2 });
    expect(whileHidden).toEqual([]);
    expect(depth).toEqual({ visible: 0, inFlight: 1 });
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  test('changeVisibility(0) releases a message at once', async () => {
    // Prepare
    const { queue } = await newQueuePair('visibility', 5);
    await queue.send('release me');
    const [message] = await receiveAll(queue, 300);

    // Act
    await queue.changeVisibility(message!.receiptHandle, 0);
    const again = await receiveAll(queue, 300);

    // Assess
    expect(again.map((m) => [m.body, m.receiveCount])).toEqual([['release me', 2]]);
  });

  test('a long poll returns as soon as the signal aborts, with nothing', async () => {
    // Prepare
    const { queue } = await newQueuePair('abort');
    const controller = new AbortController();

    // Act
    const polling = queue.receive({ maxMessages: 1, waitSeconds: 20, signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    const received = await polling;

    // Assess
    expect(received).toEqual([]);
  });

  test('a message received maxReceiveCount times moves to the DLQ by the redrive policy', async () => {
    // Prepare
    const { queue, deadLetter } = await newQueuePair('redrive', 2);
    await queue.send('poison');

    // Act
    const deliveries = [];
    for (let i = 0; i < 3; i++) deliveries.push(...(await receiveAll(queue, 0)));

    // Assess
    expect(deliveries.map((m) => m.receiveCount)).toEqual([1, 2]);
    expect((await deadLetter.peek(10)).map((m) => m.body)).toEqual(['poison']);
  });
});

describe('SqsDeadLetterQueue on moto_server', () => {
  async function deadLetterWith(label: string, bodies: readonly string[]) {
    const pair = await newQueuePair(label);
    for (const body of bodies) await pair.deadLetter.send(body);
    return pair;
  }

  test('peek shows messages and leaves them in the queue', async () => {
    // Prepare
    const { deadLetter } = await deadLetterWith('peek', ['a', 'b', 'c']);

    // Act
    const peeked = await deadLetter.peek(2);
    const all = await deadLetter.peek(10);

    // Assess
    expect(peeked).toHaveLength(2);
    expect(all.map((m) => m.body).sort()).toEqual(['a', 'b', 'c']);
    expect(await deadLetter.depth()).toEqual({ visible: 3, inFlight: 0 });
  });

  test('replay of everything moves every message to the source queue (receive → send → delete on moto)', async () => {
    // Prepare
    const { queue, deadLetter } = await deadLetterWith('replay-all', ['x', 'y']);

    // Act
    const moved = await deadLetter.replay(queue);

    // Assess
    expect(moved).toBe(2);
    expect((await receiveAll(queue)).map((m) => m.body).sort()).toEqual(['x', 'y']);
    expect(await deadLetter.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  test('replay of a selection moves only those and hands the rest back', async () => {
    // Prepare
    const { queue, deadLetter } = await deadLetterWith('replay-some', ['keep-1', 'move', 'keep-2']);
    const chosen = (await deadLetter.peek(10)).filter((m) => m.body === 'move').map((m) => m.messageId);

    // Act
    const moved = await deadLetter.replay(queue, chosen);

    // Assess
    expect(moved).toBe(1);
    expect((await receiveAll(queue)).map((m) => m.body)).toEqual(['move']);
    expect((await deadLetter.peek(10)).map((m) => m.body).sort()).toEqual(['keep-1', 'keep-2']);
  });

  test('moto_server has no message move tasks, and that refusal is recognised', async () => {
    // Prepare
    const { queue, deadLetter } = await newQueuePair('move-task');
    const arn = async (url: string) =>
      (
        await moto.clients.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
        )
      ).Attributes?.QueueArn;

    // Act
    const error = await moto.clients.sqs
      .send(
        new StartMessageMoveTaskCommand({
          SourceArn: await arn(deadLetter.url),
          DestinationArn: await arn(queue.url),
        }),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    // Assess
    expect(isMoveTaskUnavailable(error)).toBe(true);
    expect(
      isMoveTaskUnavailable(
        Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
      ),
    ).toBe(false);
  });

  test('purge empties the queue', async () => {
    // Prepare
    const { deadLetter } = await deadLetterWith('purge', ['1', '2', '3']);

    // Act
    const removed = await deadLetter.purge();

    // Assess
    expect(removed).toBe(-1);
    expect(await deadLetter.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  test('a queue that does not exist is a permanent error naming it', async () => {
    // Prepare
    const missing = new SqsQueue(moto.clients.sqs, {
      url: `${moto.server.endpoint}/123456789012/${moto.prefix('gone')}`,
      visibilityTimeoutSeconds: 30,
    });

    // Act
    const error = await missing.send('x').then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess
    expect(error).toMatchObject({ code: 'AWS_REQUEST_FAILED', permanent: true });
    expect((error as Error).message).toContain(missing.name);
  });
});
