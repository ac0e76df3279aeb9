import { z } from 'zod';
import { InvalidJobIdError } from './errors';
import { err, ok, type Result } from './result';

/**
 * Job ids are lowercase UUIDs (what `crypto.randomUUID()` makes). Being strict here means an id
 * can be put into an object key or a file path without any further escaping.
 */
const JOB_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const JobIdSchema = z
  .string()
  .regex(JOB_ID_PATTERN, 'job_id must be a lowercase UUID')
  .brand<'JobId'>();
export type JobId = z.infer<typeof JobIdSchema>;

export function isJobId(value: unknown): value is JobId {
  return typeof value === 'string' && JOB_ID_PATTERN.test(value);
}

export function parseJobId(value: unknown): Result<JobId, InvalidJobIdError> {
  return isJobId(value) ? ok(value) : err(new InvalidJobIdError(value));
}

/** For trusted call sites (tests, generated ids): throws InvalidJobIdError on a bad value. */
export function toJobId(value: string): JobId {
  const parsed = parseJobId(value);
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
}
