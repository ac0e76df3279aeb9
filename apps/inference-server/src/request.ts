/**
 * The server's side of the `/invocations` protocol (its schema is shared-types'
 * InvocationRequestSchema): a request body validated and its locations resolved.
 */
import {
  InvocationRequestSchema,
  describeZodError,
  parseS3Uri,
  type OutputMode,
  type StereoParams,
} from '@stereo-spot/shared-types';
import { InvalidInvocationError } from './errors';

export type Location =
  | { readonly kind: 's3'; readonly bucket: string; readonly key: string; readonly uri: string }
  | { readonly kind: 'url'; readonly url: string; readonly headers: Readonly<Record<string, string>> };

/** A validated request, with the locations resolved. */
export interface Invocation {
  readonly input: Location;
  readonly output: Location;
  readonly mode: OutputMode;
  readonly stereo: StereoParams;
  readonly jobId?: string;
  readonly segmentIndex?: number;
}

/** The schema guarantees exactly one of the two and a well-formed URI. */
function location(s3Uri: string | undefined, url: string | undefined, headers?: Record<string, string>): Location {
  const parsed = s3Uri === undefined ? undefined : parseS3Uri(s3Uri);
  if (s3Uri !== undefined && parsed) return { kind: 's3', ...parsed, uri: s3Uri };
  if (url === undefined) throw new InvalidInvocationError('invalid request: no usable location');
  return { kind: 'url', url, headers: headers ?? {} };
}

/** Validates a decoded body; throws InvalidInvocationError with a readable account of what is wrong. */
export function parseInvocation(body: unknown): Invocation {
  const parsed = InvocationRequestSchema.safeParse(body);
  if (!parsed.success) throw new InvalidInvocationError(`invalid request: ${describeZodError(parsed.error)}`);
  const value = parsed.data;
  return {
    input: location(value.s3_input_uri, value.input_url),
    output: location(value.s3_output_uri, value.output_url, value.output_headers),
    mode: value.mode,
    stereo: {
      divergence: value.divergence,
      convergence: value.convergence,
      anaglyph_method: value.anaglyph_method,
    },
    ...(value.job_id !== undefined ? { jobId: value.job_id } : {}),
    ...(value.segment_index !== undefined ? { segmentIndex: value.segment_index } : {}),
  };
}

/** How a location appears in responses and logs: never the signature of a presigned URL. */
export function describeLocation(loc: Location): string {
  if (loc.kind === 's3') return loc.uri;
  const url = new URL(loc.url);
  return `${url.origin}${url.pathname}`;
}
