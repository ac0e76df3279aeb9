/**
 * Jobs in SQLite. Every status change is one conditional write (`status IN statusesBefore(to)`)
 * inside a BEGIN IMMEDIATE transaction, so two processes racing on one job cannot both win. Every
 * create and transition also appends a change record (old and new status) in the same
 * transaction: the Jobs stream the reassembly trigger reads for `chunking_complete`.
 */
import {
  JobAlreadyExistsError,
  systemClock,
  type ChangeKind,
  type Clock,
  type JobStore,
  type JobTransitionPatch,
  type ListOptions,
  type Page,
  type TransitionOutcome,
} from '@stereo-spot/pipeline';
import {
  describeZodError,
  JobSchema,
  statusesBefore,
  type Job,
  type JobId,
  type JobStatus,
} from '@stereo-spot/shared-types';
import { InvalidArgumentError } from '../errors';
import { immediate, type SqliteDatabase } from '../sqlite/database';
import { notifyStreamReaders } from '../stream/segment-completion-stream';
import { decodeCursor, encodeCursor } from './cursor';

const IN_PROGRESS: readonly JobStatus[] = ['created', 'chunking_in_progress', 'chunking_complete'];
const MAX_PAGE = 1000;

interface JobRow {
  record: string;
  sort_value: number;
}

export class SqliteJobStore implements JobStore {
  private readonly clock: Clock;

  constructor(
    private readonly db: SqliteDatabase,
    options: { readonly clock?: Clock } = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  async create(job: Job): Promise<void> {
    const valid = validJob(job);
    const created = immediate(this.db, () => {
      const result = this.db
        .prepare(
          `INSERT INTO jobs (job_id, status, created_at, completed_at, record) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (job_id) DO NOTHING`,
        )
        .run(valid.job_id, valid.status, valid.created_at, valid.completed_at ?? null, JSON.stringify(valid));
      if (result.changes === 1) this.appendChange('inserted', valid.job_id, undefined, valid.status);
      return result.changes === 1;
    });
    if (!created) throw new JobAlreadyExistsError(valid.job_id);
    notifyStreamReaders(this.db, 'job_changes');
  }

  async get(jobId: JobId): Promise<Job | undefined> {
    return this.read(jobId);
  }

  async transition(jobId: JobId, to: JobStatus, patch: JobTransitionPatch = {}): Promise<TransitionOutcome> {
    const allowedFrom = statusesBefore(to);
    const outcome = immediate(this.db, (): TransitionOutcome => {
      const current = this.read(jobId);
      if (current === undefined || !allowedFrom.includes(current.status)) return { applied: false, current };
      const next = validJob({ ...current, ...definedFields(patch), status: to, updated_at: this.clock.now() });
      const placeholders = allowedFrom.map(() => '?').join(', ');
      const result = this.db
        .prepare(
          `UPDATE jobs SET status = ?, completed_at = ?, record = ?
           WHERE job_id = ? AND status IN (${placeholders})`,
        )
        .run(next.status, next.completed_at ?? null, JSON.stringify(next), jobId, ...allowedFrom);
      // The transaction holds the write lock, so the row read above is the row updated here.
      if (result.changes !== 1) return { applied: false, current };
      this.appendChange('changed', jobId, current.status, next.status);
      return { applied: true, job: next };
    });
    if (outcome.applied) notifyStreamReaders(this.db, 'job_changes');
    return outcome;
  }

  async listInProgress(options: ListOptions): Promise<Page<Job>> {
    return this.page(IN_PROGRESS, 'created_at', options);
  }

  async listCompleted(options: ListOptions): Promise<Page<Job>> {
    return this.page(['completed'], 'completed_at', options);
  }

  async listFailed(options: ListOptions): Promise<Page<Job>> {
    return this.page(['failed'], 'created_at', options);
  }

  async delete(jobId: JobId): Promise<void> {
    immediate(this.db, () => {
      const removed = this.db.prepare(`DELETE FROM jobs WHERE job_id = ? RETURNING status`).get(jobId) as
        | { status: JobStatus }
        | undefined;
      if (removed !== undefined) this.appendChange('removed', jobId, removed.status, undefined);
    });
  }

  private appendChange(
    kind: ChangeKind,
    jobId: string,
    oldStatus: JobStatus | undefined,
    newStatus: JobStatus | undefined,
  ): void {
    this.db
      .prepare(
        `INSERT INTO job_changes (event_name, job_id, old_status, new_status, created_at) VALUES (?, ?, ?, ?, ?)`,
      )
      .run(kind, jobId, oldStatus ?? null, newStatus ?? null, this.clock.now());
  }

  private read(jobId: JobId): Job | undefined {
    const row = this.db.prepare(`SELECT record FROM jobs WHERE job_id = ?`).get(jobId) as
      | { record: string }
      | undefined;
    return row === undefined ? undefined : validJob(JSON.parse(row.record));
  }

  /** Newest first by `sortColumn`, ties broken by job_id; the cursor is the last row's position. */
  private page(statuses: readonly JobStatus[], sortColumn: 'created_at' | 'completed_at', options: ListOptions): Page<Job> {
    const { limit } = options;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new InvalidArgumentError(`limit must be an integer from 1 to ${MAX_PAGE}, got ${limit}`);
    }
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const placeholders = statuses.map(() => '?').join(', ');
    const sortValue = `COALESCE(${sortColumn}, 0)`;
    const rows = this.db
      .prepare(
        `SELECT record, ${sortValue} AS sort_value FROM jobs
         WHERE status IN (${placeholders})
           ${after === undefined ? '' : `AND (${sortValue} < ? OR (${sortValue} = ? AND job_id < ?))`}
         ORDER BY sort_value DESC, job_id DESC LIMIT ?`,
      )
      .all(...statuses, ...(after === undefined ? [] : [after.value, after.value, after.id]), limit + 1) as JobRow[];
    const pageRows = rows.slice(0, limit);
    const items = pageRows.map((row) => validJob(JSON.parse(row.record)));
    const last = items.at(-1);
    const lastRow = pageRows.at(-1);
    if (rows.length <= limit || last === undefined || lastRow === undefined) return { items };
    return { items, cursor: encodeCursor({ value: lastRow.sort_value, id: last.job_id }) };
  }
}

function validJob(value: unknown): Job {
  const parsed = JobSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`invalid job: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/** Patch fields left `undefined` do not erase what the job has. */
function definedFields(patch: JobTransitionPatch): Partial<Job> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<Job>;
}
