/**
 * The inference server's `/invocations` protocol (the SageMaker container contract), written once
 * for both sides: the server (apps/inference-server) parses requests and answers errors with it,
 * the `http` and `sagemaker` backends (inference-adapters) build requests and read answers with it.
 * The input and the output are each given either as an S3 URI (the server uses its own AWS
 * credentials) or as a presigned URL (no credentials needed on the inference machine).
 */
import { z } from 'zod';
import { JobIdSchema } from './job-id';
import { MAX_TOTAL_SEGMENTS } from './job';
import { DEFAULT_OUTPUT_MODE, OutputModeSchema, StereoParamsSchema } from './stereo';

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;

/** `s3://bucket/key` split into its parts; undefined for anything else. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const [, bucket, key] = S3_URI.exec(uri) ?? [];
  return bucket && key ? { bucket, key } : undefined;
}

const S3UriSchema = z.string().regex(S3_URI, 'must be an s3://bucket/key URI');
const HttpUrlSchema = z
  .string()
  .refine((value) => /^https?:\/\//i.test(value) && URL.canParse(value), 'must be an http(s) URL');

/** The body of `POST /invocations`. */
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

/** The `code` of an error answer (`{"error": {"code", "message"}}` with a 4xx/5xx status). */
export const INFERENCE_ERROR_CODES = [
  'INVALID_REQUEST',
  'INPUT_NOT_FOUND',
  'INPUT_UNAVAILABLE',
  'INVALID_MEDIA',
  'INPUT_TOO_LARGE',
  'UNAUTHORIZED',
  'ENGINE_FAILED',
  'ENGINE_TIMEOUT',
  'OUTPUT_FAILED',
  'NOT_READY',
  'BUSY',
  'ABORTED',
  'CONFIGURATION',
  // Not about an invocation: a wrong path or method (a misconfigured INFERENCE_HTTP_URL).
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
] as const;
export type InferenceErrorCode = (typeof INFERENCE_ERROR_CODES)[number];

export function isInferenceErrorCode(code: string): code is InferenceErrorCode {
  return (INFERENCE_ERROR_CODES as readonly string[]).includes(code);
}

/** Bad input: the same request fails the same way every time, so the job fails at once. */
const PERMANENT_CODES: ReadonlySet<string> = new Set<InferenceErrorCode>([
  'INVALID_REQUEST',
  'INVALID_MEDIA',
  'INPUT_TOO_LARGE',
]);
/** The statuses of those answers, and 400 for an input the server can never fetch (an expired URL). */
const PERMANENT_STATUSES: ReadonlySet<number> = new Set([400, 413, 422]);

/**
 * Whether an error answer is permanent. Everything else (a missing input that may not be visible
 * yet, a busy or failing engine, a refused secret: the caller's configuration, not the job) is
 * worth retrying. `status` is unknown where the answer arrives without one (SageMaker's failure object).
 */
export function isPermanentInferenceError(code: string, status?: number): boolean {
  return PERMANENT_CODES.has(code) || (status !== undefined && PERMANENT_STATUSES.has(status));
}

/** An error answer's body. A client reads any `code`: an older or newer server may send others. */
export const InferenceErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
export type InferenceErrorBody = z.infer<typeof InferenceErrorBodySchema>;

/** What a successful answer says that the backends read (the server adds where and how). */
export const InvocationResultSchema = z.object({
  /** Wall-clock seconds the engine spent converting the segment. */
  seconds: z.number(),
  frames: z.number().nullable().optional(),
});
