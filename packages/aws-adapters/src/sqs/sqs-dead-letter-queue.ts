import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  PurgeQueueCommand,
  StartMessageMoveTaskCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetterQueue, Queue, QueueMessage } from '@stereo-spot/pipeline';
import { AwsAdapterError, awsErrorName, awsHttpStatus, callAws } from '../errors';
import { SQS_MAX_MESSAGES_PER_RECEIVE, SqsQueue, type SqsQueueInfo } from './sqs-queue';

/** How long peeked or skipped messages stay hidden before they are handed back. */
const HOLD_SECONDS = 60;
/** Long enough for SQS to answer from every server (a 0 s poll samples only some). */
const OPERATOR_WAIT_SECONDS = 1;

export interface SqsDeadLetterQueueOptions {
  /** How long `replay` waits for an SQS message move task to finish. */
  readonly moveTaskTimeoutMs?: number;
  readonly moveTaskPollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * A dead-letter queue with the operator's tools. `peek` receives messages and hands them back at
 * once (their receive count goes up by one: SQS has no read-only look). `replay` of the whole
 * queue uses SQS's StartMessageMoveTask; a selection, or an endpoint without move tasks (an
 * emulator), moves messages by receive → send → delete.
 */
export class SqsDeadLetterQueue extends SqsQueue implements DeadLetterQueue {
  private readonly moveTaskTimeoutMs: number;
  private readonly moveTaskPollMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(client: SQSClient, info: SqsQueueInfo, options: SqsDeadLetterQueueOptions = {}) {
    super(client, info);
    this.moveTaskTimeoutMs = options.moveTaskTimeoutMs ?? 10 * 60_000;
    this.moveTaskPollMs = options.moveTaskPollMs ?? 2_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async peek(max: number): Promise<QueueMessage[]> {
    const seen = new Map<string, QueueMessage>();
    try {
      while (seen.size < max) {
        const batch = await this.receive({
          maxMessages: Math.min(SQS_MAX_MESSAGES_PER_RECEIVE, max - seen.size),
          waitSeconds: OPERATOR_WAIT_SECONDS,
          visibilityTimeoutSeconds: HOLD_SECONDS,
        });
        if (batch.length === 0) break;
        for (const message of batch) seen.set(message.messageId, message);
      }
    } finally {
      await this.release([...seen.values()].map((message) => message.receiptHandle));
    }
    return [...seen.values()];
  }

  async replay(target: Queue, messageIds?: readonly string[]): Promise<number> {
    if (messageIds === undefined && target instanceof SqsQueue) {
      const moved = await this.tryMoveTask(target);
      if (moved !== undefined) return moved;
    }
    return this.moveByHand(target, messageIds === undefined ? undefined : new Set(messageIds));
  }

  /** PurgeQueue cannot tell how many it removed: returns -1. */
  async purge(): Promise<number> {
    await callAws(this.context('PurgeQueue'), () =>
      this.client.send(new PurgeQueueCommand({ QueueUrl: this.url })),
    );
    return -1;
  }

  /** The message count moved, or undefined when this endpoint has no message move tasks. */
  private async tryMoveTask(target: SqsQueue): Promise<number | undefined> {
    const [sourceArn, destinationArn] = await Promise.all([
      queueArn(this.client, this.url),
      queueArn(this.client, target.url),
    ]);
    let taskHandle: string | undefined;
    try {
      const started = await this.client.send(
        new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn }),
      );
      taskHandle = started.TaskHandle;
    } catch (error) {
      if (isMoveTaskUnavailable(error)) return undefined;
      return callAws(this.context('StartMessageMoveTask'), () => Promise.reject(error));
    }
    const deadline = Date.now() + this.moveTaskTimeoutMs;
    for (;;) {
      const listed = await callAws(this.context('ListMessageMoveTasks'), () =>
        this.client.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 })),
      );
      const task = listed.Results?.find((result) => result.TaskHandle === taskHandle) ?? listed.Results?.[0];
      if (task?.Status === 'COMPLETED') return task.ApproximateNumberOfMessagesMoved ?? 0;
      if (task?.Status === 'FAILED' || task?.Status === 'CANCELLED') {
        throw new AwsAdapterError(
          'AWS_REQUEST_FAILED',
          `SQS message move task from ${this.name} ${task.Status.toLowerCase()}: ${task.FailureReason ?? 'no reason given'}`,
          false,
        );
      }
      if (Date.now() > deadline) {
        throw new AwsAdapterError(
          'AWS_REQUEST_FAILED',
          `SQS message move task from ${this.name} still running after ${this.moveTaskTimeoutMs} ms (it goes on in the background)`,
          false,
        );
      }
      await this.sleep(this.moveTaskPollMs);
    }
  }

  private async moveByHand(target: Queue, wanted: ReadonlySet<string> | undefined): Promise<number> {
    const skipped: string[] = [];
    const done = new Set<string>();
    try {
      while (wanted === undefined || done.size < wanted.size) {
        const batch = await this.receive({
          maxMessages: SQS_MAX_MESSAGES_PER_RECEIVE,
          waitSeconds: OPERATOR_WAIT_SECONDS,
          visibilityTimeoutSeconds: HOLD_SECONDS,
        });
        if (batch.length === 0) break;
        for (const message of batch) {
          if ((wanted !== undefined && !wanted.has(message.messageId)) || done.has(message.messageId)) {
            skipped.push(message.receiptHandle);
            continue;
          }
          // Send first: a failure in between leaves a duplicate, never a lost message.
          await target.send(message.body);
          await this.delete(message.receiptHandle);
          done.add(message.messageId);
        }
      }
    } finally {
      await this.release(skipped);
    }
    return done.size;
  }

  /** Makes received messages visible again at once. */
  private async release(receiptHandles: readonly string[]): Promise<void> {
    for (let start = 0; start < receiptHandles.length; start += SQS_MAX_MESSAGES_PER_RECEIVE) {
      const chunk = receiptHandles.slice(start, start + SQS_MAX_MESSAGES_PER_RECEIVE);
      await callAws(this.context('ChangeMessageVisibilityBatch'), () =>
        this.client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.url,
            Entries: chunk.map((receiptHandle, index) => ({
              Id: String(index),
              ReceiptHandle: receiptHandle,
              VisibilityTimeout: 0,
            })),
          }),
        ),
      );
    }
  }
}

async function queueArn(client: SQSClient, url: string): Promise<string> {
  const response = await callAws({ operation: 'SQS GetQueueAttributes', resource: url }, () =>
    client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })),
  );
  const arn = response.Attributes?.QueueArn;
  if (arn === undefined)
    throw new AwsAdapterError('AWS_REQUEST_FAILED', `SQS queue ${url} has no QueueArn`, false);
  return arn;
}

const MOVE_TASK_UNAVAILABLE = new Set([
  'UnsupportedOperation',
  'AWS.SimpleQueueService.UnsupportedOperation',
  'InvalidAction',
  'UnknownOperationException',
  'NotImplemented',
]);

/**
 * The endpoint does not offer message move tasks: a named refusal, a 501, or (moto_server) a
 * 5xx whose body is not an AWS error at all (an HTML "not implemented" page).
 */
export function isMoveTaskUnavailable(error: unknown): boolean {
  const name = awsErrorName(error);
  if (name !== undefined && MOVE_TASK_UNAVAILABLE.has(name)) return true;
  const status = awsHttpStatus(error);
  if (status === 501) return true;
  return status !== undefined && status >= 500 && name === 'SyntaxError';
}
