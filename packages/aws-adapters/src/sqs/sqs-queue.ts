import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Queue, QueueDepth, QueueMessage, ReceiveOptions } from '@stereo-spot/pipeline';
import { AwsAdapterError, awsErrorName, callAws } from '../errors';

/**
 * SQS's answers to a visibility change with a handle that is no longer the current delivery:
 * ReceiptHandleIsInvalid, or InvalidParameterValue "... ReceiptHandle is invalid. Reason: Message
 * does not exist or is not available for visibility timeout change".
 */
function isStaleReceiptHandle(error: unknown): boolean {
  const name = awsErrorName(error);
  if (name === 'ReceiptHandleIsInvalid') return true;
  return name === 'InvalidParameterValue' && /ReceiptHandle/i.test((error as Error).message);
}

/** SQS limits: at most 10 messages per receive, long polls of 0–20 s, visibility up to 12 h. */
export const SQS_MAX_MESSAGES_PER_RECEIVE = 10;
export const SQS_MAX_WAIT_SECONDS = 20;
export const SQS_MAX_VISIBILITY_SECONDS = 43_200;

export interface SqsQueueInfo {
  readonly url: string;
  /** Defaults to the last path segment of the URL (the queue name). */
  readonly name?: string;
  readonly visibilityTimeoutSeconds: number;
}

/** The name in a queue URL: `https://sqs.../123456789012/chunking-queue` → `chunking-queue`. */
export function queueNameFromUrl(url: string): string {
  const name = new URL(url).pathname.split('/').filter(Boolean).pop();
  if (name === undefined) throw new AwsAdapterError('INVALID_ARGUMENT', `not an SQS queue URL: ${url}`, true);
  return name;
}

/** Reads the queue's attributes once (its visibility timeout is part of the Queue port). */
export async function describeSqsQueue(
  client: SQSClient,
  url: string,
): Promise<SqsQueueInfo & { arn: string }> {
  const response = await callAws({ operation: 'SQS GetQueueAttributes', resource: url }, () =>
    client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout', 'QueueArn'] }),
    ),
  );
  return {
    url,
    name: queueNameFromUrl(url),
    visibilityTimeoutSeconds: Number(response.Attributes?.VisibilityTimeout ?? 30),
    arn: response.Attributes?.QueueArn ?? '',
  };
}

/** An SQS queue as the pipeline's Queue: long polling, receive counts, visibility heartbeats. */
export class SqsQueue implements Queue {
  readonly url: string;
  readonly name: string;
  readonly visibilityTimeoutSeconds: number;

  constructor(
    protected readonly client: SQSClient,
    info: SqsQueueInfo,
  ) {
    this.url = info.url;
    this.name = info.name ?? queueNameFromUrl(info.url);
    this.visibilityTimeoutSeconds = info.visibilityTimeoutSeconds;
  }

  async send(body: string): Promise<void> {
    await callAws(this.context('SendMessage'), () =>
      this.client.send(new SendMessageCommand({ QueueUrl: this.url, MessageBody: body })),
    );
  }

  async receive(options: ReceiveOptions): Promise<QueueMessage[]> {
    if (
      !Number.isInteger(options.waitSeconds) ||
      options.waitSeconds < 0 ||
      options.waitSeconds > SQS_MAX_WAIT_SECONDS
    ) {
      throw new AwsAdapterError(
        'INVALID_ARGUMENT',
        `long-poll wait must be 0..${SQS_MAX_WAIT_SECONDS} whole seconds, got ${options.waitSeconds} (queue ${this.name})`,
        true,
      );
    }
    if (isAborted(options.signal)) return [];
    const command = new ReceiveMessageCommand({
      QueueUrl: this.url,
      MaxNumberOfMessages: clamp(options.maxMessages, 1, SQS_MAX_MESSAGES_PER_RECEIVE),
      WaitTimeSeconds: options.waitSeconds,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      ...(options.visibilityTimeoutSeconds !== undefined
        ? { VisibilityTimeout: clamp(options.visibilityTimeoutSeconds, 0, SQS_MAX_VISIBILITY_SECONDS) }
        : {}),
    });
    try {
      const response = await this.client.send(
        command,
        options.signal !== undefined ? { abortSignal: options.signal } : {},
      );
      return (response.Messages ?? []).map(toQueueMessage);
    } catch (error) {
      // Shutting down while a long poll is open is normal; anything received is redelivered later.
      if (isAborted(options.signal)) return [];
      return callAws(this.context('ReceiveMessage'), () => Promise.reject(error));
    }
  }

  async delete(receiptHandle: string): Promise<void> {
    await callAws(this.context('DeleteMessage'), () =>
      this.client.send(new DeleteMessageCommand({ QueueUrl: this.url, ReceiptHandle: receiptHandle })),
    );
  }

  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    await callAws(this.context('ChangeMessageVisibility'), async () => {
      try {
        await this.client.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: this.url,
            ReceiptHandle: receiptHandle,
            VisibilityTimeout: clamp(seconds, 0, SQS_MAX_VISIBILITY_SECONDS),
          }),
        );
      } catch (error) {
        if (isStaleReceiptHandle(error)) {
          throw Object.assign(
            new AwsAdapterError(
              'RECEIPT_HANDLE_INVALID',
              `the receipt handle is no longer the current delivery of its message in ${this.name}`,
              false,
              { cause: error, awsErrorName: awsErrorName(error) ?? 'ReceiptHandleIsInvalid' },
            ),
            // The pipeline's isLeaseLost: the worker holding this handle stops.
            { leaseLost: true as const },
          );
        }
        throw error;
      }
    });
  }

  async depth(): Promise<QueueDepth> {
    const response = await callAws(this.context('GetQueueAttributes'), () =>
      this.client.send(
        new GetQueueAttributesCommand({
          QueueUrl: this.url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      ),
    );
    return {
      visible: Number(response.Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(response.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  }

  protected context(operation: string) {
    return { operation: `SQS ${operation}`, resource: this.name };
  }
}

export function toQueueMessage(message: Message): QueueMessage {
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(value)));
}

/** A function, so TypeScript does not narrow `aborted` across the awaited receive. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
