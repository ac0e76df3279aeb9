/**
 * A queue with SQS semantics in SQLite: at-least-once delivery, a visibility timeout per delivery,
 * a receive count, redrive to a dead-letter queue once a receive would exceed maxReceiveCount, and
 * long polling. Every receive is one BEGIN IMMEDIATE transaction, so two processes never get the
 * same message while it is in flight.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock, type DeadLetterQueue, type Queue, type QueueDepth, type QueueMessage, type ReceiveOptions } from '@stereo-spot/pipeline';
import { InvalidArgumentError, ReceiptHandleInvalidError } from '../errors';
import { immediate, type SqliteDatabase } from '../sqlite/database';
import { waitForSendOrTimeout, wakeReceivers } from './wakeups';

/** SQS limits, kept so that code working here also works on SQS. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
export const MAX_RECEIVE_BATCH = 10;
export const MAX_WAIT_SECONDS = 20;
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

export interface Redrive {
  /** Name of the dead-letter queue in the same database. */
  readonly deadLetterQueueName: string;
  /** Receives before a message moves to the dead-letter queue (SQS: maxReceiveCount). */
  readonly maxReceiveCount: number;
}

export interface SqliteQueueOptions {
  readonly db: SqliteDatabase;
  readonly name: string;
  readonly visibilityTimeoutSeconds: number;
  /** Without it a message is redelivered forever (like an SQS queue without a redrive policy). */
  readonly redrive?: Redrive;
  readonly clock?: Clock;
  /** How often a long poll looks at the database for messages sent by other processes. Default 100 ms. */
  readonly pollIntervalMs?: number;
  /** Aborted when the platform closes: long polls return at once. */
  readonly closed?: AbortSignal;
}

interface MessageRow {
  seq: number;
  message_id: string;
  body: string;
  receive_count: number;
}

export class SqliteQueue implements Queue {
  readonly name: string;
  readonly visibilityTimeoutSeconds: number;
  /** The database file; queues in the same file can move messages between them in one transaction. */
  readonly databasePath: string;
  protected readonly db: SqliteDatabase;
  protected readonly clock: Clock;
  private readonly redrive: Redrive | undefined;
  private readonly pollIntervalMs: number;
  private readonly closed: AbortSignal;
  private readonly statements;

  constructor(options: SqliteQueueOptions) {
    assertVisibility(options.visibilityTimeoutSeconds, 'visibilityTimeoutSeconds');
    if (options.redrive !== undefined) {
      const { maxReceiveCount } = options.redrive;
      if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
        throw new InvalidArgumentError(`maxReceiveCount must be an integer from 1 to 1000, got ${maxReceiveCount}`);
      }
    }
    this.db = options.db;
    this.databasePath = options.db.name;
    this.name = options.name;
    this.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds;
    this.redrive = options.redrive;
    this.clock = options.clock ?? systemClock;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.closed = options.closed ?? new AbortController().signal;
    const db = this.db;
    this.statements = {
      insert: db.prepare(
        `INSERT INTO queue_messages (queue, message_id, body, sent_at, visible_at) VALUES (?, ?, ?, ?, ?)`,
      ),
      visible: db.prepare(
        `SELECT seq, message_id, body, receive_count FROM queue_messages
         WHERE queue = ? AND visible_at <= ? ORDER BY seq LIMIT ?`,
      ),
      deliver: db.prepare(
        `UPDATE queue_messages SET receive_count = receive_count + 1, receipt_handle = ?, visible_at = ?
         WHERE seq = ?`,
      ),
      moveToDeadLetter: db.prepare(
        `UPDATE queue_messages SET queue = ?, visible_at = ?, receipt_handle = NULL WHERE seq = ?`,
      ),
      deleteByReceipt: db.prepare(`DELETE FROM queue_messages WHERE queue = ? AND receipt_handle = ?`),
      changeVisibility: db.prepare(
        `UPDATE queue_messages SET visible_at = ? WHERE queue = ? AND receipt_handle = ?`,
      ),
      depth: db.prepare(
        `SELECT COALESCE(SUM(visible_at <= ?), 0) AS visible, COALESCE(SUM(visible_at > ?), 0) AS inFlight
         FROM queue_messages WHERE queue = ?`,
      ),
    };
  }

  async send(body: string): Promise<void> {
    if (typeof body !== 'string' || body.length === 0) {
      throw new InvalidArgumentError(`message body for ${this.name} must be a non-empty string`);
    }
    if (Buffer.byteLength(body, 'utf8') > MAX_MESSAGE_BYTES) {
      throw new InvalidArgumentError(`message body for ${this.name} exceeds ${MAX_MESSAGE_BYTES} bytes`);
    }
    const now = this.clock.now();
    this.statements.insert.run(this.name, randomUUID(), body, now, now);
    wakeReceivers(this.db.name, this.name);
  }

  async receive(options: ReceiveOptions): Promise<QueueMessage[]> {
    const { maxMessages, waitSeconds } = options;
    if (!Number.isInteger(maxMessages) || maxMessages < 1 || maxMessages > MAX_RECEIVE_BATCH) {
      throw new InvalidArgumentError(`maxMessages must be an integer from 1 to ${MAX_RECEIVE_BATCH}, got ${maxMessages}`);
    }
    if (!(waitSeconds >= 0 && waitSeconds <= MAX_WAIT_SECONDS)) {
      throw new InvalidArgumentError(`waitSeconds must be from 0 to ${MAX_WAIT_SECONDS}, got ${waitSeconds}`);
    }
    const visibilitySeconds = options.visibilityTimeoutSeconds ?? this.visibilityTimeoutSeconds;
    assertVisibility(visibilitySeconds, 'visibilityTimeoutSeconds');

    const signal = options.signal ? AbortSignal.any([options.signal, this.closed]) : this.closed;
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      if (signal.aborted) return [];
      const messages = this.receiveNow(maxMessages, visibilitySeconds);
      const remaining = deadline - Date.now();
      if (messages.length > 0 || remaining <= 0) return messages;
      await waitForSendOrTimeout(this.db.name, this.name, Math.min(this.pollIntervalMs, remaining), signal);
    }
  }

  async delete(receiptHandle: string): Promise<void> {
    // Like SQS: a handle from an earlier delivery succeeds without deleting the redelivered message.
    this.statements.deleteByReceipt.run(this.name, receiptHandle);
  }

  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    assertVisibility(seconds, 'seconds', 0);
    const result = this.statements.changeVisibility.run(this.clock.now() + seconds * 1000, this.name, receiptHandle);
    if (result.changes === 0) throw new ReceiptHandleInvalidError(this.name);
    if (seconds === 0) wakeReceivers(this.db.name, this.name);
  }

  async depth(): Promise<QueueDepth> {
    const now = this.clock.now();
    const row = this.statements.depth.get(now, now, this.name) as { visible: number; inFlight: number };
    return { visible: row.visible, inFlight: row.inFlight };
  }

  /** One atomic receive: redrive exhausted messages, then hand out up to `max` deliveries. */
  private receiveNow(max: number, visibilitySeconds: number): QueueMessage[] {
    const delivered: QueueMessage[] = [];
    let movedToDeadLetter = false;
    immediate(this.db, () => {
      const now = this.clock.now();
      while (delivered.length < max) {
        const rows = this.statements.visible.all(this.name, now, max - delivered.length) as MessageRow[];
        if (rows.length === 0) break;
        for (const row of rows) {
          if (this.redrive !== undefined && row.receive_count >= this.redrive.maxReceiveCount) {
            this.statements.moveToDeadLetter.run(this.redrive.deadLetterQueueName, now, row.seq);
            movedToDeadLetter = true;
            continue;
          }
          const receiptHandle = randomUUID();
          this.statements.deliver.run(receiptHandle, now + visibilitySeconds * 1000, row.seq);
          delivered.push({
            messageId: row.message_id,
            receiptHandle,
            body: row.body,
            receiveCount: row.receive_count + 1,
          });
        }
      }
    });
    if (movedToDeadLetter && this.redrive !== undefined) {
      wakeReceivers(this.db.name, this.redrive.deadLetterQueueName);
    }
    return delivered;
  }
}

