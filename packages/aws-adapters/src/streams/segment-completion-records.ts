import type { _Record as StreamsApiRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import type { SegmentCompletionChange } from '@stereo-spot/pipeline';
import {
  InvalidPayloadError,
  SegmentCompletionSchema,
  describeZodError,
  err,
  ok,
  type Result,
} from '@stereo-spot/shared-types';
import { z } from 'zod';

/**
 * DynamoDB stream records of the SegmentCompletions table → the pipeline's
 * SegmentCompletionChange. Lambda's event records and the DynamoDB Streams API's GetRecords
 * records carry the same attribute-value JSON (`{"S": "..."}`, `{"N": "3"}`); only the record
 * envelope differs a little, so one reader serves both.
 */
const StringAttribute = z.object({ S: z.string() });
const NumberAttribute = z.object({ N: z.string().regex(/^\d+$/, 'segment_index must be a whole number') });

const ChangeRecordSchema = z.object({
  eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
  dynamodb: z.object({
    Keys: z.object({ job_id: StringAttribute, segment_index: NumberAttribute }),
    SequenceNumber: z.string().min(1),
  }),
});

const KIND = 'SegmentCompletions stream record';

export function segmentCompletionChangeFromStreamRecord(
  record: DynamoDBRecord | StreamsApiRecord | unknown,
): Result<SegmentCompletionChange, InvalidPayloadError> {
  const parsed = ChangeRecordSchema.safeParse(record);
  if (!parsed.success) return err(new InvalidPayloadError(KIND, describeZodError(parsed.error)));
  const keys = parsed.data.dynamodb.Keys;
  const completion = SegmentCompletionSchema.pick({ job_id: true, segment_index: true }).safeParse({
    job_id: keys.job_id.S,
    segment_index: Number(keys.segment_index.N),
  });
  if (!completion.success) return err(new InvalidPayloadError(KIND, describeZodError(completion.error)));
  return ok({
    eventName: parsed.data.eventName,
    jobId: completion.data.job_id,
    segmentIndex: completion.data.segment_index,
    sequenceNumber: parsed.data.dynamodb.SequenceNumber,
  });
}

/** The job a record is about, even when the rest of it is unusable (`undefined` → log `job_id=?`). */
export function jobIdOfStreamRecord(record: unknown): string | undefined {
  const value = (record as { dynamodb?: { Keys?: { job_id?: { S?: unknown } } } } | null)?.dynamodb?.Keys
    ?.job_id?.S;
  return typeof value === 'string' ? value : undefined;
}

/**
 * A GetRecords record in the shape Lambda's event source mapping delivers, so an emulated stream
 * can call the real Lambda handler: creation time in epoch seconds, the stream ARN added.
 */
export function toLambdaStreamRecord(record: StreamsApiRecord, streamArn: string): DynamoDBRecord {
  const data = record.dynamodb;
  const created = data?.ApproximateCreationDateTime;
  return {
    ...(record.eventID !== undefined ? { eventID: record.eventID } : {}),
    ...(record.eventName !== undefined ? { eventName: record.eventName } : {}),
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: record.eventSource ?? 'aws:dynamodb',
    ...(record.awsRegion !== undefined ? { awsRegion: record.awsRegion } : {}),
    eventSourceARN: streamArn,
    dynamodb: {
      ...(created !== undefined
        ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) }
        : {}),
      ...(data?.Keys !== undefined
        ? { Keys: data.Keys as NonNullable<DynamoDBRecord['dynamodb']>['Keys'] }
        : {}),
      ...(data?.NewImage !== undefined
        ? { NewImage: data.NewImage as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'] }
        : {}),
      ...(data?.OldImage !== undefined
        ? { OldImage: data.OldImage as NonNullable<DynamoDBRecord['dynamodb']>['OldImage'] }
        : {}),
      ...(data?.SequenceNumber !== undefined ? { SequenceNumber: data.SequenceNumber } : {}),
      ...(data?.SizeBytes !== undefined ? { SizeBytes: data.SizeBytes } : {}),
      ...(data?.StreamViewType !== undefined ? { StreamViewType: data.StreamViewType } : {}),
    },
  };
}
