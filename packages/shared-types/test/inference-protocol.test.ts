import {
  INFERENCE_ERROR_CODES,
  InvocationRequestSchema,
  isPermanentInferenceError,
  parseS3Uri,
} from '../src/inference-protocol';

describe('the inference protocol', () => {
  it('calls bad input permanent, by its code or by its status', () => {
    // Act
    const permanent = INFERENCE_ERROR_CODES.filter((code) => isPermanentInferenceError(code));

    // Assess
    expect(permanent).toEqual(['INVALID_REQUEST', 'INVALID_MEDIA', 'INPUT_TOO_LARGE']);
    expect(isPermanentInferenceError('INPUT_UNAVAILABLE', 400)).toBe(true);
    expect(isPermanentInferenceError('INPUT_UNAVAILABLE', 502)).toBe(false);
    expect(isPermanentInferenceError('INPUT_NOT_FOUND', 404)).toBe(false);
    expect(isPermanentInferenceError('SOMETHING_NEW', 422)).toBe(true);
  });

  it('takes exactly one location for the input and one for the output', () => {
    // Prepare
    const stereo = { divergence: 2, convergence: 0.5, anaglyph_method: 'dubois' };
    const s3 = { s3_input_uri: 's3://in-bucket/segments/a.mp4', s3_output_uri: 's3://out-bucket/jobs/a.mp4' };

    // Act
    const valid = InvocationRequestSchema.safeParse({ ...s3, ...stereo });
    const both = InvocationRequestSchema.safeParse({ ...s3, input_url: 'https://example.test/a', ...stereo });

    // Assess
    expect(valid.success && valid.data.mode).toBe('anaglyph');
    expect(both.success).toBe(false);
    expect(both.error?.issues.map((issue) => issue.message)).toContain(
      'give exactly one of s3_input_uri or input_url',
    );
  });

  it('splits an s3 URI and refuses anything else', () => {
    expect(parseS3Uri('s3://in-bucket/segments/a.mp4')).toEqual({
      bucket: 'in-bucket',
      key: 'segments/a.mp4',
    });
    expect(parseS3Uri('https://in-bucket/segments/a.mp4')).toBeUndefined();
  });
});
