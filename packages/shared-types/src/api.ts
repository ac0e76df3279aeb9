/** The web-ui JSON API's request and response bodies. */
import { z } from 'zod';
import { JobSchema } from './job';
import { DEFAULT_OUTPUT_MODE, OutputModeSchema, StereoParamsSchema } from './stereo';

/**
 * Characters refused in file names, which are shown and offered for download: control characters
 * (C0, DEL, C1), line and paragraph separators, and invisible format characters, which include
 * the bidirectional overrides (U+202E makes `evil\u202Eexe.mp4` display as `evilmp4.exe`). The
 * joiners U+200C and U+200D stay allowed: scripts and emoji need them. Refused, not stripped, so
 * the name a user sees is the name they sent.
 */
const UNSAFE_NAME_CHARACTER = /(?![\u200c\u200d])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

export const SourceFileNameSchema = z
  .string()
  .trim()
  .min(1, 'file_name must not be empty')
  .max(255, 'file_name must be at most 255 characters')
  .superRefine((name, context) => {
    if (/[/\\]/.test(name)) context.addIssue({ code: 'custom', message: 'file_name must not contain slashes' });
    const unsafe = UNSAFE_NAME_CHARACTER.exec(name);
    if (unsafe !== null) {
      const codePoint = unsafe[0].codePointAt(0) ?? 0;
      context.addIssue({
        code: 'custom',
        message: `file_name must not contain control or invisible formatting characters (U+${codePoint
          .toString(16)
          .toUpperCase()
          .padStart(4, '0')} at position ${unsafe.index + 1})`,
      });
    }
  });

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
