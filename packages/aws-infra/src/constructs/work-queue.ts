import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import {
  DLQ_RETENTION_SECONDS,
  QUEUE_RECEIVE_WAIT_SECONDS,
  QUEUE_RETENTION_SECONDS,
  type QueueSettings,
} from '@stereo-spot/contracts';
import { Construct } from 'constructs';
import { type StackContext } from '../context';
import { denyInsecureTransport, policyDocument, type PolicyStatement } from '../iam';

/** A CloudWatch alarm that fires as soon as any message is visible in a dead-letter queue. */
export function dlqAlarm(
  scope: Construct,
  id: string,
  context: StackContext,
  queueName: string,
): CloudwatchMetricAlarm {
  return new CloudwatchMetricAlarm(scope, id, {
    alarmName: `${queueName}-not-empty`,
    alarmDescription: `Messages in ${queueName}: a message failed repeatedly. See docs/runbooks.md (DLQ).`,
    namespace: 'AWS/SQS',
    metricName: 'ApproximateNumberOfMessagesVisible',
    dimensions: { QueueName: queueName },
    statistic: 'Maximum',
    period: 60,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
    alarmActions: [...context.alarmActions],
    okActions: [...context.alarmActions],
  });
}

/** A queue that only accepts TLS, encrypted with SQS-managed keys (which S3 notifications can use). */
export function encryptedQueue(
  scope: Construct,
  id: string,
  props: {
    name: string;
    retentionSeconds: number;
    visibilityTimeoutSeconds?: number;
    redrivePolicy?: string;
  },
): SqsQueue {
  return new SqsQueue(scope, id, {
    name: props.name,
    messageRetentionSeconds: props.retentionSeconds,
    sqsManagedSseEnabled: true,
    ...(props.visibilityTimeoutSeconds !== undefined
      ? { visibilityTimeoutSeconds: props.visibilityTimeoutSeconds, receiveWaitTimeSeconds: QUEUE_RECEIVE_WAIT_SECONDS }
      : {}),
    ...(props.redrivePolicy !== undefined ? { redrivePolicy: props.redrivePolicy } : {}),
  });
}

export interface WorkQueueProps {
  readonly name: string;
  readonly deadLetterName: string;
  readonly settings: QueueSettings;
  /** Statements added to the queue's resource policy (e.g. S3 may send notifications). */
  readonly extraStatements?: (queueArn: string) => PolicyStatement[];
}

/**
 * A pipeline queue: its dead-letter queue, the redrive policy between them, TLS-only resource
 * policies on both, and the DLQ alarm.
 */
export class WorkQueue extends Construct {
  readonly queue: SqsQueue;
  readonly deadLetter: SqsQueue;
  readonly queuePolicy: SqsQueuePolicy;

  constructor(scope: Construct, id: string, context: StackContext, props: WorkQueueProps) {
    super(scope, id);
    this.deadLetter = encryptedQueue(this, 'dlq', {
      name: props.deadLetterName,
      retentionSeconds: DLQ_RETENTION_SECONDS,
    });
    this.queue = encryptedQueue(this, 'queue', {
      name: props.name,
      retentionSeconds: QUEUE_RETENTION_SECONDS,
      visibilityTimeoutSeconds: props.settings.visibilityTimeoutSeconds,
      redrivePolicy: JSON.stringify({
        deadLetterTargetArn: this.deadLetter.arn,
        maxReceiveCount: props.settings.maxReceiveCount,
      }),
    });
    this.queuePolicy = new SqsQueuePolicy(this, 'queue-policy', {
      queueUrl: this.queue.url,
      policy: policyDocument([
        ...denyInsecureTransport('sqs', [this.queue.arn]),
        ...(props.extraStatements?.(this.queue.arn) ?? []),
      ]),
    });
    new SqsQueuePolicy(this, 'dlq-policy', {
      queueUrl: this.deadLetter.url,
      policy: policyDocument(denyInsecureTransport('sqs', [this.deadLetter.arn])),
    });
    dlqAlarm(this, 'dlq-alarm', context, props.deadLetterName);
  }
}
