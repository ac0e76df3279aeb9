import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type _Record as StreamsApiRecord,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import { createLogger, type Logger } from '@stereo-spot/logging';
import { pause, type TriggerChangeHandler } from '@stereo-spot/pipeline';
import { awsErrorName, callAws } from '../errors';
import { changesFromStreamRecords } from './stream-records';

export interface DynamoDbStreamPollerOptions {
  readonly client: DynamoDBStreamsClient;
  readonly streamArn: string;
  /** Gets each batch as the pipeline's changes; the positions it hands back are delivered again. */
  readonly handler: TriggerChangeHandler;
  /** Records per handler call (the event source mapping's BatchSize). Default 100. */
  readonly batchSize?: number;
  /** Where to begin in shards that exist at start. Default TRIM_HORIZON (everything kept). */
  readonly startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** Retries of a failing batch before its failing record is skipped. Default 3. */
  readonly maxRetries?: number;
  /** Pause between passes that found nothing. Default 250 ms. */
  readonly idleDelayMs?: number;
  readonly logger?: Logger;
}

interface ShardCursor {
  readonly shardId: string;
  readonly parentShardId: string | undefined;
  iterator: string | undefined;
  /** Last sequence number handed out successfully (to resume after an expired iterator). */
  lastSequence: string | undefined;
  /** Where a fresh iterator starts when nothing was handed out yet. */
  readonly initialPosition: 'TRIM_HORIZON' | 'LATEST';
  closed: boolean;
  failures: number;
}

/**
 * What Lambda's event source mapping does for a DynamoDB stream, for emulated runs: it follows
 * every shard (children after their parents), hands batches to the handler in order (read into
 * the pipeline's changes, as the Lambda handler reads its event), and on a reported failure
 * (failed positions, or a throw) re-delivers from the first failed record, skipping it after
 * `maxRetries` so one bad record cannot stall the shard.
 */
export class DynamoDbStreamPoller {
  private readonly shards = new Map<string, ShardCursor>();
  private readonly batchSize: number;
  private readonly maxRetries: number;
  private readonly idleDelayMs: number;
  private readonly logger: Logger;
  private started = false;

  constructor(private readonly options: DynamoDbStreamPollerOptions) {
    this.logger = options.logger ?? createLogger({ name: 'dynamodb-stream-poller' });
    this.batchSize = options.batchSize ?? 100;
    this.maxRetries = options.maxRetries ?? 3;
    this.idleDelayMs = options.idleDelayMs ?? 250;
  }

  /** One pass over every open shard; returns how many records the handler accepted. */
  async pollOnce(): Promise<number> {
    await this.refreshShards();
    let delivered = 0;
    for (const shard of this.shards.values()) {
      if (shard.closed) continue;
      const parent = shard.parentShardId === undefined ? undefined : this.shards.get(shard.parentShardId);
      if (parent !== undefined && !parent.closed) continue;
      delivered += await this.pollShard(shard);
    }
    return delivered;
  }

