import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { changesFromStreamRecords } from '@stereo-spot/aws-adapters';
import type { Logger } from '@stereo-spot/logging';
import {
  decideReassemblyTriggers,
  systemClock,
  type Clock,
  type ReassemblyTriggerPorts,
  type TriggerBatchResult,
  type TriggerChange,
} from '@stereo-spot/pipeline';

export interface TriggerHandlerDeps extends ReassemblyTriggerPorts {
  readonly logger: Logger;
  readonly clock?: Clock;
}

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/**
 * The reassembly trigger on a platform's ports: changes → the pipeline's decision. What every
 * change feed calls (the embedded streams, the emulated stream poller, and the Lambda handler
 * once it has read its event).
 */
export function createChangeHandler(
  deps: TriggerHandlerDeps,
): (changes: readonly TriggerChange[]) => Promise<TriggerBatchResult> {
  const triggerDeps = {
    jobs: deps.jobs,
    segmentCompletions: deps.segmentCompletions,
    reassemblyTriggered: deps.reassemblyTriggered,
    reassemblyQueue: deps.reassemblyQueue,
    clock: deps.clock ?? systemClock,
    logger: deps.logger,
  };
  return (changes) => decideReassemblyTriggers(triggerDeps, changes);
}

/**
 * The reassembly trigger as the Lambda's DynamoDB-stream handler: records → changes → the
 * decision. Returns `batchItemFailures` with the sequence numbers of the jobs that errored, so
 * only they are delivered again (Lambda's ReportBatchItemFailures).
 */
export function createTriggerHandler(deps: TriggerHandlerDeps): StreamHandler {
  const decide = createChangeHandler(deps);
  return async (event) => {
    const { changes } = changesFromStreamRecords(event.Records ?? [], deps.logger);
    const { failedPositions } = await decide(changes);
    return { batchItemFailures: failedPositions.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
