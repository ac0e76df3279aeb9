import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { type DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { type SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { AssetType, TerraformAsset } from 'cdktf';
import { DLQ_RETENTION_SECONDS } from '@stereo-spot/contracts';
import { Construct } from 'constructs';
import { bundleNodeApp, resolveAppEntry } from '../bundle/bundle';
import { LAMBDA_RUNTIME, LAMBDA_STREAM, LAMBDA_TIMEOUT_SECONDS } from '../constants';
import { type StackContext } from '../context';
import { allow, denyInsecureTransport, LOG_WRITE, policyDocument } from '../iam';
import { dlqAlarm, encryptedQueue } from './work-queue';
import { WorkloadRole } from './workload-role';

export interface ReassemblyTriggerProps {
  readonly jobs: DynamodbTable;
  readonly segmentCompletions: DynamodbTable;
  readonly reassemblyTriggered: DynamodbTable;
  readonly reassemblyQueue: SqsQueue;
  /** The environment the handler reads (the stack builds it; the contract test checks it). */
  readonly environment: Record<string, string>;
  /** Overrides the app's entry file (tests of the construct); default: apps/reassembly-trigger. */
  readonly entry?: string;
}

/**
 * The Lambda on the SegmentCompletions stream and the Jobs stream (filtered to chunking_complete): bundled with esbuild into a zip at synth, reports
 * batch item failures, bisects a failing batch, retries a bounded number of times, and sends what
 * still fails to an SQS on-failure destination (alarmed like the DLQs).
 */
export class ReassemblyTrigger extends Construct {
  /** The module bundled into the zip. */
  readonly entry: string;
  readonly function: LambdaFunction;
  readonly failures: SqsQueue;
  readonly logGroup: CloudwatchLogGroup;
  readonly mapping: LambdaEventSourceMapping;
  /** The Jobs stream, filtered to the job entering `chunking_complete`. */
  readonly jobsMapping: LambdaEventSourceMapping;

  constructor(scope: Construct, id: string, context: StackContext, props: ReassemblyTriggerProps) {
    super(scope, id);
    const { names, settings } = context;

    const bundleDir = mkdtempSync(path.join(tmpdir(), 'stereo-spot-lambda-'));
    this.entry = props.entry ?? resolveAppEntry('reassembly-trigger');
    bundleNodeApp(this.entry, path.join(bundleDir, 'index.js'));
    const code = new TerraformAsset(this, 'code', { path: bundleDir, type: AssetType.ARCHIVE });

    this.failures = encryptedQueue(this, 'failures', {
      name: names.triggerFailureQueue,
      retentionSeconds: DLQ_RETENTION_SECONDS,
    });
    new SqsQueuePolicy(this, 'failures-policy', {
      queueUrl: this.failures.url,
      policy: policyDocument(denyInsecureTransport('sqs', [this.failures.arn])),
    });
    dlqAlarm(this, 'failures-alarm', context, names.triggerFailureQueue);

    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: names.lambdaLogGroup,
      retentionInDays: settings.log_retention_days,
    });

    const streamArn = props.segmentCompletions.streamArn;
    const role = new WorkloadRole(this, 'role', {
      name: names.role('reassembly-trigger'),
      service: 'lambda.amazonaws.com',
      description:
        'reassembly-trigger Lambda: reads the SegmentCompletions stream, takes the lock, queues reassembly',
      statements: [
        allow(LOG_WRITE, [`${this.logGroup.arn}:*`], 'Logs'),
        allow(
          [
            'dynamodb:DescribeStream',
            'dynamodb:GetRecords',
            'dynamodb:GetShardIterator',
            'dynamodb:ListStreams',
          ],
          [`${props.segmentCompletions.arn}/stream/*`, `${props.jobs.arn}/stream/*`],
          'ReadStreams',
        ),
        allow(['dynamodb:GetItem'], [props.jobs.arn], 'ReadJobs'),
        allow(['dynamodb:Query'], [props.segmentCompletions.arn], 'CountCompletions'),
        allow(
          ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          [props.reassemblyTriggered.arn],
          'ReassemblyLock',
        ),
        allow(['sqs:SendMessage', 'sqs:GetQueueAttributes'], [props.reassemblyQueue.arn], 'QueueReassembly'),
        allow(['sqs:SendMessage'], [this.failures.arn], 'OnFailureDestination'),
      ],
    });

    this.function = new LambdaFunction(this, 'function', {
      functionName: names.lambda,
      description: 'Queues a reassembly when the last segment of a chunked job completes',
      role: role.arn,
      runtime: LAMBDA_RUNTIME,
      architectures: ['arm64'],
      handler: 'index.handler',
      filename: code.path,
      sourceCodeHash: code.assetHash,
      timeout: LAMBDA_TIMEOUT_SECONDS,
      memorySize: 256,
      reservedConcurrentExecutions: settings.lambda_reserved_concurrency,
      environment: { variables: props.environment },
      loggingConfig: { logFormat: 'Text', logGroup: this.logGroup.name },
      dependsOn: [this.logGroup, role.policy],
    });

    // Both streams deliver alike: small batches, per-record failures, a bounded retry, then the
    // failure destination.
    const streamDelivery = {
      functionName: this.function.arn,
      batchSize: LAMBDA_STREAM.batchSize,
      maximumBatchingWindowInSeconds: 1,
      parallelizationFactor: 1,
      functionResponseTypes: ['ReportBatchItemFailures'],
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: LAMBDA_STREAM.maximumRetryAttempts,
      maximumRecordAgeInSeconds: LAMBDA_STREAM.maximumRecordAgeInSeconds,
      destinationConfig: { onFailure: { destinationArn: this.failures.arn } },
    };
    this.mapping = new LambdaEventSourceMapping(this, 'stream', {
      eventSourceArn: streamArn,
      startingPosition: 'TRIM_HORIZON',
      ...streamDelivery,
      dependsOn: [role.policy],
    });

    // A job whose segments were all converted before it entered chunking_complete (the last
    // conversion won the race, or an operator recovered it late) has no completion left to come:
    // the transition itself must run the check. Only that transition invokes the Lambda.
    this.jobsMapping = new LambdaEventSourceMapping(this, 'jobs-stream', {
      eventSourceArn: props.jobs.streamArn,
      startingPosition: 'LATEST',
      ...streamDelivery,
      filterCriteria: {
        filter: [
          {
            pattern: JSON.stringify({
              eventName: ['INSERT', 'MODIFY'],
              dynamodb: { NewImage: { status: { S: ['chunking_complete'] } } },
            }),
          },
        ],
      },
      dependsOn: [role.policy],
    });
  }
}
