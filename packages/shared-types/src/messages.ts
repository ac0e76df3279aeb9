/** Queue payloads and table records shared by workers, the trigger and the adapters. */
import { z } from 'zod';
import { JobIdSchema } from './job-id';
import { MAX_TOTAL_SEGMENTS } from './job';

/** Body of a reassembly-queue message: `{"job_id": "..."}`. */
export const ReassemblyMessageSchema = z.object({ job_id: JobIdSchema });
export type ReassemblyMessage = z.infer<typeof ReassemblyMessageSchema>;

/** One converted segment; the reassembly trigger counts these per job. */
export const SegmentCompletionSchema = z.object({
  job_id: JobIdSchema,
  segment_index: z
    .number()
    .int()
    .min(0)
    .max(MAX_TOTAL_SEGMENTS - 1),
  /** `jobs/{job_id}/segments/{segment_index}.mp4` */
  output_key: z.string().min(1),
  /** Epoch milliseconds. */
  completed_at: z.number().int().nonnegative(),
  /** Frames in the converted segment, when the backend reports it. */
  frames: z.number().int().nonnegative().optional(),
});
export type SegmentCompletion = z.infer<typeof SegmentCompletionSchema>;

/** Days a ReassemblyTriggered lock is kept before DynamoDB's TTL removes it. */
export const REASSEMBLY_LOCK_TTL_DAYS = 90;

/**
 * Below this an epoch time in milliseconds would be before 1973, so the value is taken as epoch
 * seconds (what `date +%s` gives an operator writing the lock by hand) and converted.
 */
const SECONDS_BELOW = 100_000_000_000;

/** Epoch milliseconds; a value written in epoch seconds is read as such. */
const EpochMillisSchema = z
  .number()
  .int()
  .nonnegative()
  .transform((value) => (value > 0 && value < SECONDS_BELOW ? value * 1000 : value));

/** The per-job lock: created once by the trigger, "started" once by the reassembling worker. */
export const ReassemblyTriggeredSchema = z.object({
  job_id: JobIdSchema,
  /** Epoch milliseconds (epoch seconds written by hand are accepted and converted). */
  triggered_at: EpochMillisSchema,
  /** Epoch SECONDS, as DynamoDB TTL requires. */
  ttl: z.number().int().nonnegative(),
  reassembly_started_at: EpochMillisSchema.optional(),
});
export type ReassemblyTriggered = z.infer<typeof ReassemblyTriggeredSchema>;

export function newReassemblyTriggered(
  jobId: ReassemblyTriggered['job_id'],
  now: number,
): ReassemblyTriggered {
  return {
    job_id: jobId,
    triggered_at: now,
    ttl: Math.floor(now / 1000) + REASSEMBLY_LOCK_TTL_DAYS * 24 * 60 * 60,
  };
}
