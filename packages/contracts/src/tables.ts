/**
 * The three DynamoDB tables: keys, indexes, stream and TTL. packages/aws-infra creates them with
 * CDKTF, the emulator provisioning (packages/aws-adapters) with the SDK, and the DynamoDB stores
 * query the indexes by these names.
 */

export interface TableAttribute {
  readonly name: string;
  /** DynamoDB's scalar types: string or number. */
  readonly type: 'S' | 'N';
}

/** A global secondary index; every index projects all attributes. */
export interface TableIndex {
  readonly name: string;
  readonly partitionKey: TableAttribute;
  readonly sortKey: TableAttribute;
}

export interface TableDescription {
  readonly partitionKey: TableAttribute;
  readonly sortKey?: TableAttribute;
  readonly indexes?: readonly TableIndex[];
  /** What each stream record carries; no stream when absent. */
  readonly streamView?: 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES';
  /** Attribute holding the expiry (epoch seconds) DynamoDB's TTL deletes by. */
  readonly ttlAttribute?: string;
}

const jobId: TableAttribute = { name: 'job_id', type: 'S' };
const status: TableAttribute = { name: 'status', type: 'S' };

export const TABLES = {
  /** Jobs; the reassembly trigger reads the stream (a job entering chunking_complete). */
  jobs: {
    partitionKey: jobId,
    indexes: [
      /** Status lists, newest first. */
      { name: 'status-created_at', partitionKey: status, sortKey: { name: 'created_at', type: 'N' } },
      { name: 'status-completed_at', partitionKey: status, sortKey: { name: 'completed_at', type: 'N' } },
    ],
    streamView: 'NEW_AND_OLD_IMAGES',
  },
  /** One item per converted segment; the reassembly trigger reads the stream. */
  segmentCompletions: {
    partitionKey: jobId,
    sortKey: { name: 'segment_index', type: 'N' },
    streamView: 'NEW_IMAGE',
  },
  /** One lock per job, removed by DynamoDB's TTL. */
  reassemblyTriggered: { partitionKey: jobId, ttlAttribute: 'ttl' },
} as const satisfies Readonly<Record<string, TableDescription>>;

export type TableName = keyof typeof TABLES;

/** Every attribute a key of the table or of an index uses, once each, keys first. */
export function keyAttributes(table: TableDescription): TableAttribute[] {
  const attributes = [
    table.partitionKey,
    ...(table.sortKey !== undefined ? [table.sortKey] : []),
    ...(table.indexes ?? []).flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  return attributes.filter((attribute, at) => attributes.findIndex((a) => a.name === attribute.name) === at);
}
