import {
  BatchWriteCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { SegmentCompletionStore } from '@stereo-spot/pipeline';
import {
  SegmentCompletionSchema,
  parseWith,
  type JobId,
  type SegmentCompletion,
} from '@stereo-spot/shared-types';
import { AwsAdapterError, callAws } from '../errors';

/** BatchWriteItem takes at most 25 requests. */
const BATCH_WRITE_LIMIT = 25;
const UNPROCESSED_RETRIES = 8;

/**
 * SegmentCompletions in DynamoDB: PK `job_id`, SK `segment_index` (a number, so a query returns
 * index order). A put replaces the same (job, index): re-delivered segments never double-count.
 * The table's stream (NEW_IMAGE) feeds the reassembly trigger.
 */
export class DynamoDbSegmentCompletionStore implements SegmentCompletionStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async put(completion: SegmentCompletion): Promise<void> {
    const item = SegmentCompletionSchema.parse(completion);
    await callAws(this.context('PutItem', completion.job_id), () =>
      this.documents.send(new PutCommand({ TableName: this.tableName, Item: item })),
    );
  }

  async count(jobId: JobId): Promise<number> {
    let total = 0;
    await this.query(jobId, { Select: 'COUNT' }, (page) => (total += page.Count ?? 0));
    return total;
  }

  async list(jobId: JobId): Promise<SegmentCompletion[]> {
    const completions: SegmentCompletion[] = [];
    await this.query(jobId, {}, (page) => {
      for (const item of page.Items ?? []) completions.push(this.toCompletion(item, jobId));
    });
    return completions;
  }

  async deleteForJob(jobId: JobId): Promise<void> {
    const keys: { job_id: string; segment_index: number }[] = [];
    await this.query(jobId, { ProjectionExpression: 'job_id, segment_index' }, (page) => {
      for (const item of page.Items ?? [])
        keys.push({ job_id: jobId, segment_index: Number(item.segment_index) });
    });
    for (let start = 0; start < keys.length; start += BATCH_WRITE_LIMIT) {
      let requests = keys.slice(start, start + BATCH_WRITE_LIMIT).map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > UNPROCESSED_RETRIES) {
          throw new AwsAdapterError(
            'AWS_REQUEST_FAILED',
            `job_id=${jobId} DynamoDB BatchWriteItem on table ${this.tableName} left ${requests.length} deletes unprocessed`,
            false,
            { jobId },
          );
        }
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        const response = await callAws(this.context('BatchWriteItem', jobId), () =>
          this.documents.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } })),
        );
        requests = (response.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    }
  }

  /** A strongly consistent query over one job's completions, every page, in index order. */
  private async query(
    jobId: JobId,
    extra: Partial<QueryCommandInput>,
    onPage: (page: { Items?: Record<string, unknown>[]; Count?: number }) => void,
  ): Promise<void> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await callAws(this.context('Query', jobId), () =>
        this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'job_id = :job_id',
            ExpressionAttributeValues: { ':job_id': jobId },
            ConsistentRead: true,
            ScanIndexForward: true,
            ...extra,
            ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      onPage(page);
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }

  private toCompletion(item: Record<string, unknown>, jobId: JobId): SegmentCompletion {
    const parsed = parseWith(SegmentCompletionSchema, item, `SegmentCompletions item in ${this.tableName}`);
    if (!parsed.ok)
      throw new AwsAdapterError('INVALID_RECORD', `job_id=${jobId} ${parsed.error.message}`, true, { jobId });
    return parsed.value;
  }

  private context(operation: string, jobId: string) {
    return { operation: `DynamoDB ${operation}`, resource: `table ${this.tableName}`, jobId };
  }
}
