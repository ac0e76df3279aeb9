/**
 * The embedded platform's SQLite database: queues, tables and the change stream in one file,
 * shared by every process that uses the same STEREO_SPOT_HOME. WAL lets readers run beside the one
 * writer; busy_timeout makes a writer wait for another process's transaction instead of failing;
 * every read-modify-write runs in a BEGIN IMMEDIATE transaction so it is atomic across processes.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateFiles, PRIVATE_DIR } from '../private-files';

export type SqliteDatabase = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS queue_messages (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  queue           TEXT    NOT NULL,
  message_id      TEXT    NOT NULL UNIQUE,
  body            TEXT    NOT NULL,
  sent_at         INTEGER NOT NULL,
  visible_at      INTEGER NOT NULL,
  receive_count   INTEGER NOT NULL DEFAULT 0,
  -- the current delivery's handle; NULL while the message waits to be received
  receipt_handle  TEXT    UNIQUE
);
CREATE INDEX IF NOT EXISTS queue_messages_by_visibility ON queue_messages (queue, visible_at, seq);

CREATE TABLE IF NOT EXISTS jobs (
  job_id        TEXT    PRIMARY KEY,
  status        TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,
  completed_at  INTEGER,
  record        TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_status_created ON jobs (status, created_at, job_id);
CREATE INDEX IF NOT EXISTS jobs_by_status_completed ON jobs (status, completed_at, job_id);

CREATE TABLE IF NOT EXISTS segment_completions (
  job_id         TEXT    NOT NULL,
  segment_index  INTEGER NOT NULL,
  record         TEXT    NOT NULL,
  PRIMARY KEY (job_id, segment_index)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS segment_completion_changes (
  sequence_number  INTEGER PRIMARY KEY AUTOINCREMENT,
  event_name       TEXT    NOT NULL,
  job_id           TEXT    NOT NULL,
  segment_index    INTEGER NOT NULL,
  created_at       INTEGER NOT NULL
);

-- the Jobs table's change stream (what the reassembly trigger reads for chunking_complete)
CREATE TABLE IF NOT EXISTS job_changes (
  sequence_number  INTEGER PRIMARY KEY AUTOINCREMENT,
  event_name       TEXT    NOT NULL,
  job_id           TEXT    NOT NULL,
  old_status       TEXT,
  new_status       TEXT,
  created_at       INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS stream_checkpoints (
  consumer          TEXT    PRIMARY KEY,
  sequence_number   INTEGER NOT NULL DEFAULT 0,
  lease_owner       TEXT,
  lease_expires_at  INTEGER
);

CREATE TABLE IF NOT EXISTS reassembly_triggered (
  job_id                 TEXT    PRIMARY KEY,
  triggered_at           INTEGER NOT NULL,
  ttl                    INTEGER NOT NULL,
  reassembly_started_at  INTEGER
);
`;

export interface OpenDatabaseOptions {
  /** How long a write waits for another process's transaction. Default 10 s. */
  readonly busyTimeoutMs?: number;
}

/** Opens (creating when missing) the database file and its schema. */
export function openDatabase(filePath: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  mkdirSync(path.dirname(filePath), { recursive: true, mode: PRIVATE_DIR });
  ensurePrivateFiles(filePath, ...[`${filePath}-wal`, `${filePath}-shm`].filter((file) => existsSync(file)));
  const db = new Database(filePath, { timeout: options.busyTimeoutMs ?? 10_000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    immediate(db, () => db.exec(SCHEMA));
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Runs `work` in a BEGIN IMMEDIATE transaction: the write lock is taken before the first read. */
export function immediate<T>(db: SqliteDatabase, work: () => T): T {
  return db.transaction(work).immediate();
}
