/**
 * Object keys: the ONLY place that builds or parses them. Every other package goes through
 * these functions, so the layout cannot drift between producers and consumers.
 *
 *   input/{job_id}/source.mp4
 *   segments/{job_id}/{segment_index:05d}_{total_segments:05d}_{mode}.mp4
 *   jobs/{job_id}/segments/{segment_index}.mp4
 *   jobs/{job_id}/final.mp4
 */
import { InvalidObjectKeyError } from './errors';
import { MAX_TOTAL_SEGMENTS } from './job';
import { isJobId, type JobId } from './job-id';
import { err, ok, type Result } from './result';
import { OutputModeSchema, type OutputMode } from './stereo';

export const INPUT_PREFIX = 'input/';
export const SEGMENTS_PREFIX = 'segments/';
export const JOBS_PREFIX = 'jobs/';
export const MP4_SUFFIX = '.mp4';

export interface SegmentRef {
  readonly jobId: JobId;
  readonly segmentIndex: number;
  readonly totalSegments: number;
  readonly mode: OutputMode;
}

export type ParsedObjectKey =
  | { readonly kind: 'input'; readonly jobId: JobId }
  | ({ readonly kind: 'segment' } & SegmentRef)
  | { readonly kind: 'segment-output'; readonly jobId: JobId; readonly segmentIndex: number }
  | { readonly kind: 'final'; readonly jobId: JobId };

const pad5 = (n: number): string => String(n).padStart(5, '0');

function assertSegmentNumbers(segmentIndex: number, totalSegments: number): void {
  if (!Number.isInteger(totalSegments) || totalSegments < 1 || totalSegments > MAX_TOTAL_SEGMENTS) {
    throw new RangeError(
      `total_segments must be an integer in 1..${MAX_TOTAL_SEGMENTS}, got ${totalSegments}`,
    );
  }
  if (!Number.isInteger(segmentIndex) || segmentIndex < 0 || segmentIndex >= totalSegments) {
    throw new RangeError(`segment_index must be an integer in 0..${totalSegments - 1}, got ${segmentIndex}`);
  }
}

export const inputKey = (jobId: JobId): string => `${INPUT_PREFIX}${jobId}/source.mp4`;

export function segmentKey(ref: SegmentRef): string {
  assertSegmentNumbers(ref.segmentIndex, ref.totalSegments);
  return `${SEGMENTS_PREFIX}${ref.jobId}/${pad5(ref.segmentIndex)}_${pad5(ref.totalSegments)}_${ref.mode}${MP4_SUFFIX}`;
}

/** The prefix under which all source segments of one job live (for listing). */
export const segmentsPrefix = (jobId: JobId): string => `${SEGMENTS_PREFIX}${jobId}/`;

export function segmentOutputKey(jobId: JobId, segmentIndex: number): string {
  if (!Number.isInteger(segmentIndex) || segmentIndex < 0 || segmentIndex >= MAX_TOTAL_SEGMENTS) {
    throw new RangeError(
      `segment_index must be an integer in 0..${MAX_TOTAL_SEGMENTS - 1}, got ${segmentIndex}`,
    );
  }
  return `${JOBS_PREFIX}${jobId}/segments/${segmentIndex}${MP4_SUFFIX}`;
}

export const finalKey = (jobId: JobId): string => `${JOBS_PREFIX}${jobId}/final.mp4`;

/** Everything stored for one job under the output layout (for deletion). */
export const jobOutputPrefix = (jobId: JobId): string => `${JOBS_PREFIX}${jobId}/`;

const SEGMENT_FILE = /^(\d{5})_(\d{5})_([a-z-]+)\.mp4$/;
const CANONICAL_INDEX = /^(0|[1-9]\d{0,4})$/;

/** Parses any canonical key; everything else is an InvalidObjectKeyError naming the reason. */
export function parseObjectKey(key: string): Result<ParsedObjectKey, InvalidObjectKeyError> {
  const reject = (reason: string) => err(new InvalidObjectKeyError(key, reason));
  if (typeof key !== 'string' || key.length === 0) return reject('empty key');
  if (key.length > 1024) return reject('longer than 1024 characters');
  const parts = key.split('/');
  if (parts.some((part) => part === ''))
    return reject('empty path segment (leading, trailing or double slash)');
  if (parts.some((part) => part === '.' || part === '..')) return reject('relative path segment');
  const [prefix, jobIdPart, ...rest] = parts;
  if (prefix === undefined || jobIdPart === undefined) return reject('too few path segments');
  if (!isJobId(jobIdPart)) return reject('job id is not a lowercase UUID');
  const jobId = jobIdPart;

  switch (`${prefix}/`) {
    case INPUT_PREFIX:
      if (rest.length === 1 && rest[0] === 'source.mp4') return ok({ kind: 'input', jobId });
      return reject('expected input/{job_id}/source.mp4');
    case SEGMENTS_PREFIX: {
      const match = rest.length === 1 ? SEGMENT_FILE.exec(rest[0] ?? '') : null;
      if (!match) return reject('expected segments/{job_id}/{index:05d}_{total:05d}_{mode}.mp4');
      const segmentIndex = Number(match[1]);
      const totalSegments = Number(match[2]);
      const mode = OutputModeSchema.safeParse(match[3]);
      if (!mode.success) return reject(`unknown mode ${JSON.stringify(match[3])}`);
      if (totalSegments < 1) return reject('total_segments must be at least 1');
      if (segmentIndex >= totalSegments) return reject('segment_index must be less than total_segments');
      return ok({ kind: 'segment', jobId, segmentIndex, totalSegments, mode: mode.data });
    }
    case JOBS_PREFIX: {
      if (rest.length === 1 && rest[0] === 'final.mp4') return ok({ kind: 'final', jobId });
      const file = rest.length === 2 && rest[0] === 'segments' ? rest[1] : undefined;
      const index = file?.endsWith(MP4_SUFFIX) ? file.slice(0, -MP4_SUFFIX.length) : undefined;
      if (index !== undefined && CANONICAL_INDEX.test(index) && Number(index) < MAX_TOTAL_SEGMENTS) {
        return ok({ kind: 'segment-output', jobId, segmentIndex: Number(index) });
      }
      return reject('expected jobs/{job_id}/final.mp4 or jobs/{job_id}/segments/{index}.mp4');
    }
    default:
      return reject(`unknown prefix ${JSON.stringify(prefix)}`);
  }
}

/** Parses a key that must be of one kind (e.g. the chunking consumer accepts only `input`). */
export function parseObjectKeyOf<K extends ParsedObjectKey['kind']>(
  key: string,
  kind: K,
): Result<Extract<ParsedObjectKey, { kind: K }>, InvalidObjectKeyError> {
  const parsed = parseObjectKey(key);
  if (!parsed.ok) return parsed;
  if (parsed.value.kind !== kind) {
    return err(new InvalidObjectKeyError(key, `expected a ${kind} key, got a ${parsed.value.kind} key`));
  }
  return ok(parsed.value as Extract<ParsedObjectKey, { kind: K }>);
}

export const parseInputKey = (key: string) => parseObjectKeyOf(key, 'input');
export const parseSegmentKey = (key: string) => parseObjectKeyOf(key, 'segment');
export const parseSegmentOutputKey = (key: string) => parseObjectKeyOf(key, 'segment-output');
export const parseFinalKey = (key: string) => parseObjectKeyOf(key, 'final');
