/**
 * The StartMessageMoveTask branch of `replay`, which moto_server cannot exercise (it has no move
 * tasks). A scripted SQS client answers with the documented response shapes; only the adapter's
 * own decisions are under test here: start the task, follow it to the end, report its count or
 * its failure, and leave selections to the receive → send → delete path.
 */
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  StartMessageMoveTaskCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { SqsDeadLetterQueue } from '../src/sqs/sqs-dead-letter-queue';
import { SqsQueue } from '../src/sqs/sqs-queue';

const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/work-dlq';
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/work';

type TaskStatus = 'RUNNING' | 'COMPLETED' | 'FAILED';

function scriptedSqs(statuses: readonly TaskStatus[]) {
  const calls: string[] = [];
  let listed = 0;
  const client = {
    async send(command: unknown) {
      if (command instanceof GetQueueAttributesCommand) {
        const url = command.input.QueueUrl ?? '';
        return { Attributes: { QueueArn: `arn:aws:sqs:eu-west-1:123456789012:${url.split('/').pop()}` } };
      }
      if (command instanceof StartMessageMoveTaskCommand) {
        calls.push(`start ${command.input.SourceArn} -> ${command.input.DestinationArn}`);
        return { TaskHandle: 'handle-1' };
      }
      if (command instanceof ListMessageMoveTasksCommand) {
        const status = statuses[Math.min(listed++, statuses.length - 1)];
        calls.push(`list ${status}`);
        return {
          Results: [
            {
              ...(status === 'RUNNING' ? { TaskHandle: 'handle-1' } : {}),
              Status: status,
              ApproximateNumberOfMessagesMoved: status === 'COMPLETED' ? 7 : 3,
              ...(status === 'FAILED' ? { FailureReason: 'AccessDenied on the destination' } : {}),
            },
          ],
        };
      }
      if (command instanceof ReceiveMessageCommand) {
        calls.push('receive');
        return { Messages: [] };
      }
      throw new Error(`unexpected command ${String((command as object).constructor.name)}`);
    },
  } as unknown as SQSClient;
  return { client, calls };
}

const noWait = { moveTaskPollMs: 0, sleep: async () => undefined };

describe('SqsDeadLetterQueue.replay with message move tasks', () => {
  test('replaying everything starts a move task and reports its count once it completes', async () => {
    // Prepare
    const { client, calls } = scriptedSqs(['RUNNING', 'RUNNING', 'COMPLETED']);
    const deadLetter = new SqsDeadLetterQueue(client, { url: DLQ_URL, visibilityTimeoutSeconds: 30 }, noWait);
    const target = new SqsQueue(client, { url: QUEUE_URL, visibilityTimeoutSeconds: 30 });

    // Act
    const moved = await deadLetter.replay(target);

    // Assess
    expect(moved).toBe(7);
    expect(calls).toEqual([
      'start arn:aws:sqs:eu-west-1:123456789012:work-dlq -> arn:aws:sqs:eu-west-1:123456789012:work',
      'list RUNNING',
      'list RUNNING',
      'list COMPLETED',
    ]);
  });

  test('a failed move task is an error with its reason', async () => {
    // Prepare
    const { client } = scriptedSqs(['RUNNING', 'FAILED']);
    const deadLetter = new SqsDeadLetterQueue(client, { url: DLQ_URL, visibilityTimeoutSeconds: 30 }, noWait);
    const target = new SqsQueue(client, { url: QUEUE_URL, visibilityTimeoutSeconds: 30 });

    // Act
    const replaying = deadLetter.replay(target);

    // Assess
    await expect(replaying).rejects.toThrow(
      /move task from work-dlq failed: AccessDenied on the destination/,
    );
  });

  test('replaying chosen messages never starts a move task (it would move everything)', async () => {
    // Prepare
    const { client, calls } = scriptedSqs(['COMPLETED']);
    const deadLetter = new SqsDeadLetterQueue(client, { url: DLQ_URL, visibilityTimeoutSeconds: 30 }, noWait);
    const target = new SqsQueue(client, { url: QUEUE_URL, visibilityTimeoutSeconds: 30 });

    // Act
    const moved = await deadLetter.replay(target, ['m-1']);

    // Assess
    expect(moved).toBe(0);
    expect(calls).toEqual(['receive']);
  });
});
