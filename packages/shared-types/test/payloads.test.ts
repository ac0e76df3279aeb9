import fc from 'fast-check';
import {
  buildS3NotificationBody,
  decodeS3EventKey,
  encodeS3EventKey,
  parseS3NotificationBody,
} from '../src/s3-events';
import { CreateJobRequestSchema } from '../src/api';
import { parseJsonWith } from '../src/json';
import { ReassemblyMessageSchema, newReassemblyTriggered, ReassemblyTriggeredSchema } from '../src/messages';
import { toJobId } from '../src/job-id';

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

  it('round-trips the body the embedded platform builds', () => {
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

describe('reassembly message and lock', () => {
  it('accepts {"job_id": uuid} and nothing else', () => {
    expect(parseJsonWith(ReassemblyMessageSchema, `{"job_id":"${JOB}"}`, 'reassembly message').ok).toBe(true);
    expect(parseJsonWith(ReassemblyMessageSchema, '{"job_id":"x"}', 'reassembly message').ok).toBe(false);
    const broken = parseJsonWith(ReassemblyMessageSchema, '{', 'reassembly message');
    expect(!broken.ok && broken.error.message).toContain('invalid reassembly message: not JSON');
  });

  it('sets the TTL 90 days ahead in epoch seconds', () => {
    const lock = newReassemblyTriggered(JOB, 1_000_000);
    expect(lock.ttl).toBe(1000 + 90 * 86_400);
  });

  it('reads a triggered_at written by hand in epoch seconds (`date +%s`) as the same instant in milliseconds', () => {
    // Prepare
    const seconds = 1_796_000_000;
    // Act
    const bySeconds = ReassemblyTriggeredSchema.parse({ job_id: JOB, triggered_at: seconds, ttl: seconds });
    const byMillis = ReassemblyTriggeredSchema.parse({ job_id: JOB, triggered_at: seconds * 1000, ttl: seconds });
    // Assess
    expect(bySeconds.triggered_at).toBe(seconds * 1000);
    expect(byMillis.triggered_at).toBe(seconds * 1000);
    expect(new Date(bySeconds.triggered_at).getUTCFullYear()).toBe(2026);
  });
});

describe('create-job request', () => {
  it('fills iw3 defaults and refuses path characters in file names', () => {
    expect(CreateJobRequestSchema.parse({ file_name: 'clip.mp4' })).toEqual({
      file_name: 'clip.mp4',
      mode: 'anaglyph',
      divergence: 2,
      convergence: 0.5,
      anaglyph_method: 'dubois',
    });
    expect(CreateJobRequestSchema.safeParse({ file_name: '../x.mp4' }).success).toBe(false);
    expect(CreateJobRequestSchema.safeParse({ file_name: 'a.mp4', mode: 'vr180' }).success).toBe(false);
  });

  it('refuses control and bidirectional formatting characters in file names, naming the character', () => {
    // Prepare: U+202E shows `holiday\u202Egpj.exe` as `holidayexe.jpg`.
    const hostile = ['holiday\u202Egpj.mp4', 'a\u2066b.mp4', 'line\u2028break.mp4', 'bell\u0007.mp4', 'c1\u0085.mp4', 'zero\u200Bwidth.mp4'];
    const fine = ['beach walk.mov', 'família.mp4', 'נסיעה.mp4', 'می\u200Cخواهم.mp4', '👨\u200D👩\u200D👧.mp4'];

    // Act
    const refused = hostile.map((file_name) => CreateJobRequestSchema.safeParse({ file_name }));
    const accepted = fine.map((file_name) => CreateJobRequestSchema.safeParse({ file_name }).success);

    // Assess
    expect(refused.map((result) => result.success)).toEqual(hostile.map(() => false));
    expect(refused[0]?.error?.issues[0]?.message).toBe(
      'file_name must not contain control or invisible formatting characters (U+202E at position 8)',
    );
    expect(accepted).toEqual(fine.map(() => true));
  });
});
