import type { DynamoDBRecord } from 'aws-lambda';
import { logJobError, type Logger } from '@stereo-spot/logging';
import type { SegmentCompletionChange, TriggerChange } from '@stereo-spot/pipeline';
import { describeZodError, JobIdSchema, MAX_TOTAL_SEGMENTS } from '@stereo-spot/shared-types';
import { z } from 'zod';

/**
 * A SegmentCompletions change as DynamoDB Streams delivers it to Lambda (and as the embedded
 * stream delivers it too): keys in attribute-value JSON, `{"S": ...}` and `{"N": "..."}`.
 */
const CompletionRecordSchema = z.object({
  eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
  dynamodb: z.object({
    Keys: z.object({
      job_id: z.object({ S: JobIdSchema }),
      segment_index: z.object({
        N: z
          .string()
          .regex(/^\d{1,5}$/, 'segment_index must be a whole number')
          .transform(Number)
          .pipe(z.number().max(MAX_TOTAL_SEGMENTS - 1)),
      }),
    }),
    SequenceNumber: z.string().min(1),
  }),
});

/**
 * A Jobs change (the table's stream, NEW_AND_OLD_IMAGES): only the key is `job_id`; the new image
 * says whether the job now is `chunking_complete`.
 */
const JobRecordSchema = z.object({
  eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
  dynamodb: z.object({
    Keys: z.strictObject({ job_id: z.object({ S: JobIdSchema }) }),
    NewImage: z.object({ status: z.object({ S: z.string() }) }).optional(),
    OldImage: z.object({ status: z.object({ S: z.string() }) }).optional(),
    SequenceNumber: z.string().min(1),
  }),
});

const CHUNKING_COMPLETE = 'chunking_complete';

export interface ParsedStreamRecords {
  /** Completion writes, and Jobs changes that entered `chunking_complete`. */
  readonly changes: (TriggerChange | SegmentCompletionChange)[];
  /** Jobs changes to any other status: nothing to decide. */
  readonly ignored: number;
  /** Records that cannot be understood; logged (with `job_id=?` when unknown) and not retried. */
  readonly unreadable: number;
}

/**
 * Stream records (of either table) → changes. An unreadable record is logged and dropped:
 * reporting it as a batch failure would make the stream deliver it again forever and block the
 * shard behind it.
 */
export function changesFromStreamRecords(
  records: readonly DynamoDBRecord[],
  logger: Logger,
): ParsedStreamRecords {
  const changes: (TriggerChange | SegmentCompletionChange)[] = [];
  let unreadable = 0;
  let ignored = 0;
  for (const record of records) {
    const jobRecord = JobRecordSchema.safeParse(record);
    if (jobRecord.success) {
      const { Keys, NewImage, OldImage, SequenceNumber } = jobRecord.data.dynamodb;
      // A write that leaves the job at chunking_complete (e.g. updated_at) is not the transition.
      const entered = NewImage?.status.S === CHUNKING_COMPLETE && OldImage?.status.S !== CHUNKING_COMPLETE;
      if (entered && jobRecord.data.eventName !== 'REMOVE') {
        changes.push({ eventName: jobRecord.data.eventName, jobId: Keys.job_id.S, sequenceNumber: SequenceNumber });
      } else {
        ignored += 1;
      }
      continue;
    }
    const parsed = CompletionRecordSchema.safeParse(record);
    if (parsed.success) {
      const { Keys, SequenceNumber } = parsed.data.dynamodb;
      changes.push({
        eventName: parsed.data.eventName,
        jobId: Keys.job_id.S,
        segmentIndex: Keys.segment_index.N,
        sequenceNumber: SequenceNumber,
      });
      continue;
    }
    unreadable += 1;
    const jobId = JobIdSchema.safeParse(record.dynamodb?.Keys?.job_id?.S);
    logJobError(
      logger,
      { jobId: jobId.success ? jobId.data : undefined },
      new Error(describeZodError(parsed.error)),
      `unreadable stream record ${record.dynamodb?.SequenceNumber ?? record.eventID ?? '?'} dropped`,
    );
  }
  return { changes, unreadable, ignored };
}
