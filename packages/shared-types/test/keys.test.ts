import fc from 'fast-check';
import {
  finalKey,
  inputKey,
  parseInputKey,
  parseObjectKey,
  parseSegmentKey,
  segmentKey,
  segmentOutputKey,
  type ParsedObjectKey,
} from '../src/keys';
import { OUTPUT_MODES } from '../src/stereo';
import { toJobId, type JobId } from '../src/job-id';

const JOB = toJobId('3f2b8c1e-6d4a-4b9e-8f00-1234567890ab');

const jobIdArb = fc.uuid().map((id) => toJobId(id.toLowerCase()));
const modeArb = fc.constantFrom(...OUTPUT_MODES);
const segmentRefArb = fc
  .record({ jobId: jobIdArb, totalSegments: fc.integer({ min: 1, max: 99_999 }), mode: modeArb })
  .chain((ref) =>
    fc.integer({ min: 0, max: ref.totalSegments - 1 }).map((segmentIndex) => ({ ...ref, segmentIndex })),
  );

const buildKey = (parsed: ParsedObjectKey): string => {
  switch (parsed.kind) {
    case 'input':
      return inputKey(parsed.jobId);
    case 'final':
      return finalKey(parsed.jobId);
    case 'segment-output':
      return segmentOutputKey(parsed.jobId, parsed.segmentIndex);
    case 'segment':
      return segmentKey(parsed);
  }
};

describe('object keys', () => {
  it('builds the canonical layouts', () => {
    // Prepare / Act / Assess in one line each: the layouts are the contract.
    expect(inputKey(JOB)).toBe(`input/${JOB}/source.mp4`);
    expect(segmentKey({ jobId: JOB, segmentIndex: 3, totalSegments: 12, mode: 'half-sbs' })).toBe(
      `segments/${JOB}/00003_00012_half-sbs.mp4`,
    );
    expect(segmentOutputKey(JOB, 3)).toBe(`jobs/${JOB}/segments/3.mp4`);
    expect(finalKey(JOB)).toBe(`jobs/${JOB}/final.mp4`);
  });

  it('refuses to build a segment key whose index is not below the total', () => {
    expect(() => segmentKey({ jobId: JOB, segmentIndex: 1, totalSegments: 1, mode: 'sbs' })).toThrow(
      RangeError,
    );
  });

  it.each([
    ['segments/../x/00000_00001_sbs.mp4', 'relative path segment'],
    [`segments/${JOB}/00001_00001_sbs.mp4`, 'segment_index must be less than total_segments'],
    ['input/not-a-uuid/source.mp4', 'job id is not a lowercase UUID'],
    [`segments/${JOB}/00000_00001_stereo.mp4`, 'unknown mode'],
    [`segments/${JOB}/00000_00000_sbs.mp4`, 'total_segments must be at least 1'],
    [`segments//${JOB}/00000_00001_sbs.mp4`, 'empty path segment'],
    [`/input/${JOB}/source.mp4`, 'empty path segment'],
    [`input/${JOB}/source.mp4/`, 'empty path segment'],
    [`input/${JOB}/./source.mp4`, 'relative path segment'],
    [`input/${JOB}/other.mp4`, 'expected input/'],
    [`input/${JOB.toUpperCase()}/source.mp4`, 'lowercase UUID'],
    [`uploads/${JOB}/source.mp4`, 'unknown prefix'],
    [`jobs/${JOB}/segments/01.mp4`, 'expected jobs/'],
    [`jobs/${JOB}/segments/1.mkv`, 'expected jobs/'],
    [`segments/${JOB}/0_1_sbs.mp4`, 'expected segments/'],
    ['', 'empty key'],
  ])('rejects %s', (key, reason) => {
    // Act
    const parsed = parseObjectKey(key);

    // Assess
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.code).toBe('INVALID_OBJECT_KEY');
      expect(parsed.error.reason).toContain(reason);
    }
  });

  it('parses a segment key into its parts', () => {
    const parsed = parseSegmentKey(`segments/${JOB}/00002_00005_tb.mp4`);
    expect(parsed).toEqual({
      ok: true,
      value: { kind: 'segment', jobId: JOB, segmentIndex: 2, totalSegments: 5, mode: 'tb' },
    });
  });

  it('rejects a valid key of the wrong kind', () => {
    const parsed = parseInputKey(finalKey(JOB));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.reason).toContain('expected a input key, got a final key');
  });

  it('round-trips parse(build(x)) == x for generated values of every kind', () => {
    const parsedKeyArb: fc.Arbitrary<ParsedObjectKey> = fc.oneof(
      jobIdArb.map((jobId: JobId) => ({ kind: 'input' as const, jobId })),
      jobIdArb.map((jobId: JobId) => ({ kind: 'final' as const, jobId })),
      fc
        .record({ jobId: jobIdArb, segmentIndex: fc.integer({ min: 0, max: 99_998 }) })
        .map((v) => ({ kind: 'segment-output' as const, ...v })),
      segmentRefArb.map((ref) => ({ kind: 'segment' as const, ...ref })),
    );
    fc.assert(
      fc.property(parsedKeyArb, (value) => {
        expect(parseObjectKey(buildKey(value))).toEqual({ ok: true, value });
      }),
    );
  });

  it('rejects every key with a traversal, a doubled slash or a foreign prefix inserted', () => {
    const mutationArb = fc.constantFrom(
      (key: string) => key.replace('/', '/../'),
      (key: string) => key.replace('/', '//'),
      (key: string) => `/${key}`,
      (key: string) => `${key}/`,
      (key: string) => `x${key}`,
      (key: string) => key.replace(/\.mp4$/, '.mov'),
    );
    fc.assert(
      fc.property(segmentRefArb, mutationArb, (ref, mutate) => {
        expect(parseObjectKey(mutate(segmentKey(ref))).ok).toBe(false);
      }),
    );
  });

  it('rejects arbitrary strings that are not built by the key builders', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parseObjectKey(text);
        if (parsed.ok) expect(buildKey(parsed.value)).toBe(text);
      }),
    );
  });
});
