import type { _Record as StreamsApiRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';

// Reading these records (keys → SegmentCompletionChange) is the reassembly-trigger's job
// (apps/reassembly-trigger/src/stream-records.ts), on either platform.

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
