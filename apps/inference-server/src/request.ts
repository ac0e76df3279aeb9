/**
 * The `/invocations` contract (SageMaker's, shared by the `http` and `sagemaker` backends).
 * The input and the output are each given either as an S3 URI (the server uses its own AWS
 * credentials) or as a presigned URL (no credentials needed on the inference machine).
 */
import {
  DEFAULT_OUTPUT_MODE,
  JobIdSchema,
  MAX_TOTAL_SEGMENTS,
  OutputModeSchema,
  StereoParamsSchema,
  describeZodError,
  type OutputMode,
  type StereoParams,
} from '@stereo-spot/shared-types';
import { z } from 'zod';
import { InvalidInvocationError } from './errors';

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;

const S3UriSchema = z.string().regex(S3_URI, 'must be an s3://bucket/key URI');
const HttpUrlSchema = z
  .string()
  .refine((value) => /^https?:\/\//i.test(value) && URL.canParse(value), 'must be an http(s) URL');

export const InvocationRequestSchema = z
  .object({
    s3_input_uri: S3UriSchema.optional(),
    s3_output_uri: S3UriSchema.optional(),
    input_url: HttpUrlSchema.optional(),
    output_url: HttpUrlSchema.optional(),
    /** Headers the presigned PUT needs (e.g. a signed Content-Type). */
    output_headers: z.record(z.string(), z.string()).optional(),
    mode: OutputModeSchema.default(DEFAULT_OUTPUT_MODE),
    divergence: StereoParamsSchema.shape.divergence,
    convergence: StereoParamsSchema.shape.convergence,
    anaglyph_method: StereoParamsSchema.shape.anaglyph_method,
    job_id: JobIdSchema.optional(),
    segment_index: z
      .number()
      .int()
      .min(0)
      .max(MAX_TOTAL_SEGMENTS - 1)
      .optional(),
  })
  .superRefine((value, ctx) => {
    const exactlyOne = (a: unknown, b: unknown, names: string) => {
      if ((a === undefined) === (b === undefined)) {
        ctx.addIssue({ code: 'custom', message: `give exactly one of ${names}` });
      }
    };
    exactlyOne(value.s3_input_uri, value.input_url, 's3_input_uri or input_url');
    exactlyOne(value.s3_output_uri, value.output_url, 's3_output_uri or output_url');
  });
export type InvocationRequestBody = z.input<typeof InvocationRequestSchema>;

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

export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const [, bucket, key] = S3_URI.exec(uri) ?? [];
  return bucket && key ? { bucket, key } : undefined;
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
