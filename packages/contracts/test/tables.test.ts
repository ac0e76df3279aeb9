import { keyAttributes, TABLES } from '../src/tables';

describe('keyAttributes', () => {
  it('lists every attribute a table or index key uses, once, table keys first', () => {
    // Act
    const jobs = keyAttributes(TABLES.jobs);
    const completions = keyAttributes(TABLES.segmentCompletions);

    // Assess: `status` keys both Jobs indexes and is declared once.
    expect(jobs).toEqual([
      { name: 'job_id', type: 'S' },
      { name: 'status', type: 'S' },
      { name: 'created_at', type: 'N' },
      { name: 'completed_at', type: 'N' },
    ]);
    expect(completions).toEqual([
      { name: 'job_id', type: 'S' },
      { name: 'segment_index', type: 'N' },
    ]);
  });

  it('declares nothing but the partition key of a table without sort key or index', () => {
    expect(keyAttributes(TABLES.reassemblyTriggered)).toEqual([{ name: 'job_id', type: 'S' }]);
  });
});
