/**
 * Reading queue bodies into typed inputs with the shared-types parsers. A body that cannot be
 * understood is an InvalidMessageError: the consumer logs it with `job_id=?` and leaves it for the
 * DLQ. `jobContextOf*` name the job for logs (and for failing it) without ever throwing.
 */
import {
  parseJsonWith,
  parseObjectKeyOf,
  ReassemblyMessageSchema,
  type JobId,
  type ParsedObjectKey,
} from '@stereo-spot/shared-types';
import { InvalidMessageError } from '../errors';
import type { ObjectEventFormat, ObjectEvents } from '../ports/object-events';

export interface MessageJobContext {
  readonly jobId?: JobId;
  readonly segmentIndex?: number;
}

/**
 * A chunking or video-worker queue body read with the platform's format (see ObjectEventFormat);
 * a body that is not such a message is an InvalidMessageError.
 */
export function readObjectEvents(format: ObjectEventFormat, body: string): ObjectEvents {
  const decoded = format.decode(body);
  if (!decoded.ok) throw invalidMessage(decoded.error);
  return decoded.value;
}

/**
 * Handles each created object of kind `kind` the events name, one after the other (each may take
 * minutes of media work), and returns the outcomes in order; none for a test event.
 */
export async function forEachCreated<K extends ParsedObjectKey['kind'], Outcome>(
  events: ObjectEvents,
  kind: K,
  handle: (key: Extract<ParsedObjectKey, { kind: K }>) => Promise<Outcome>,
): Promise<Outcome[]> {
  if (events.kind === 'test-event') return [];
  const keys = events.keys.map((created) => {
    const key = parseObjectKeyOf(created, kind);
    if (!key.ok) throw invalidMessage(key.error);
    return key.value;
  });
  const outcomes: Outcome[] = [];
  for (const key of keys) outcomes.push(await handle(key));
  return outcomes;
}

/** The consumer's `jobContextOf` for object-event bodies read with `format`. */
export function jobContextOfObjectEvents(format: ObjectEventFormat): (body: string) => MessageJobContext {
  return (body) => {
    const decoded = format.decode(body);
    if (!decoded.ok || decoded.value.kind === 'test-event') return {};
    const first = decoded.value.keys[0];
    if (first === undefined) return {};
    const key = parseObjectKeyOf(first, 'input');
    if (key.ok) return { jobId: key.value.jobId };
    const segment = parseObjectKeyOf(first, 'segment');
    return segment.ok ? { jobId: segment.value.jobId, segmentIndex: segment.value.segmentIndex } : {};
  };
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
