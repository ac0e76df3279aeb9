/**
 * SegmentCompletions in SQLite. Every write also appends a change record (INSERT for a new
 * segment, MODIFY for a re-put, REMOVE for a delete) in the same transaction, which is what the
 * DynamoDB stream on the table gives the reassembly trigger on AWS.
 */
import { systemClock, type ChangeKind, type Clock, type SegmentCompletionStore } from '@stereo-spot/pipeline';
import { describeZodError, SegmentCompletionSchema, type JobId, type SegmentCompletion } from '@stereo-spot/shared-types';
import { InvalidArgumentError } from '../errors';
import { immediate, type SqliteDatabase } from '../sqlite/database';
import { notifyStreamReaders } from '../stream/segment-completion-stream';

export class SqliteSegmentCompletionStore implements SegmentCompletionStore {
  private readonly clock: Clock;

  constructor(
    private readonly db: SqliteDatabase,
    options: { readonly clock?: Clock } = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  async put(completion: SegmentCompletion): Promise<void> {
    const parsed = SegmentCompletionSchema.safeParse(completion);
    if (!parsed.success) throw new InvalidArgumentError(`invalid segment completion: ${describeZodError(parsed.error)}`);
    const valid = parsed.data;
    immediate(this.db, () => {
      const existed =
        this.db
          .prepare(`SELECT 1 FROM segment_completions WHERE job_id = ? AND segment_index = ?`)
          .get(valid.job_id, valid.segment_index) !== undefined;
      this.db
        .prepare(
          `INSERT INTO segment_completions (job_id, segment_index, record) VALUES (?, ?, ?)
           ON CONFLICT (job_id, segment_index) DO UPDATE SET record = excluded.record`,
        )
        .run(valid.job_id, valid.segment_index, JSON.stringify(valid));
      this.appendChange(existed ? 'changed' : 'inserted', valid.job_id, valid.segment_index);
    });
    notifyStreamReaders(this.db);
  }

  async count(jobId: JobId): Promise<number> {
    const row = this.db.prepare(`SELECT COUNT(*) AS n FROM segment_completions WHERE job_id = ?`).get(jobId) as {
      n: number;
    };
    return row.n;
  }

  async list(jobId: JobId): Promise<SegmentCompletion[]> {
    const rows = this.db
      .prepare(`SELECT record FROM segment_completions WHERE job_id = ? ORDER BY segment_index`)
      .all(jobId) as { record: string }[];
    return rows.map((row) => SegmentCompletionSchema.parse(JSON.parse(row.record)));
  }

  async deleteForJob(jobId: JobId): Promise<void> {
    immediate(this.db, () => {
      const rows = this.db
        .prepare(`DELETE FROM segment_completions WHERE job_id = ? RETURNING segment_index`)
        .all(jobId) as { segment_index: number }[];
      for (const row of rows.sort((a, b) => a.segment_index - b.segment_index)) {
        this.appendChange('removed', jobId, row.segment_index);
      }
    });
    notifyStreamReaders(this.db);
  }

  private appendChange(kind: ChangeKind, jobId: string, segmentIndex: number): void {
    this.db
      .prepare(
        `INSERT INTO segment_completion_changes (event_name, job_id, segment_index, created_at) VALUES (?, ?, ?, ?)`,
      )
      .run(kind, jobId, segmentIndex, this.clock.now());
  }
}
