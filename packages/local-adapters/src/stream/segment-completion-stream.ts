/**
 * The change streams, embedded (SegmentCompletions, and Jobs for the transition into
 * `chunking_complete`): change records appended by the store in the same transaction as the write,
 * read in sequence order by a poller that hands the pipeline's changes to the reassembly trigger
 * with Lambda's delivery rules for a DynamoDB stream: in order, at least once, re-delivered from
 * the first failed position. Each consumer has a checkpoint (the last sequence number it
 * finished) and a lease, so only one process at a time reads for a consumer and a crash
 * re-delivers from the checkpoint.
 */
import { randomUUID } from 'node:crypto';
import { createLogger, type Logger } from '@stereo-spot/logging';
import {
  systemClock,
  type ChangeBatchOutcome,
  type ChangeKind,
  type Clock,
  type JobStatusChange,
  type SegmentCompletionChange,
  type TriggerChange,
} from '@stereo-spot/pipeline';
import type { JobId, JobStatus } from '@stereo-spot/shared-types';
import { InvalidArgumentError } from '../errors';
import { waitForSendOrTimeout, wakeReceivers } from '../queue/wakeups';
import { immediate, type SqliteDatabase } from '../sqlite/database';

/** A table's change records: where they are kept and how they are read. */
export interface ChangeFeed<C extends TriggerChange> {
  /** Table of change records, also the wake-up channel's name. */
  readonly table: 'segment_completion_changes' | 'job_changes';
  read(db: SqliteDatabase, afterSequenceNumber: number, limit: number): C[];
}

export const SEGMENT_COMPLETIONS_FEED: ChangeFeed<SegmentCompletionChange> = {
  table: 'segment_completion_changes',
  read: (db, after, limit) => readSegmentCompletionChanges(db, after, limit),
};

export const JOBS_FEED: ChangeFeed<JobStatusChange> = {
  table: 'job_changes',
  read: (db, after, limit) => readJobChanges(db, after, limit),
};

/** Wake-up channel name for readers in this process (see queue/wakeups). */
function channelOf(table: ChangeFeed<TriggerChange>['table']): string {
  return `\u0000${table}`;
}

/** Stream records are kept for 24 hours, like a DynamoDB stream. */
const RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * The stored `event_name` is the pipeline's kind; rows an earlier version wrote (DynamoDB's
 * INSERT/MODIFY/REMOVE) may still be waiting in a database for up to the retention period.
 */
const EARLIER_EVENT_NAMES: Readonly<Record<string, ChangeKind>> = { INSERT: 'inserted', MODIFY: 'changed', REMOVE: 'removed' };
function kindOf(eventName: string): ChangeKind {
  return EARLIER_EVENT_NAMES[eventName] ?? (eventName as ChangeKind);
}

/** What every change table holds; each adds the columns of its subject. */
interface ChangeRowBase {
  sequence_number: number;
  event_name: string;
  job_id: string;
}

interface ChangeRow extends ChangeRowBase {
  segment_index: number;
}

/** The change records of `table` after `afterSequenceNumber`, in order, with `columns` besides. */
function changeRows<Row extends ChangeRowBase>(
  db: SqliteDatabase,
  table: 'job_changes' | 'segment_completion_changes',
  columns: string,
  afterSequenceNumber: number,
  limit: number,
): Row[] {
  return db
    .prepare(
      `SELECT sequence_number, event_name, job_id, ${columns} FROM ${table}
       WHERE sequence_number > ? ORDER BY sequence_number LIMIT ?`,
    )
    .all(afterSequenceNumber, limit) as Row[];
}

/** Tells readers in this process that new change records exist. */
export function notifyStreamReaders(
  db: SqliteDatabase,
  table: ChangeFeed<TriggerChange>['table'] = 'segment_completion_changes',
): void {
  wakeReceivers(db.name, channelOf(table));
}

