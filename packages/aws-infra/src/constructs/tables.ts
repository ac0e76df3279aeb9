import { DynamodbTable, type DynamodbTableConfig } from '@cdktf/provider-aws/lib/dynamodb-table';
import { keyAttributes, TABLES, type TableDescription } from '@stereo-spot/contracts';
import { Construct } from 'constructs';
import { type StackContext } from '../context';

/** The three DynamoDB tables (keys, indexes, streams, TTL: @stereo-spot/contracts' TABLES), on
 * demand, encrypted (AWS-managed KMS key), with point-in-time recovery. */
export class Tables extends Construct {
  readonly jobs: DynamodbTable;
  readonly segmentCompletions: DynamodbTable;
  readonly reassemblyTriggered: DynamodbTable;

  constructor(scope: Construct, id: string, context: StackContext) {
    super(scope, id);
    const { names, settings } = context;
    const table = (tableId: string, name: string, description: TableDescription): DynamodbTable =>
      new DynamodbTable(this, tableId, {
        name,
        deletionProtectionEnabled: settings.deletion_protection,
        billingMode: 'PAY_PER_REQUEST',
        serverSideEncryption: { enabled: true },
        // Every table: a bad deploy or a wrong `ops` command can be rolled back to any second of the last 35 days.
        pointInTimeRecovery: { enabled: true },
        ...tableShape(description),
      });

    // The reassembly trigger reads the Jobs stream (a job entering chunking_complete, by the
    // media-worker, the recovery script or an operator, after its last segment was converted) and
    // the SegmentCompletions stream (keys + new image of each completion).
    this.jobs = table('jobs', names.jobsTable, TABLES.jobs);
    this.segmentCompletions = table('segment-completions', names.segmentCompletionsTable, TABLES.segmentCompletions);
    // One lock per job; DynamoDB's TTL removes it `REASSEMBLY_LOCK_TTL_DAYS` after the trigger.
    this.reassemblyTriggered = table('reassembly-triggered', names.reassemblyTriggeredTable, TABLES.reassemblyTriggered);
  }
}

/** A table description in the Terraform provider's words. */
function tableShape(
  description: TableDescription,
): Pick<
  DynamodbTableConfig,
  'hashKey' | 'rangeKey' | 'attribute' | 'globalSecondaryIndex' | 'streamEnabled' | 'streamViewType' | 'ttl'
> {
  return {
    hashKey: description.partitionKey.name,
    ...(description.sortKey !== undefined ? { rangeKey: description.sortKey.name } : {}),
    attribute: keyAttributes(description),
    ...(description.indexes !== undefined
      ? {
          globalSecondaryIndex: description.indexes.map((index) => ({
            name: index.name,
            hashKey: index.partitionKey.name,
            rangeKey: index.sortKey.name,
            projectionType: 'ALL',
          })),
        }
      : {}),
    ...(description.streamView !== undefined
      ? { streamEnabled: true, streamViewType: description.streamView }
      : {}),
    ...(description.ttlAttribute !== undefined
      ? { ttl: { attributeName: description.ttlAttribute, enabled: true } }
      : {}),
  };
}
