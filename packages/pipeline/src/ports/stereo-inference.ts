import type { JobId, OutputMode, StereoParams } from '@stereo-spot/shared-types';

export interface SegmentConversionRequest {
  readonly jobId: JobId;
  readonly segmentIndex: number;
  /** Key of the source segment in the input bucket: `segments/{job_id}/...`. */
  readonly inputKey: string;
  /** Key to write in the output bucket: `jobs/{job_id}/segments/{index}.mp4`. */
  readonly outputKey: string;
  readonly mode: OutputMode;
  readonly stereo: StereoParams;
  readonly signal?: AbortSignal;
  /**
   * Called right before the output is written: throws when the worker lost its lease, so a worker
   * that was frozen past its visibility timeout writes nothing. Backends that write the output
   * themselves write it create-only (`ifAbsent`): an output is never replaced under a reader.
   */
  readonly assertLease?: () => Promise<void>;
  /** 0..1 within this segment, when the backend can tell. */
  readonly onProgress?: (fraction: number) => void;
}

export interface SegmentConversionResult {
  readonly frames?: number;
  readonly seconds: number;
}

/**
 * Converts one segment from the input bucket into the output bucket. Backends: `builtin` (the
 * CPU stereo-engine in-process), `http` (an inference server), `sagemaker` (async endpoint).
 * Errors with `permanent: true` (unreadable video, bad mode) fail the job; others are retried.
 */
export interface StereoInference {
  readonly name: string;
  convertSegment(request: SegmentConversionRequest): Promise<SegmentConversionResult>;
}
