import { PipelineError } from '../errors';

/** A client request the API refuses (validation, size limit); shown to the user as is. */
export class InvalidRequestError extends PipelineError {
  constructor(message: string) {
    super('INVALID_REQUEST', message, true);
  }
}

/**
 * Reassembly cannot start because segments or their completions are missing. Transient: it should
 * not happen once the trigger fired, so the message is retried and, if it persists, reaches the
 * DLQ for an operator instead of failing a job whose segments may still be repaired.
 */
export class SegmentsMissingError extends PipelineError {
  constructor(
    readonly jobId: string,
    readonly missing: readonly number[],
    what: string,
  ) {
    super(
      'SEGMENTS_MISSING',
      `job ${jobId}: ${what} missing for segment(s) ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''}`,
      false,
    );
  }
}

/**
 * The job's source (`input/{job_id}/source.mp4`, whose audio the final keeps) is gone: deleted or
 * never uploaded. Permanent: no retry brings it back, so the job fails with this reason.
 */
export class SourceMissingError extends PipelineError {
  constructor(readonly jobId: string) {
    super(
      'SOURCE_MISSING',
      `the source video of job ${jobId} is missing (deleted, or never uploaded): the final video cannot be assembled with its audio`,
      true,
    );
  }
}

/** Another worker holds the per-job reassembly start lock; retry once it is done or stale. */
export class ReassemblyBusyError extends PipelineError {
  constructor(readonly jobId: string) {
    super('TRANSIENT', `job ${jobId}: another worker is reassembling it; will look again later`, false);
  }
}
