import type { DynamoDBRecord } from 'aws-lambda';
import { captureLogger } from '@stereo-spot/logging/testing';
import { changesFromStreamRecords } from '../src/streams/stream-records';

const JOB = '3f2b8c1e-6d4a-4b9e-8f00-1234567890ab';

function record(
  jobId: unknown,
  segmentIndex: unknown,
  sequence: string,
  eventName = 'INSERT',
): DynamoDBRecord {
  return {
    eventID: `e-${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { job_id: { S: jobId }, segment_index: { N: segmentIndex } },
      NewImage: { job_id: { S: jobId }, segment_index: { N: segmentIndex } },
      SequenceNumber: sequence,
      StreamViewType: 'NEW_IMAGE',
    },
  } as DynamoDBRecord;
}

describe('changesFromStreamRecords', () => {
  it('reads Lambda stream records into the pipeline\'s changes (keys, kind, sequence number as position)', () => {
    // Act
    const { changes, unreadable } = changesFromStreamRecords(
      [record(JOB, '0', '100'), record(JOB, '12', '101', 'MODIFY')],
      captureLogger('trigger-test').logger,
    );

    // Assess
    expect(unreadable).toBe(0);
    expect(changes).toEqual([
      { kind: 'inserted', subject: 'segment-completion', jobId: JOB, segmentIndex: 0, position: '100' },
      { kind: 'changed', subject: 'segment-completion', jobId: JOB, segmentIndex: 12, position: '101' },
    ]);
  });

  it('drops unreadable records with a log line naming the job, or job_id=? when there is none', () => {
    // Prepare
    const { logger, lines } = captureLogger('trigger-test');

    // Act
    const { changes, unreadable } = changesFromStreamRecords(
      [record('not-a-uuid', '0', '1'), record(JOB, '-3', '2'), record(JOB, '1', '3')],
      logger,
    );

    // Assess
    expect(unreadable).toBe(2);
    expect(changes.map((c) => c.position)).toEqual(['3']);
    expect(lines.map((l) => l.job_id)).toEqual(['?', JOB]);
    expect(String(lines[0]!.msg)).toMatch(
      /^job_id=\? unreadable stream record 1 dropped: /,
    );
  });

  it('reads a DynamoDB Streams GetRecords record (Date creation time, no event source ARN)', () => {
    // Prepare
    const getRecordsRecord = {
      eventID: 'abc',
      eventName: 'MODIFY',
      dynamodb: {
        ApproximateCreationDateTime: new Date(),
        Keys: { job_id: { S: JOB }, segment_index: { N: '0' } },
        SequenceNumber: '42',
      },
    } as unknown as DynamoDBRecord;

    // Act
    const { changes } = changesFromStreamRecords([getRecordsRecord], captureLogger('trigger-test').logger);

    // Assess
    expect(changes).toEqual([
      { kind: 'changed', subject: 'segment-completion', jobId: JOB, segmentIndex: 0, position: '42' },
    ]);
  });

  it.each([
    ['a job id that is not a lowercase UUID', { Keys: { job_id: { S: 'JOB-1' }, segment_index: { N: '1' } }, SequenceNumber: '1' }],
    ['a segment index as a string attribute', { Keys: { job_id: { S: JOB }, segment_index: { S: '1' } }, SequenceNumber: '1' }],
    ['a fractional segment index', { Keys: { job_id: { S: JOB }, segment_index: { N: '1.5' } }, SequenceNumber: '1' }],
    ['no sequence number', { Keys: { job_id: { S: JOB }, segment_index: { N: '1' } } }],
    ['no keys', { SequenceNumber: '1' }],
  ])('drops a record with %s', (_label, dynamodb) => {
    // Prepare
    const { logger, lines } = captureLogger('trigger-test');

    // Act
    const result = changesFromStreamRecords([{ eventName: 'INSERT', dynamodb } as DynamoDBRecord], logger);

    // Assess
    expect(result).toEqual({ changes: [], unreadable: 1 });
    expect(lines).toHaveLength(1);
  });

  it('reads the Jobs stream: each write with its status before and after (an unknown status as none)', () => {
    // Prepare
    const jobRecord = (sequence: string, oldStatus: string | undefined, newStatus: string | undefined, eventName = 'MODIFY') =>
      ({
        eventName,
        dynamodb: {
          Keys: { job_id: { S: JOB } },
          ...(newStatus !== undefined ? { NewImage: { job_id: { S: JOB }, status: { S: newStatus } } } : {}),
          ...(oldStatus !== undefined ? { OldImage: { job_id: { S: JOB }, status: { S: oldStatus } } } : {}),
          SequenceNumber: sequence,
        },
      }) as DynamoDBRecord;

    // Act
    const result = changesFromStreamRecords(
      [
        jobRecord('1', undefined, 'created', 'INSERT'),
        jobRecord('2', 'created', 'chunking_in_progress'),
        jobRecord('3', 'chunking_in_progress', 'chunking_complete'),
        jobRecord('4', 'chunking_complete', 'chunking_complete'),
        jobRecord('5', 'chunking_complete', 'completed'),
        jobRecord('6', 'completed', undefined, 'REMOVE'),
        jobRecord('7', 'completed', 'status-of-a-later-version'),
      ],
      captureLogger('trigger-test').logger,
    );

    // Assess
    const job = { subject: 'job', jobId: JOB };
    expect(result).toEqual({
      changes: [
        { ...job, kind: 'inserted', position: '1', newStatus: 'created' },
        { ...job, kind: 'changed', position: '2', oldStatus: 'created', newStatus: 'chunking_in_progress' },
        { ...job, kind: 'changed', position: '3', oldStatus: 'chunking_in_progress', newStatus: 'chunking_complete' },
        { ...job, kind: 'changed', position: '4', oldStatus: 'chunking_complete', newStatus: 'chunking_complete' },
        { ...job, kind: 'changed', position: '5', oldStatus: 'chunking_complete', newStatus: 'completed' },
        { ...job, kind: 'removed', position: '6', oldStatus: 'completed' },
        { ...job, kind: 'changed', position: '7', oldStatus: 'completed' },
      ],
      unreadable: 0,
    });
  });
});
