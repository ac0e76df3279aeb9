import fc from 'fast-check';
import { toJobId } from '@stereo-spot/shared-types';
import {
  buildS3NotificationBody,
  decodeS3EventKey,
  encodeS3EventKey,
  parseS3NotificationBody,
  S3NotificationFormat,
} from '../src/s3/s3-notifications';

const JOB = toJobId('3f2b8c1e-6d4a-4b9e-8f00-1234567890ab');

describe('S3 event notification bodies', () => {
  it('decodes form-encoded keys: + is a space, %xx a character', () => {
    expect(decodeS3EventKey('input/my+video%2B1%28a%29.mp4')).toBe('input/my video+1(a).mp4');
  });

  it('encodes keys like S3 and decodes them back', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (key) => {
        expect(decodeS3EventKey(encodeS3EventKey(key))).toBe(key);
      }),
    );
    expect(encodeS3EventKey('a b/c+d.mp4')).toBe('a+b/c%2Bd.mp4');
  });

  it('parses a body with several records', () => {
    // Prepare
    const body = JSON.stringify({
      Records: [0, 1].map((i) => ({
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: 'in' }, object: { key: `segments/${JOB}/0000${i}_00002_sbs.mp4`, size: 10 } },
      })),
    });

    // Act
    const parsed = parseS3NotificationBody(body);

    // Assess
    expect(parsed.ok && parsed.value.kind === 'records' && parsed.value.records.map((r) => r.key)).toEqual([
      `segments/${JOB}/00000_00002_sbs.mp4`,
      `segments/${JOB}/00001_00002_sbs.mp4`,
    ]);
  });

  it('recognises the s3:TestEvent sent when notifications are configured', () => {
    const body = JSON.stringify({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: '2026-01-01T00:00:00Z',
      Bucket: 'in',
    });
    expect(parseS3NotificationBody(body)).toEqual({ ok: true, value: { kind: 'test-event' } });
  });

  it('round-trips the body it builds', () => {
    const body = buildS3NotificationBody({ bucket: 'local', key: `input/${JOB}/source.mp4`, size: 42 });
    const parsed = parseS3NotificationBody(body);
    expect(parsed.ok && parsed.value.kind === 'records' && parsed.value.records[0]).toMatchObject({
      bucket: 'local',
      key: `input/${JOB}/source.mp4`,
      size: 42,
    });
  });

  it.each(['not json', '{}', '{"Records": []}', '{"Records":[{"eventSource":"aws:sqs"}]}', 'null'])(
    'rejects %s with INVALID_PAYLOAD',
    (body) => {
      const parsed = parseS3NotificationBody(body);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error.code).toBe('INVALID_PAYLOAD');
    },
  );
});

describe('S3NotificationFormat (the pipeline’s object events on AWS)', () => {
  const format = new S3NotificationFormat({ bucket: () => 'in', region: 'eu-west-1' });

  it('hands the pipeline decoded keys, and the test event as a test event', () => {
    // Prepare
    const body = JSON.stringify({
      Records: [
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: 'in' }, object: { key: `input/${JOB}/my+video%2B1.mp4`, size: 3 } },
        },
      ],
    });

    // Act + Assess
    expect(format.decode(body)).toEqual({
      ok: true,
      value: { kind: 'objects-created', keys: [`input/${JOB}/my video+1.mp4`] },
    });
    expect(format.decode('{"Event":"s3:TestEvent"}')).toEqual({ ok: true, value: { kind: 'test-event' } });
  });

  it('writes what S3 would send, which it reads back', () => {
    // Act
    const body = format.encodeCreated({ key: `input/${JOB}/a b.mp4`, size: 5 });

    // Assess
    expect(JSON.parse(body).Records[0]).toMatchObject({
      eventSource: 'aws:s3',
      awsRegion: 'eu-west-1',
      s3: { bucket: { name: 'in' }, object: { key: `input/${JOB}/a+b.mp4`, size: 5 } },
    });
    expect(format.decode(body)).toEqual({
      ok: true,
      value: { kind: 'objects-created', keys: [`input/${JOB}/a b.mp4`] },
    });
  });

  it('refuses a body that is not an S3 notification with the reason', () => {
    const decoded = format.decode('{"objects_created":[{"key":"input/x.mp4"}]}');
    expect(!decoded.ok && decoded.error.message).toMatch(/^invalid S3 event notification: /);
  });
});