interface StoredMessageRow {
  message_id: string;
  body: string;
  receive_count: number;
}

/** A dead-letter queue: a queue operators can also peek into, replay from and purge. */
export class SqliteDeadLetterQueue extends SqliteQueue implements DeadLetterQueue {
  async peek(max: number): Promise<QueueMessage[]> {
    if (!Number.isInteger(max) || max < 1) throw new InvalidArgumentError(`peek max must be a positive integer, got ${max}`);
    const rows = this.db
      .prepare(`SELECT message_id, body, receive_count FROM queue_messages WHERE queue = ? ORDER BY seq LIMIT ?`)
      .all(this.name, max) as StoredMessageRow[];
    // Not a delivery: there is no receipt handle to delete or extend.
    return rows.map((row) => ({ messageId: row.message_id, receiptHandle: '', body: row.body, receiveCount: row.receive_count }));
  }

  async replay(target: Queue, messageIds?: readonly string[]): Promise<number> {
    if (target instanceof SqliteQueue && target.databasePath === this.databasePath) {
      const moved = immediate(this.db, () => {
        const now = this.clock.now();
        const move = this.db.prepare(
          `UPDATE queue_messages SET queue = ?, visible_at = ?, receive_count = 0, receipt_handle = NULL
           WHERE queue = ? AND message_id = ?`,
        );
        const ids = messageIds ?? this.allMessageIds();
        let count = 0;
        for (const id of ids) count += move.run(target.name, now, this.name, id).changes;
        return count;
      });
      if (moved > 0) wakeReceivers(this.db.name, target.name);
      return moved;
    }
    // Another platform's queue: send a copy, then delete ours (at least once, like SQS's redrive).
    let count = 0;
    const wanted = messageIds === undefined ? undefined : new Set(messageIds);
    const rows = this.db
      .prepare(`SELECT message_id, body FROM queue_messages WHERE queue = ? ORDER BY seq`)
      .all(this.name) as { message_id: string; body: string }[];
    for (const row of rows) {
      if (wanted !== undefined && !wanted.has(row.message_id)) continue;
      await target.send(row.body);
      this.db.prepare(`DELETE FROM queue_messages WHERE queue = ? AND message_id = ?`).run(this.name, row.message_id);
      count += 1;
    }
    return count;
  }

  async purge(): Promise<number> {
    return this.db.prepare(`DELETE FROM queue_messages WHERE queue = ?`).run(this.name).changes;
  }

  private allMessageIds(): string[] {
    const rows = this.db
      .prepare(`SELECT message_id FROM queue_messages WHERE queue = ? ORDER BY seq`)
      .all(this.name) as { message_id: string }[];
    return rows.map((row) => row.message_id);
  }
}

function assertVisibility(seconds: number, what: string, min = 0): void {
  if (!Number.isFinite(seconds) || seconds < min || seconds > MAX_VISIBILITY_TIMEOUT_SECONDS) {
    throw new InvalidArgumentError(`${what} must be from ${min} to ${MAX_VISIBILITY_TIMEOUT_SECONDS} seconds, got ${seconds}`);
  }
}