  /** Polls until the signal aborts; errors of one pass are logged and the next pass goes on. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let delivered = 0;
      try {
        delivered = await this.pollOnce();
      } catch (error) {
        this.logger.error({ err: error }, `stream poller pass failed: ${(error as Error).message}`);
      }
      if (delivered === 0 && !signal.aborted) await pause(this.idleDelayMs, signal);
    }
  }

  private async pollShard(shard: ShardCursor): Promise<number> {
    if (shard.iterator === undefined) {
      const resumeAfter = shard.lastSequence;
      shard.iterator = await this.iteratorFor(
        shard,
        resumeAfter === undefined ? undefined : { type: 'AFTER_SEQUENCE_NUMBER', sequence: resumeAfter },
      );
    }
    let response;
    try {
      response = await this.options.client.send(
        new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: this.batchSize }),
      );
    } catch (error) {
      if (awsErrorName(error) === 'ExpiredIteratorException') {
        shard.iterator = undefined;
        return 0;
      }
      return callAws(this.context('GetRecords'), () => Promise.reject(error));
    }
    const records = response.Records ?? [];
    if (records.length === 0) {
      shard.iterator = response.NextShardIterator;
      if (shard.iterator === undefined) shard.closed = true;
      return 0;
    }
    const failedAt = await this.deliver(records);
    if (failedAt === undefined) {
      shard.failures = 0;
      shard.lastSequence = records[records.length - 1]?.dynamodb?.SequenceNumber ?? shard.lastSequence;
      shard.iterator = response.NextShardIterator;
      if (shard.iterator === undefined) shard.closed = true;
      return records.length;
    }
    shard.failures += 1;
    if (shard.failures > this.maxRetries) {
      this.logger.error(
        { sequenceNumber: failedAt, attempts: shard.failures },
        `stream record ${failedAt} still failing after ${this.maxRetries} retries: skipped`,
      );
      shard.failures = 0;
      shard.iterator = await this.iteratorFor(shard, { type: 'AFTER_SEQUENCE_NUMBER', sequence: failedAt });
    } else {
      shard.iterator = await this.iteratorFor(shard, { type: 'AT_SEQUENCE_NUMBER', sequence: failedAt });
    }
    return countBefore(records, failedAt);
  }

  /** Calls the handler; returns the sequence number to re-deliver from, or undefined when all succeeded. */
  private async deliver(records: readonly StreamsApiRecord[]): Promise<string | undefined> {
    const { changes } = changesFromStreamRecords(records, this.logger);
    try {
      const { failedPositions } = await this.options.handler(changes);
      if (failedPositions.length === 0) return undefined;
      const failed = new Set(failedPositions);
      const first = records.find((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
      return first?.dynamodb?.SequenceNumber ?? records[0]?.dynamodb?.SequenceNumber;
    } catch (error) {
      this.logger.warn(
        { err: error },
        `stream handler threw: ${(error as Error).message}; batch re-delivered`,
      );
      return records[0]?.dynamodb?.SequenceNumber;
    }
  }

  private async refreshShards(): Promise<void> {
    let exclusiveStart: string | undefined;
    const firstRefresh = !this.started;
    this.started = true;
    do {
      const response = await callAws(this.context('DescribeStream'), () =>
        this.options.client.send(
          new DescribeStreamCommand({
            StreamArn: this.options.streamArn,
            ...(exclusiveStart !== undefined ? { ExclusiveStartShardId: exclusiveStart } : {}),
          }),
        ),
      );
      for (const shard of response.StreamDescription?.Shards ?? []) this.track(shard, firstRefresh);
      exclusiveStart = response.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStart !== undefined);
  }

  private track(shard: Shard, atStart: boolean): void {
    if (shard.ShardId === undefined || this.shards.has(shard.ShardId)) return;
    this.shards.set(shard.ShardId, {
      shardId: shard.ShardId,
      parentShardId: shard.ParentShardId,
      iterator: undefined,
      lastSequence: undefined,
      // Shards born while polling hold only new records: they are read from their start.
      initialPosition: atStart && this.options.startingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
      closed: false,
      failures: 0,
    });
  }

  private async iteratorFor(
    shard: ShardCursor,
    from: { type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER'; sequence: string } | undefined,
  ): Promise<string | undefined> {
    const type: ShardIteratorType = from?.type ?? shard.initialPosition;
    const response = await callAws(this.context('GetShardIterator'), () =>
      this.options.client.send(
        new GetShardIteratorCommand({
          StreamArn: this.options.streamArn,
          ShardId: shard.shardId,
          ShardIteratorType: type,
          ...(from !== undefined ? { SequenceNumber: from.sequence } : {}),
        }),
      ),
    );
    return response.ShardIterator;
  }

  private context(operation: string) {
    return { operation: `DynamoDB Streams ${operation}`, resource: this.options.streamArn };
  }
}

function countBefore(records: readonly StreamsApiRecord[], sequence: string): number {
  const index = records.findIndex((record) => record.dynamodb?.SequenceNumber === sequence);
  return index === -1 ? 0 : index;
}

