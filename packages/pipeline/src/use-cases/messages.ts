/**
 * Reading queue bodies into typed inputs with the shared-types parsers. A body that cannot be
 * understood is an InvalidMessageError: the consumer logs it with `job_id=?` and leaves it for the
 * DLQ. `jobContextOf*` name the job for logs (and for failing it) without ever throwing.
 */
import {
  parseJsonWith,
  parseObjectKeyOf,
  parseS3NotificationBody,
  ReassemblyMessageSchema,
  type JobId,
  type ParsedObjectKey,
} from '@stereo-spot/shared-types';
import { InvalidMessageError } from '../errors';

export interface MessageJobContext {
  readonly jobId?: JobId;
  readonly segmentIndex?: number;
}

/**
 * The canonical keys of kind `kind` named by an S3 notification body; an empty list for the test
 * event S3 sends when a notification is configured.
 */
export function keysFromS3Body<K extends ParsedObjectKey['kind']>(
  body: string,
  kind: K,
): Extract<ParsedObjectKey, { kind: K }>[] {
  const parsed = parseS3NotificationBody(body);
  if (!parsed.ok) throw invalidMessage(parsed.error);
  if (parsed.value.kind === 'test-event') return [];
  return parsed.value.records.map((record) => {
    const key = parseObjectKeyOf(record.key, kind);
    if (!key.ok) throw invalidMessage(key.error);
    return key.value;
  });
}

export function jobContextOfS3Body(body: string): MessageJobContext {
  const parsed = parseS3NotificationBody(body);
  if (!parsed.ok || parsed.value.kind === 'test-event') return {};
  const first = parsed.value.records[0];
  if (first === undefined) return {};
  const key = parseObjectKeyOf(first.key, 'input');
  if (key.ok) return { jobId: key.value.jobId };
  const segment = parseObjectKeyOf(first.key, 'segment');
  return segment.ok ? { jobId: segment.value.jobId, segmentIndex: segment.value.segmentIndex } : {};
}

export function parseReassemblyBody(body: string): JobId {
  const parsed = parseJsonWith(ReassemblyMessageSchema, body, 'reassembly message');
  if (!parsed.ok) throw invalidMessage(parsed.error);
  return parsed.value.job_id;
}

export function jobContextOfReassemblyBody(body: string): MessageJobContext {
  const parsed = parseJsonWith(ReassemblyMessageSchema, body, 'reassembly message');
  return parsed.ok ? { jobId: parsed.value.job_id } : {};
}

/**
 * The shared-types error as the pipeline's, with the same text. Not chained as `cause`: pino
 * prints an error's message followed by its causes' (`a: a`), so the reason would appear twice.
 */
function invalidMessage(error: Error): InvalidMessageError {
  return new InvalidMessageError(error.message);
}
