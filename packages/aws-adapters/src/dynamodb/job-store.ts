import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { TABLES } from '@stereo-spot/contracts';
import {
  JobAlreadyExistsError,
  systemClock,
  type Clock,
  type JobStore,
  type JobTransitionPatch,
  type ListOptions,
  type Page,
  type TransitionOutcome,
} from '@stereo-spot/pipeline';
import {
  JOB_STATUSES,
  JobSchema,
  isTerminalStatus,
  parseWith,
  statusesBefore,
  type Job,
  type JobId,
  type JobStatus,
} from '@stereo-spot/shared-types';
import { AwsAdapterError, awsErrorName, callAws, wrapAwsError } from '../errors';
import { decodeCursor, encodeCursor, type LaneKey, type LanePositions } from './cursor';

/** The Jobs table's status indexes (@stereo-spot/contracts' TABLES), newest first by these sort keys. */
const [BY_CREATED_AT, BY_COMPLETED_AT] = TABLES.jobs.indexes;

const IN_PROGRESS_STATUSES = JOB_STATUSES.filter((status) => !isTerminalStatus(status));

/** One GSI query stream of a list: the jobs of one status, newest first. */
interface Lane {
  readonly status: JobStatus;
  readonly index: string;
  readonly sortAttribute: 'created_at' | 'completed_at';
}

/** One lane's page as read: the items, how far the merge took them, whether DynamoDB has more. */
interface LaneBuffer {
  readonly lane: Lane;
  readonly items: readonly Job[];
  readonly more: boolean;
  readonly exhausted: boolean;
  next: number;
  last?: Job;
}

/**
 * Jobs in DynamoDB: PK `job_id`; every status change is ONE conditional UpdateItem that only
 * applies from the statuses shared-types allows (`statusesBefore`), and a refused change returns
 * the job as it is (ReturnValuesOnConditionCheckFailure: ALL_OLD) without a second read.
 */
