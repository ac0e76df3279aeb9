/**
 * The Lambda entry point (`handler`), on the SegmentCompletions DynamoDB stream with
 * ReportBatchItemFailures. The AWS ports are built once per container from the role's validated
 * environment (STEREO_SPOT_PLATFORM=aws and the variables in ROLE_ENV_SCHEMAS['reassembly-trigger']).
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { openAwsPortSource } from '@stereo-spot/aws-adapters';
import { loadConfig } from '@stereo-spot/config';
import { createLogger } from '@stereo-spot/logging';
import { PipelineError, portsForRole } from '@stereo-spot/pipeline';
import { createTriggerHandler, type StreamHandler } from './trigger-handler';

let ready: Promise<StreamHandler> | undefined;

async function build(env: NodeJS.ProcessEnv): Promise<StreamHandler> {
  const config = loadConfig('reassembly-trigger', env);
  if (config.platform.kind !== 'aws') {
    throw new PipelineError(
      'CONFIGURATION',
      'the Lambda handler runs on AWS: set STEREO_SPOT_PLATFORM=aws',
      true,
    );
  }
  const ports = await portsForRole('reassembly-trigger', openAwsPortSource(config.platform));
  return createTriggerHandler({
    ...ports,
    logger: createLogger({ name: 'reassembly-trigger', level: config.logLevel }),
  });
}

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  ready ??= build(process.env);
  let handle: StreamHandler;
  try {
    handle = await ready;
  } catch (error) {
    // A failed start is not cached: the next invocation tries again (the batch is retried).
    ready = undefined;
    throw error;
  }
  return handle(event);
}
