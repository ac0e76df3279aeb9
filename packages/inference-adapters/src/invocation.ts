import type { InvocationRequestBody } from '@stereo-spot/shared-types';
import type { SegmentConversionRequest } from '@stereo-spot/pipeline';

/** Where the server reads the segment and writes the result: S3 URIs or presigned URLs. */
export type InvocationLocations = Pick<
  InvocationRequestBody,
  's3_input_uri' | 's3_output_uri' | 'input_url' | 'output_url' | 'output_headers'
>;

/**
 * The `/invocations` body for one segment: the `sagemaker` and `http` backends send the same
 * fields and differ only in where the segment is read and written.
 */
export function invocationRequestBody(
  request: SegmentConversionRequest,
  locations: InvocationLocations,
): InvocationRequestBody {
  return {
    ...locations,
    mode: request.mode,
    divergence: request.stereo.divergence,
    convergence: request.stereo.convergence,
    anaglyph_method: request.stereo.anaglyph_method,
    job_id: request.jobId,
    segment_index: request.segmentIndex,
  };
}

/** How long one segment may take on a remote backend, by default: 65 min, above SageMaker's own 60. */
export const DEFAULT_SEGMENT_TIMEOUT_MS = 65 * 60_000;
