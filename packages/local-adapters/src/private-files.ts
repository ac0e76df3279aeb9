/**
 * STEREO_SPOT_HOME holds every user's uploads, results and the presigned-URL secret: it and what
 * is created in it are private to the user running stereo-spot (folders 0700, files 0600),
 * whatever the umask.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';

export const PRIVATE_DIR = 0o700;
export const PRIVATE_FILE = 0o600;

/** Creates `dir` (and missing parents) as 0700, and makes an existing one 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  chmodSync(dir, PRIVATE_DIR);
}

/**
 * Creates `file` empty as 0600 when missing, and makes the existing ones 0600. SQLite gives its
 * `-wal` and `-shm` files the database file's mode, so the database only needs this first.
 */
export function ensurePrivateFiles(...files: string[]): void {
  for (const file of files) {
    if (!existsSync(file)) closeSync(openSync(file, 'a', PRIVATE_FILE));
    chmodSync(file, PRIVATE_FILE);
  }
}
