/** The web-ui JSON API's request and response bodies. */
import { z } from 'zod';
import { JobSchema } from './job';
import { DEFAULT_OUTPUT_MODE, OutputModeSchema, StereoParamsSchema } from './stereo';

/** File names are shown and offered for download: no path separators or control characters. */
export const SourceFileNameSchema = z
  .string()
  .trim()
  .min(1, 'file_name must not be empty')
  .max(255, 'file_name must be at most 255 characters')
  .refine(
    (name) =>
      !/[/\\]/.test(name) && ![...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
    'file_name must not contain slashes or control characters',
  );

export const CreateJobRequestSchema = z.object({
  file_name: SourceFileNameSchema,
  mode: OutputModeSchema.default(DEFAULT_OUTPUT_MODE),
  ...StereoParamsSchema.shape,
  /** Size of the file about to be uploaded, so an oversized upload is refused before it starts. */
  file_size: z.number().int().nonnegative().optional(),
});
export type CreateJobRequest = z.input<typeof CreateJobRequestSchema>;
export type ValidCreateJobRequest = z.output<typeof CreateJobRequestSchema>;

export const PresignedUploadSchema = z.object({
  url: z.string().min(1),
  method: z.literal('PUT'),
  headers: z.record(z.string(), z.string()),
  /** Epoch milliseconds after which the URL is refused. */
  expires_at: z.number().int(),
  max_bytes: z.number().int().positive(),
});
export type PresignedUpload = z.infer<typeof PresignedUploadSchema>;

export const JobProgressSchema = z.object({
  /** Human-readable stage, e.g. "waiting for upload", "converting segments". */
  stage: z.string(),
  segments_done: z.number().int().nonnegative(),
  total_segments: z.number().int().positive().optional(),
  /** 0..1 overall estimate. */
  fraction: z.number().min(0).max(1),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

export const JobViewSchema = JobSchema.extend({
  progress: JobProgressSchema,
  /** Present once completed. */
  download_url: z.string().optional(),
  playback_url: z.string().optional(),
  download_file_name: z.string().optional(),
});
export type JobView = z.infer<typeof JobViewSchema>;

export const CreateJobResponseSchema = z.object({ job: JobViewSchema, upload: PresignedUploadSchema });
export type CreateJobResponse = z.infer<typeof CreateJobResponseSchema>;

export const JobListResponseSchema = z.object({
  jobs: z.array(JobViewSchema),
  /** Opaque cursor for the next page; absent on the last page. */
  next_cursor: z.string().optional(),
});
export type JobListResponse = z.infer<typeof JobListResponseSchema>;

export const ApiErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type ApiError = z.infer<typeof ApiErrorSchema>;
