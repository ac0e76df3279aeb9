import { keyAttributes, TABLES, type TableName } from '@stereo-spot/contracts';
import { JobSchema, ReassemblyTriggeredSchema, SegmentCompletionSchema } from '@stereo-spot/shared-types';

/** The item each DynamoDB store writes to each table. */
const ITEM_FIELDS: Record<TableName, readonly string[]> = {
  jobs: Object.keys(JobSchema.shape),
  segmentCompletions: Object.keys(SegmentCompletionSchema.shape),
  reassemblyTriggered: Object.keys(ReassemblyTriggeredSchema.shape),
};

describe('the tables of @stereo-spot/contracts and the items the stores write', () => {
  it.each(Object.keys(TABLES) as TableName[])(
    '%s: every key, index key and TTL attribute is a field of the item',
    (table) => {
      // Prepare
      const description = TABLES[table];
      const ttl = 'ttlAttribute' in description ? [description.ttlAttribute] : [];

      // Act
      const named = [...keyAttributes(description).map((attribute) => attribute.name), ...ttl];

      // Assess
      expect(named.filter((name) => !ITEM_FIELDS[table].includes(name))).toEqual([]);
    },
  );
});
