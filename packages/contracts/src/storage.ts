/**
 * What the object storage's lifecycle rules and the writers of objects agree on.
 * packages/aws-infra writes the rules, the emulator provisioning (packages/aws-adapters) writes the
 * same rule, and every writer of a segment output sets the tag.
 */
import { DLQ_RETENTION_SECONDS } from './queues';

/**
 * Converted segments (`jobs/{job_id}/segments/{i}.mp4`) expire while `final.mp4` stays. A
 * lifecycle filter matches a prefix or tags, and no prefix singles out segments across jobs, so the
 * expiry rule matches this object tag: WHOEVER WRITES A SEGMENT OUTPUT SETS IT (the S3 adapter with
 * PutObject `Tagging`, the inference server when it uploads a result).
 */
export const SEGMENT_OUTPUT_EXPIRY_TAG = { key: 'stereo-spot:expire', value: 'segment-output' } as const;

/** A day longer than a message can wait in a dead-letter queue. */
const OUTLIVES_DLQ_DAYS = Math.ceil(DLQ_RETENTION_SECONDS / 86_400) + 1;

/** Converted segments outlive the longest DLQ stay: a replayed reassembly message (up to 14 days
 * in its DLQ) still finds every segment it concatenates. */
export const SEGMENT_OUTPUT_EXPIRY_DAYS = OUTLIVES_DLQ_DAYS;

/** Source segments (`segments/` in the input bucket) outlive the longest DLQ stay, so a replayed
 * video-worker message still finds its segment. */
export const SOURCE_SEGMENT_EXPIRY_DAYS = OUTLIVES_DLQ_DAYS;

/** The tag as S3's PutObject `Tagging` parameter (a URL-encoded query string). */
export const SEGMENT_OUTPUT_EXPIRY_TAGGING = new URLSearchParams([
  [SEGMENT_OUTPUT_EXPIRY_TAG.key, SEGMENT_OUTPUT_EXPIRY_TAG.value],
]).toString();
