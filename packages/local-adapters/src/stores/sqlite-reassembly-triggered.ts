/** The ReassemblyTriggered table in SQLite: conditional create and conditional start. */
import type { ReassemblyTriggeredStore } from '@stereo-spot/pipeline';
import {
  describeZodError,
  ReassemblyTriggeredSchema,
  type JobId,
  type ReassemblyTriggered,
} from '@stereo-spot/shared-types';
import { InvalidArgumentError } from '../errors';
import type { SqliteDatabase } from '../sqlite/database';

interface LockRow {
  job_id: string;
  triggered_at: number;
  ttl: number;
  reassembly_started_at: number | null;
}

export class SqliteReassemblyTriggeredStore implements ReassemblyTriggeredStore {
  constructor(private readonly db: SqliteDatabase) {}

  async tryCreate(lock: ReassemblyTriggered): Promise<boolean> {
    const parsed = ReassemblyTriggeredSchema.safeParse(lock);
    if (!parsed.success) throw new InvalidArgumentError(`invalid reassembly lock: ${describeZodError(parsed.error)}`);
    const valid = parsed.data;
    const result = this.db
      .prepare(
        `INSERT INTO reassembly_triggered (job_id, triggered_at, ttl, reassembly_started_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (job_id) DO NOTHING`,
      )
      .run(valid.job_id, valid.triggered_at, valid.ttl, valid.reassembly_started_at ?? null);
    return result.changes === 1;
  }

  async get(jobId: JobId): Promise<ReassemblyTriggered | undefined> {
    const row = this.db.prepare(`SELECT * FROM reassembly_triggered WHERE job_id = ?`).get(jobId) as
      | LockRow
      | undefined;
    if (row === undefined) return undefined;
    return ReassemblyTriggeredSchema.parse({
      job_id: row.job_id,
      triggered_at: row.triggered_at,
      ttl: row.ttl,
      ...(row.reassembly_started_at === null ? {} : { reassembly_started_at: row.reassembly_started_at }),
    });
  }

  async tryStart(jobId: JobId, now: number, staleAfterMs: number): Promise<boolean> {
    // One UPDATE with the condition in its WHERE clause: atomic without an explicit transaction.
    const result = this.db
      .prepare(
        `UPDATE reassembly_triggered SET reassembly_started_at = ?
         WHERE job_id = ? AND (reassembly_started_at IS NULL OR reassembly_started_at < ?)`,
      )
      .run(now, jobId, now - staleAfterMs);
    return result.changes === 1;
  }

  async delete(jobId: JobId): Promise<void> {
    this.db.prepare(`DELETE FROM reassembly_triggered WHERE job_id = ?`).run(jobId);
  }
}
