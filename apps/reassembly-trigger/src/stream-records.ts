import type { DynamoDBRecord } from 'aws-lambda';
import { logJobError, type Logger } from '@stereo-spot/logging';
import type { SegmentCompletionChange } from '@stereo-spot/pipeline';
import { describeZodError, JobIdSchema, MAX_TOTAL_SEGMENTS } from '@stereo-spot/shared-types';
import { z } from 'zod';

/**
 * A SegmentCompletions change as DynamoDB Streams delivers it to Lambda (and as the embedded
 * stream delivers it too): keys in attribute-value JSON, `{"S": ...}` and `{"N": "..."}`.
 */
const StreamRecordSchema = z.object({
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

export interface ParsedStreamRecords {
  readonly changes: SegmentCompletionChange[];
  /** Records that cannot be understood; logged (with `job_id=?` when unknown) and not retried. */
  readonly unreadable: number;
}

/**
 * Stream records → changes. An unreadable record is logged and dropped: reporting it as a batch
 * failure would make the stream deliver it again forever and block the shard behind it.
 */
export function changesFromStreamRecords(
  records: readonly DynamoDBRecord[],
  logger: Logger,
): ParsedStreamRecords {
  const changes: SegmentCompletionChange[] = [];
  let unreadable = 0;
  for (const record of records) {
    const parsed = StreamRecordSchema.safeParse(record);
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
      `unreadable SegmentCompletions stream record ${record.dynamodb?.SequenceNumber ?? record.eventID ?? '?'} dropped`,
    );
  }
  return { changes, unreadable };
}
