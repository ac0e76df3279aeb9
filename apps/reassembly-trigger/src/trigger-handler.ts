import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { Logger } from '@stereo-spot/logging';
import {
  decideReassemblyTriggers,
  systemClock,
  type Clock,
  type ReassemblyTriggerPorts,
  type TriggerBatchResult,
} from '@stereo-spot/pipeline';
import { changesFromStreamRecords } from './stream-records';

export interface TriggerHandlerDeps extends ReassemblyTriggerPorts {
  readonly logger: Logger;
  readonly clock?: Clock;
}

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/**
 * The reassembly trigger as a DynamoDB-stream handler: records → changes → the pipeline's
 * decision. Returns `batchItemFailures` with the sequence numbers of the jobs that errored, so
 * only they are delivered again (Lambda's ReportBatchItemFailures). The embedded stream calls the
 * same handler with the same record shape.
 */
export function createTriggerHandler(deps: TriggerHandlerDeps): StreamHandler {
  return async (event) => {
    const result = await decideForRecords(deps, event);
    return { batchItemFailures: result.failedSequenceNumbers.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

export async function decideForRecords(
  deps: TriggerHandlerDeps,
  event: DynamoDBStreamEvent,
): Promise<TriggerBatchResult> {
  const { changes } = changesFromStreamRecords(event.Records ?? [], deps.logger);
  return decideReassemblyTriggers(
    {
      jobs: deps.jobs,
      segmentCompletions: deps.segmentCompletions,
      reassemblyTriggered: deps.reassemblyTriggered,
      reassemblyQueue: deps.reassemblyQueue,
      clock: deps.clock ?? systemClock,
      logger: deps.logger,
    },
    changes,
  );
}
