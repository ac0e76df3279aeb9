import type { _Record as StreamsApiRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { logJobError, type Logger } from '@stereo-spot/logging';
import type { ChangeKind, TriggerChange } from '@stereo-spot/pipeline';
import {
  describeZodError,
  JobIdSchema,
  JobStatusSchema,
  MAX_TOTAL_SEGMENTS,
  type JobStatus,
} from '@stereo-spot/shared-types';
import { z } from 'zod';

/**
 * A DynamoDB stream record, as Lambda's event source mapping delivers it or as GetRecords returns
 * it (the two differ only in fields read nowhere here: creation time, event source ARN).
 */
export type DynamoDbStreamRecord = DynamoDBRecord | StreamsApiRecord;

const CHANGE_KINDS = { INSERT: 'inserted', MODIFY: 'changed', REMOVE: 'removed' } as const satisfies Record<
  string,
  ChangeKind
>;
const EventNameSchema = z.enum(['INSERT', 'MODIFY', 'REMOVE']).transform((name) => CHANGE_KINDS[name]);

/** A SegmentCompletions record: keys in attribute-value JSON, `{"S": ...}` and `{"N": "..."}`. */
const CompletionRecordSchema = z.object({
  eventName: EventNameSchema,
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
 * A status in an image; one this version does not know is no status it could act on (it is not
 * `chunking_complete`), so it reads as none rather than making the record unreadable.
 */
const ImageStatusSchema = z
  .object({ status: z.object({ S: z.string() }) })
  .transform(({ status }): JobStatus | undefined => {
    const known = JobStatusSchema.safeParse(status.S);
    return known.success ? known.data : undefined;
  });

/** A Jobs record (the table's stream, NEW_AND_OLD_IMAGES): the only key is `job_id`. */
const JobRecordSchema = z.object({
  eventName: EventNameSchema,
  dynamodb: z.object({
    Keys: z.strictObject({ job_id: z.object({ S: JobIdSchema }) }),
    NewImage: ImageStatusSchema.optional(),
    OldImage: ImageStatusSchema.optional(),
    SequenceNumber: z.string().min(1),
  }),
});

export interface ParsedStreamRecords {
  /** The records as the pipeline's changes, in stream order; the position is the sequence number. */
  readonly changes: TriggerChange[];
  /** Records that cannot be understood; logged (with `job_id=?` when unknown) and not retried. */
  readonly unreadable: number;
}

/**
 * DynamoDB stream records (of either table) → the pipeline's changes. An unreadable record is
 * logged and dropped: reporting it as a batch failure would make the stream deliver it again
 * forever and block the shard behind it.
 */
export function changesFromStreamRecords(
  records: readonly DynamoDbStreamRecord[],
  logger: Logger,
): ParsedStreamRecords {
  const changes: TriggerChange[] = [];
  let unreadable = 0;
  for (const record of records) {
    const jobRecord = JobRecordSchema.safeParse(record);
    if (jobRecord.success) {
      const { Keys, NewImage, OldImage, SequenceNumber } = jobRecord.data.dynamodb;
      changes.push({
        kind: jobRecord.data.eventName,
        subject: 'job',
        jobId: Keys.job_id.S,
        position: SequenceNumber,
        ...(OldImage !== undefined ? { oldStatus: OldImage } : {}),
        ...(NewImage !== undefined ? { newStatus: NewImage } : {}),
      });
      continue;
    }
    const parsed = CompletionRecordSchema.safeParse(record);
    if (parsed.success) {
      const { Keys, SequenceNumber } = parsed.data.dynamodb;
      changes.push({
        kind: parsed.data.eventName,
        subject: 'segment-completion',
        jobId: Keys.job_id.S,
        segmentIndex: Keys.segment_index.N,
        position: SequenceNumber,
      });
      continue;
    }
    unreadable += 1;
    const data = record.dynamodb as { Keys?: { job_id?: { S?: unknown } }; SequenceNumber?: string } | undefined;
    const jobId = JobIdSchema.safeParse(data?.Keys?.job_id?.S);
    logJobError(
      logger,
      { jobId: jobId.success ? jobId.data : undefined },
      new Error(describeZodError(parsed.error)),
      `unreadable stream record ${data?.SequenceNumber ?? record.eventID ?? '?'} dropped`,
    );
  }
  return { changes, unreadable };
}
