/**
 * Object keys become file paths under the bucket folder, so a key must never be able to leave
 * it: no empty, `.` or `..` segments, no backslashes, no control characters.
 */
import path from 'node:path';
import { InvalidArgumentError, UnsafeObjectKeyError } from '../errors';

const MAX_KEY_BYTES = 1024;
const MAX_SEGMENT_BYTES = 255;

/** Throws UnsafeObjectKeyError unless `key` is a safe object key. */
export function assertValidKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new UnsafeObjectKeyError(String(key), 'must not be empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new UnsafeObjectKeyError(key, `must be at most ${MAX_KEY_BYTES} bytes`);
  }
  assertSafeCharacters(key);
  for (const segment of key.split('/')) {
    if (segment === '') throw new UnsafeObjectKeyError(key, 'must not start or end with "/" or contain "//"');
    if (segment === '.' || segment === '..') throw new UnsafeObjectKeyError(key, 'must not contain "." or ".." segments');
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
      throw new UnsafeObjectKeyError(key, `each "/"-separated part must be at most ${MAX_SEGMENT_BYTES} bytes`);
    }
  }
}

/** A list prefix: empty, or a key-like string that may end with "/". */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  assertValidKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

function assertSafeCharacters(key: string): void {
  if (key.includes('\\')) throw new UnsafeObjectKeyError(key, 'must not contain "\\"');
  for (const char of key) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) throw new UnsafeObjectKeyError(key, 'must not contain control characters');
  }
}

/** The file of a validated key inside the bucket folder. */
export function keyToPath(bucketRoot: string, key: string): string {
  assertValidKey(key);
  return path.join(bucketRoot, ...key.split('/'));
}

/** S3 bucket naming, so the same names work on both platforms. */
export function assertValidBucketName(bucket: string): void {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes('..')) {
    throw new InvalidArgumentError(
      `invalid bucket name ${JSON.stringify(bucket)}: 3-63 lowercase letters, digits, "." and "-"`,
    );
  }
}
