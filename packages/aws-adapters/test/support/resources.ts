import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { SqsDeadLetterQueue } from '../../src/sqs/sqs-dead-letter-queue';
import { SqsQueue, describeSqsQueue } from '../../src/sqs/sqs-queue';
import type { MotoFixture } from './moto';

/** A fresh queue redriven to a fresh DLQ after `maxReceiveCount` receives, as provisioned for real. */
export async function createQueuePair(
  moto: MotoFixture,
  label: string,
  options: { maxReceiveCount: number; visibilityTimeoutSeconds: number },
): Promise<{ queue: SqsQueue; deadLetter: SqsDeadLetterQueue; queueArn: string }> {
  const name = moto.prefix(label);
  const sqs = moto.clients.sqs;
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const arnOf = async (url: string | undefined) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
      .Attributes?.QueueArn ?? '';
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: await arnOf(dlq.QueueUrl),
          maxReceiveCount: options.maxReceiveCount,
        }),
      },
    }),
  );
  return {
    queue: new SqsQueue(sqs, await describeSqsQueue(sqs, queue.QueueUrl ?? '')),
    deadLetter: new SqsDeadLetterQueue(sqs, await describeSqsQueue(sqs, dlq.QueueUrl ?? '')),
    queueArn: await arnOf(queue.QueueUrl),
  };
}

export async function createBucket(moto: MotoFixture, label: string): Promise<string> {
  const bucket = moto.prefix(label);
  await moto.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}
