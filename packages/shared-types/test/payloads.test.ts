import { buildObjectsCreatedMessage, parseObjectsCreatedMessage } from '../src/object-events';
import { CreateJobRequestSchema } from '../src/api';
import { parseJsonWith } from '../src/json';
import { ReassemblyMessageSchema, newReassemblyTriggered, ReassemblyTriggeredSchema } from '../src/messages';
import { toJobId } from '../src/job-id';

const JOB = toJobId('3f2b8c1e-6d4a-4b9e-8f00-1234567890ab');

describe('objects-created message', () => {
  it('round-trips keys as they are (no URL encoding) with their sizes', () => {
    // Prepare
    const objects = [{ key: `input/${JOB}/my video+1(a).mp4`, size: 42 }, { key: `segments/${JOB}/00000_00001_sbs.mp4` }];

    // Act
    const parsed = parseObjectsCreatedMessage(buildObjectsCreatedMessage(objects));

    // Assess
    expect(parsed).toEqual({ ok: true, value: { objects_created: objects } });
  });

  it.each(['not json', '{}', '{"objects_created": []}', '{"objects_created":[{"key":""}]}', '{"Records":[]}', 'null'])(
    'rejects %s with INVALID_PAYLOAD',
    (body) => {
      const parsed = parseObjectsCreatedMessage(body);
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
