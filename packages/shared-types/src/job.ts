import { z } from 'zod';
import { JobIdSchema } from './job-id';
import { OutputModeSchema, StereoParamsSchema } from './stereo';

export const JOB_STATUSES = [
  'created',
  'chunking_in_progress',
  'chunking_complete',
  'completed',
  'failed',
] as const;
export const JobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatusSchema>;

/**
 * The lifecycle as data: `created → chunking_in_progress → chunking_complete → completed`, and
 * any unfinished status may fail. `created → chunking_complete` is not allowed: the chunking
 * recovery procedure only repairs jobs whose chunking started.
 */
export const JOB_STATUS_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  created: ['chunking_in_progress', 'failed'],
  chunking_in_progress: ['chunking_complete', 'failed'],
  chunking_complete: ['completed', 'failed'],
  completed: [],
  failed: [],
};

/** May a job in status `from` move to status `to`? */
export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return JOB_STATUS_TRANSITIONS[from].includes(to);
}

/** The statuses a transition to `to` may start from (for conditional writes). */
export function statusesBefore(to: JobStatus): JobStatus[] {
  return JOB_STATUSES.filter((from) => canTransition(from, to));
}

export function isTerminalStatus(status: JobStatus): boolean {
  return JOB_STATUS_TRANSITIONS[status].length === 0;
}

/** Upper bound on segments per job; the key layout pads indices to five digits. */
export const MAX_TOTAL_SEGMENTS = 99_999;

const EpochMillisSchema = z.number().int().nonnegative();

export const JobSchema = z.object({
  job_id: JobIdSchema,
  mode: OutputModeSchema,
  status: JobStatusSchema,
  /** Epoch milliseconds (UTC). */
  created_at: EpochMillisSchema,
  updated_at: EpochMillisSchema.optional(),
  total_segments: z.number().int().min(1).max(MAX_TOTAL_SEGMENTS).optional(),
  completed_at: EpochMillisSchema.optional(),
  /** Human-readable reason when `status === 'failed'`. */
  error: z.string().optional(),
  /** Stereo parameters chosen at creation. */
  stereo: StereoParamsSchema,
  /** The uploaded file's name as the user chose it; also the job's title. */
  source_file_name: z.string().min(1).max(255),
});
export type Job = z.infer<typeof JobSchema>;
