import { describeQueueContract } from '@stereo-spot/testing';
import { GetQueueAttributesCommand, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { isMoveTaskUnavailable } from '../src/sqs/sqs-dead-letter-queue';
import { SqsQueue, queueNameFromUrl } from '../src/sqs/sqs-queue';
import { startMotoFixture, type MotoFixture } from './support/moto';
import { createQueuePair } from './support/resources';

let moto: MotoFixture;
beforeAll(async () => {
  moto = await startMotoFixture();
});
afterAll(() => moto?.stop());

const newQueuePair = (label: string, maxReceiveCount = 2, visibilityTimeoutSeconds = 30) =>
  createQueuePair(moto, label, { maxReceiveCount, visibilityTimeoutSeconds });

describe('SqsQueue on moto_server (the rest is the Queue contract)', () => {
  test('states its name and the visibility timeout it was created with', async () => {
    // Prepare + Act
    const { queue } = await newQueuePair('describe', 2, 45);

    // Assess
    expect(queue.name).toBe(queueNameFromUrl(queue.url));
    expect(queue.visibilityTimeoutSeconds).toBe(45);
  });
});

describe('SqsDeadLetterQueue on moto_server (the rest is the Queue contract)', () => {
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

// The shared port contract, with the same assertions as for the embedded adapters.
const MAX_RECEIVE_COUNT = 3;

describeQueueContract(
  'SQS on moto_server',
  async () => {
    const { queue, deadLetter } = await createQueuePair(moto, 'contract-queue', {
      maxReceiveCount: MAX_RECEIVE_COUNT,
      visibilityTimeoutSeconds: 1,
    });
    // Every test has its own queues on a server that lives as long as this file.
    return { queue, deadLetter, maxReceiveCount: MAX_RECEIVE_COUNT, cleanup: async () => undefined };
  },
  { deviations: { staleReceiptHandleDeletes: true } },
);
