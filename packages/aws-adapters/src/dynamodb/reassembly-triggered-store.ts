import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { ReassemblyTriggeredStore } from '@stereo-spot/pipeline';
import {
  ReassemblyTriggeredSchema,
  parseWith,
  type JobId,
  type ReassemblyTriggered,
} from '@stereo-spot/shared-types';
import { AwsAdapterError, awsErrorName, callAws, wrapAwsError } from '../errors';

/**
 * ReassemblyTriggered in DynamoDB: PK `job_id`, `ttl` in epoch seconds for DynamoDB's TTL. The
 * trigger creates the item once (`attribute_not_exists(job_id)`); the reassembling worker
 * "starts" it once, or takes it over when the previous start is older than the stale limit.
 */
export class DynamoDbReassemblyTriggeredStore implements ReassemblyTriggeredStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async tryCreate(lock: ReassemblyTriggered): Promise<boolean> {
    const item = ReassemblyTriggeredSchema.parse(lock);
    return this.conditional('PutItem', lock.job_id, () =>
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(job_id)',
        }),
      ),
    );
  }

  async get(jobId: JobId): Promise<ReassemblyTriggered | undefined> {
    const response = await callAws(this.context('GetItem', jobId), () =>
      this.documents.send(
        new GetCommand({ TableName: this.tableName, Key: { job_id: jobId }, ConsistentRead: true }),
      ),
    );
    if (response.Item === undefined) return undefined;
    const parsed = parseWith(
      ReassemblyTriggeredSchema,
      response.Item,
      `ReassemblyTriggered item in ${this.tableName}`,
    );
    if (!parsed.ok)
      throw new AwsAdapterError('INVALID_RECORD', `job_id=${jobId} ${parsed.error.message}`, true, { jobId });
    return parsed.value;
  }

  async tryStart(jobId: JobId, now: number, staleAfterMs: number): Promise<boolean> {
    return this.conditional('UpdateItem (start)', jobId, () =>
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { job_id: jobId },
          UpdateExpression: 'SET reassembly_started_at = :now',
          ConditionExpression:
            'attribute_exists(job_id) AND (attribute_not_exists(reassembly_started_at) OR reassembly_started_at < :stale_before)',
          ExpressionAttributeValues: { ':now': now, ':stale_before': now - staleAfterMs },
        }),
      ),
    );
  }

  async delete(jobId: JobId): Promise<void> {
    await callAws(this.context('DeleteItem', jobId), () =>
      this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: { job_id: jobId } })),
    );
  }

  /** True when the conditional write applied, false when its condition refused it. */
  private async conditional(
    operation: string,
    jobId: string,
    write: () => Promise<unknown>,
  ): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') return false;
      throw wrapAwsError(error, this.context(operation, jobId));
    }
  }

  private context(operation: string, jobId: string) {
    return { operation: `DynamoDB ${operation}`, resource: `table ${this.tableName}`, jobId };
  }
}