export class DynamoDbJobStore implements JobStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    readonly tableName: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async create(job: Job): Promise<void> {
    const item = JobSchema.parse(job);
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(job_id)',
        }),
      );
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException')
        throw new JobAlreadyExistsError(job.job_id);
      throw wrapAwsError(error, this.context('PutItem', job.job_id));
    }
  }

  async get(jobId: JobId): Promise<Job | undefined> {
    const response = await callAws(this.context('GetItem', jobId), () =>
      this.documents.send(
        new GetCommand({ TableName: this.tableName, Key: { job_id: jobId }, ConsistentRead: true }),
      ),
    );
    return response.Item === undefined ? undefined : this.toJob(response.Item);
  }

  async transition(jobId: JobId, to: JobStatus, patch: JobTransitionPatch = {}): Promise<TransitionOutcome> {
    const from = statusesBefore(to);
    if (from.length === 0) return { applied: false, current: await this.get(jobId) };
    const names: Record<string, string> = { '#status': 'status', '#updated_at': 'updated_at' };
    const values: Record<string, unknown> = { ':to': to, ':now': this.clock.now() };
    const sets = ['#status = :to', '#updated_at = :now'];
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    from.forEach((status, index) => (values[`:from${index}`] = status));
    try {
      const response = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { job_id: jobId },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `#status IN (${from.map((_, index) => `:from${index}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { applied: true, job: this.toJob(response.Attributes) };
    } catch (error) {
      if (awsErrorName(error) !== 'ConditionalCheckFailedException') {
        throw wrapAwsError(error, this.context(`UpdateItem (to ${to})`, jobId));
      }
      const old = (error as { Item?: Parameters<typeof unmarshall>[0] }).Item;
      return { applied: false, current: old === undefined ? undefined : this.toJob(unmarshall(old)) };
    }
  }

  listInProgress(options: ListOptions): Promise<Page<Job>> {
    return this.listLanes(
      'in-progress',
      IN_PROGRESS_STATUSES.map((status) => ({
        status,
        index: BY_CREATED_AT.name,
        sortAttribute: BY_CREATED_AT.sortKey.name,
      })),
      options,
    );
  }

  listCompleted(options: ListOptions): Promise<Page<Job>> {
    return this.listLanes(
      'completed',
      [{ status: 'completed', index: BY_COMPLETED_AT.name, sortAttribute: BY_COMPLETED_AT.sortKey.name }],
      options,
    );
  }

  listFailed(options: ListOptions): Promise<Page<Job>> {
    return this.listLanes(
      'failed',
      [{ status: 'failed', index: BY_CREATED_AT.name, sortAttribute: BY_CREATED_AT.sortKey.name }],
      options,
    );
  }

  async delete(jobId: JobId): Promise<void> {
    await callAws(this.context('DeleteItem', jobId), () =>
      this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: { job_id: jobId } })),
    );
  }

  /**
   * Merges the lanes newest first. Each lane is read `limit + 1` deep from where the cursor left
   * it, so the page knows whether anything follows and the last page carries no cursor.
   */
  private async listLanes(list: string, lanes: readonly Lane[], options: ListOptions): Promise<Page<Job>> {
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new AwsAdapterError(
        'INVALID_ARGUMENT',
        `list limit must be a positive integer, got ${options.limit}`,
        true,
      );
    }
    const positions: LanePositions = options.cursor === undefined ? {} : decodeCursor(list, options.cursor);
    const buffers = await Promise.all(
      lanes.map(async (lane) => {
        const start = positions[lane.status];
        if (start === null) return { lane, items: [], more: false, exhausted: true, next: 0 } as LaneBuffer;
        const response = await callAws(this.context(`Query ${lane.index} (${lane.status})`), () =>
          this.documents.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: lane.index,
              KeyConditionExpression: '#status = :status',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':status': lane.status },
              ScanIndexForward: false,
              Limit: options.limit + 1,
              ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
            }),
          ),
        );
        const items = (response.Items ?? []).map((item) => this.toJob(item));
        const buffer: LaneBuffer = {
          lane,
          items,
          more: response.LastEvaluatedKey !== undefined,
          exhausted: false,
          next: 0,
        };
        return buffer;
      }),
    );

    const page: Job[] = [];
    while (page.length < options.limit) {
      let best: LaneBuffer | undefined;
      let blocked = false;
      for (const buffer of buffers) {
        const head = buffer.items[buffer.next];
        if (head === undefined) {
          // A lane cut short (1 MB page) may hold newer items than the other heads: stop here.
          blocked ||= buffer.more;
          continue;
        }
        const bestHead = best?.items[best.next];
        if (bestHead === undefined || isNewer(head, bestHead, buffer.lane.sortAttribute)) best = buffer;
      }
      const job = blocked ? undefined : best?.items[best.next];
      if (best === undefined || job === undefined) break;
      page.push(job);
      best.last = job;
      best.next += 1;
    }

    const next: LanePositions = {};
    let anyLeft = false;
    for (const buffer of buffers) {
      const status = buffer.lane.status;
      if (buffer.exhausted || (buffer.next === buffer.items.length && !buffer.more)) {
        next[status] = null;
        continue;
      }
      anyLeft = true;
      const position = buffer.last !== undefined ? laneKey(buffer.last, buffer.lane) : positions[status];
      if (position !== undefined && position !== null) next[status] = position;
    }
    return anyLeft ? { items: page, cursor: encodeCursor(list, next) } : { items: page };
  }

  private toJob(item: Record<string, unknown> | undefined): Job {
    const parsed = parseWith(JobSchema, item, `Jobs item in ${this.tableName}`);
    if (!parsed.ok) {
      const jobId = typeof item?.job_id === 'string' ? item.job_id : '?';
      throw new AwsAdapterError('INVALID_RECORD', `job_id=${jobId} ${parsed.error.message}`, true, { jobId });
    }
    return parsed.value;
  }

  private context(operation: string, jobId?: string) {
    return { operation: `DynamoDB ${operation}`, resource: `table ${this.tableName}`, jobId };
  }
}

/** Newest first; ties broken by job id so the order is total and pages never repeat an item. */
function isNewer(a: Job, b: Job, sortAttribute: Lane['sortAttribute']): boolean {
  const av = a[sortAttribute] ?? 0;
  const bv = b[sortAttribute] ?? 0;
  return av !== bv ? av > bv : a.job_id > b.job_id;
}

/** The GSI position of an item: table key plus index key (what ExclusiveStartKey expects). */
function laneKey(job: Job, lane: Lane): LaneKey {
  return { job_id: job.job_id, status: lane.status, [lane.sortAttribute]: job[lane.sortAttribute] ?? 0 };
}