interface JobChangeRow extends ChangeRowBase {
  old_status: JobStatus | null;
  new_status: JobStatus | null;
}

/** Jobs change records after `afterSequenceNumber`, in order. */
export function readJobChanges(db: SqliteDatabase, afterSequenceNumber: number, limit: number): JobStatusChange[] {
  const rows = changeRows<JobChangeRow>(db, 'job_changes', 'old_status, new_status', afterSequenceNumber, limit);
  return rows.map((row) => ({
    kind: kindOf(row.event_name),
    subject: 'job',
    jobId: row.job_id as JobId,
    position: String(row.sequence_number),
    ...(row.old_status !== null ? { oldStatus: row.old_status } : {}),
    ...(row.new_status !== null ? { newStatus: row.new_status } : {}),
  }));
}

/** Change records after `afterSequenceNumber`, in order (for readers, tests and operators). */
export function readSegmentCompletionChanges(
  db: SqliteDatabase,
  afterSequenceNumber: number,
  limit: number,
): SegmentCompletionChange[] {
  const rows = changeRows<ChangeRow>(
    db,
    'segment_completion_changes',
    'segment_index',
    afterSequenceNumber,
    limit,
  );
  return rows.map((row) => ({
    kind: kindOf(row.event_name),
    subject: 'segment-completion',
    jobId: row.job_id as JobId,
    segmentIndex: row.segment_index,
    position: String(row.sequence_number),
  }));
}

export interface StreamReaderOptions<C extends TriggerChange = SegmentCompletionChange> {
  readonly db: SqliteDatabase;
  /** Which table's changes; default SegmentCompletions. */
  readonly feed?: ChangeFeed<C>;
  /** Checkpoint name; readers with the same name share one position (one reads at a time). */
  readonly consumer: string;
  /** Gets each batch; the positions it hands back are delivered again. */
  readonly handler: (changes: C[]) => Promise<ChangeBatchOutcome>;
  /** Most changes per handler call. Default 100. */
  readonly batchSize?: number;
  /** How often the table is polled for changes written by other processes. Default 200 ms. */
  readonly pollIntervalMs?: number;
  /** How long this reader owns the consumer without renewing. Default 30 s. */
  readonly leaseMs?: number;
  /** First and largest pause before a failed batch is delivered again. Default 200 ms / 5 s. */
  readonly retryBackoffMs?: { readonly initial: number; readonly max: number };
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export type PollOutcome =
  | { readonly kind: 'idle' }
  | { readonly kind: 'leased-elsewhere' }
  | { readonly kind: 'delivered'; readonly count: number }
  | { readonly kind: 'failed'; readonly count: number; readonly retryFrom: string };

export class SegmentCompletionStreamReader<C extends TriggerChange = SegmentCompletionChange> {
  private readonly owner = randomUUID();
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private consecutiveFailures = 0;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly backoff: { readonly initial: number; readonly max: number };
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly feed: ChangeFeed<C>;

  constructor(private readonly options: StreamReaderOptions<C>) {
    // Without a feed the reader is the SegmentCompletions one, whose changes are `C`'s default.
    this.feed = options.feed ?? (SEGMENT_COMPLETIONS_FEED as unknown as ChangeFeed<C>);
    if (options.consumer.trim() === '') throw new InvalidArgumentError('stream consumer name must not be empty');
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.backoff = options.retryBackoffMs ?? { initial: 200, max: 5000 };
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? createLogger({ name: 'segment-completion-stream' });
  }

  /** Starts polling in the background until `stop()`. */
  start(): void {
    this.running ??= this.loop();
  }

  /** Stops after the batch in progress (if any) and gives up the lease. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
    this.releaseLease();
  }

  /** The last sequence number this consumer finished (0 before the first). */
  checkpoint(): number {
    const row = this.options.db
      .prepare(`SELECT sequence_number FROM stream_checkpoints WHERE consumer = ?`)
      .get(this.options.consumer) as { sequence_number: number } | undefined;
    return row?.sequence_number ?? 0;
  }

