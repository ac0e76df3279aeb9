/** SageMaker resource names and image tags. */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';

const MAX_NAME = 63;

/**
 * A valid SageMaker name (`[a-zA-Z0-9](-*[a-zA-Z0-9])*`, at most 63 characters) made of the
 * parts. When it has to be shortened, a hash of the full name keeps it unique.
 */
export function sagemakerName(...parts: readonly string[]): string {
  const full = parts
    .join('-')
    .replace(/[^a-zA-Z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  if (full.length <= MAX_NAME) return full;
  const hash = shortHash(full, 8);
  return `${full.slice(0, MAX_NAME - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

export function shortHash(text: string, length = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** `20250131-142501` in UTC: sortable, and unique enough per deployment. */
export function timestampTag(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** Docker tags: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`. */
export function isValidImageTag(tag: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag);
}

/** The default image tag: the current commit's short hash, else a timestamp. */
export function defaultImageTag(cwd: string, now: Date = new Date()): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd, encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    return `build-${timestampTag(now)}`;
  }
}
