import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { Construct } from 'constructs';
import { type StackContext } from '../context';

/** Global secondary indexes of the Jobs table: status lists, newest first. */
export const JOBS_INDEXES = [
  { name: 'status-created_at', hashKey: 'status', rangeKey: 'created_at' },
  { name: 'status-completed_at', hashKey: 'status', rangeKey: 'completed_at' },
] as const;

/** The three DynamoDB tables, on demand, encrypted (AWS-managed KMS key), with point-in-time recovery. */
export class Tables extends Construct {
  readonly jobs: DynamodbTable;
  readonly segmentCompletions: DynamodbTable;
  readonly reassemblyTriggered: DynamodbTable;

  constructor(scope: Construct, id: string, context: StackContext) {
    super(scope, id);
    const { names, settings } = context;
    const common = {
      deletionProtectionEnabled: settings.deletion_protection,
      billingMode: 'PAY_PER_REQUEST',
      serverSideEncryption: { enabled: true },
      // Every table: a bad deploy or a wrong `ops` command can be rolled back to any second of the last 35 days.
      pointInTimeRecovery: { enabled: true },
    };

    this.jobs = new DynamodbTable(this, 'jobs', {
      ...common,
      name: names.jobsTable,
      hashKey: 'job_id',
      attribute: [
        { name: 'job_id', type: 'S' },
        { name: 'status', type: 'S' },
        { name: 'created_at', type: 'N' },
        { name: 'completed_at', type: 'N' },
      ],
      globalSecondaryIndex: JOBS_INDEXES.map((index) => ({ ...index, projectionType: 'ALL' })),
      // The reassembly trigger also reads this stream: a job entering chunking_complete (by the
      // media-worker, the recovery script or an operator) after its last segment was converted.
      streamEnabled: true,
      streamViewType: 'NEW_AND_OLD_IMAGES',
    });

    // The reassembly trigger reads this table's stream (keys + new image of each completion).
    this.segmentCompletions = new DynamodbTable(this, 'segment-completions', {
      ...common,
      name: names.segmentCompletionsTable,
      hashKey: 'job_id',
      rangeKey: 'segment_index',
      attribute: [
        { name: 'job_id', type: 'S' },
        { name: 'segment_index', type: 'N' },
      ],
      streamEnabled: true,
      streamViewType: 'NEW_IMAGE',
    });

    // One lock per job; DynamoDB's TTL removes it `REASSEMBLY_LOCK_TTL_DAYS` after the trigger.
    this.reassemblyTriggered = new DynamodbTable(this, 'reassembly-triggered', {
      ...common,
      name: names.reassemblyTriggeredTable,
      hashKey: 'job_id',
      attribute: [{ name: 'job_id', type: 'S' }],
      ttl: { attributeName: 'ttl', enabled: true },
    });
  }
}