  /** One poll: take the lease, deliver the next batch, move the checkpoint past what succeeded. */
  async pollOnce(): Promise<PollOutcome> {
    if (!this.takeLease()) return { kind: 'leased-elsewhere' };
    this.trimExpiredChanges();
    const changes = this.feed.read(this.options.db, this.checkpoint(), this.batchSize);
    if (changes.length === 0) return { kind: 'idle' };

    let failed: readonly string[];
    try {
      failed = (await this.options.handler(changes)).failedPositions;
    } catch (error) {
      this.logger.warn({ err: error, consumer: this.options.consumer }, 'stream handler threw; the batch will be delivered again');
      failed = changes.map((change) => change.position);
    }
    const delivered = changes.map((change) => Number(change.position));
    const first = Math.min(...delivered);
    if (failed.length === 0) {
      this.saveCheckpoint(Math.max(...delivered));
      this.consecutiveFailures = 0;
      return { kind: 'delivered', count: changes.length };
    }
    // Like Lambda: resume from the lowest failed record; an unknown position fails the whole batch.
    const failedNumbers = failed.map(Number);
    const retryFrom = failedNumbers.every((position) => delivered.includes(position))
      ? Math.min(...failedNumbers)
      : first;
    this.saveCheckpoint(retryFrom - 1);
    this.consecutiveFailures += 1;
    return { kind: 'failed', count: changes.length, retryFrom: String(retryFrom) };
  }

  private async loop(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      let pause = this.pollIntervalMs;
      try {
        const outcome = await this.pollOnce();
        if (outcome.kind === 'delivered') pause = 0;
        if (outcome.kind === 'failed') {
          pause = Math.min(this.backoff.max, this.backoff.initial * 2 ** (this.consecutiveFailures - 1));
        }
      } catch (error) {
        // The database itself failed (e.g. locked past busy_timeout): try again later.
        this.logger.warn({ err: error, consumer: this.options.consumer }, 'reading the SegmentCompletions stream failed');
        pause = this.backoff.max;
      }
      if (pause > 0) await waitForSendOrTimeout(this.options.db.name, channelOf(this.feed.table), pause, signal);
    }
  }

  private takeLease(): boolean {
    const { db, consumer } = this.options;
    return immediate(db, () => {
      const now = this.clock.now();
      db.prepare(`INSERT INTO stream_checkpoints (consumer) VALUES (?) ON CONFLICT (consumer) DO NOTHING`).run(consumer);
      const result = db
        .prepare(
          `UPDATE stream_checkpoints SET lease_owner = ?, lease_expires_at = ?
           WHERE consumer = ? AND (lease_owner IS NULL OR lease_owner = ? OR lease_expires_at < ?)`,
        )
        .run(this.owner, now + this.leaseMs, consumer, this.owner, now);
      return result.changes === 1;
    });
  }

  private saveCheckpoint(sequenceNumber: number): void {
    this.options.db
      .prepare(`UPDATE stream_checkpoints SET sequence_number = ? WHERE consumer = ? AND lease_owner = ?`)
      .run(sequenceNumber, this.options.consumer, this.owner);
  }

  private releaseLease(): void {
    if (!this.options.db.open) return;
    this.options.db
      .prepare(`UPDATE stream_checkpoints SET lease_owner = NULL, lease_expires_at = NULL WHERE consumer = ? AND lease_owner = ?`)
      .run(this.options.consumer, this.owner);
  }

  private lastTrim = 0;
  private trimExpiredChanges(): void {
    const now = this.clock.now();
    if (now - this.lastTrim < 60_000) return;
    this.lastTrim = now;
    this.options.db.prepare(`DELETE FROM ${this.feed.table} WHERE created_at < ?`).run(now - RETENTION_MS);
  }
}
