/**
 * The pipeline's error hierarchy. `code` is stable. `permanent` decides what a consumer does:
 * a permanent error (bad input) fails the job and deletes the message at once; anything else is
 * transient and the message is left for redelivery (and, after maxReceiveCount, the DLQ).
 *
 * Errors from other packages take part through the same duck-typed `permanent` flag, so the
 * consumer loop does not need to know every package's classes.
 */
export type PipelineErrorCode =
  | 'INVALID_MESSAGE'
  | 'INVALID_REQUEST'
  | 'JOB_NOT_FOUND'
  | 'JOB_ALREADY_EXISTS'
  | 'OBJECT_NOT_FOUND'
  | 'INVALID_MEDIA'
  | 'UNSUPPORTED_CONTAINER'
  | 'MEDIA_LIMIT_EXCEEDED'
  | 'SEGMENTS_MISSING'
  | 'SOURCE_MISSING'
  | 'ILLEGAL_TRANSITION'
  | 'CONFIGURATION'
  | 'LEASE_LOST'
  | 'TRANSIENT';

export class PipelineError extends Error {
  constructor(
    readonly code: PipelineErrorCode,
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ObjectNotFoundError extends PipelineError {
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super('OBJECT_NOT_FOUND', `object not found: ${bucket}/${key}`, false);
  }
}

export class JobAlreadyExistsError extends PipelineError {
  constructor(readonly jobId: string) {
    super('JOB_ALREADY_EXISTS', `job ${jobId} already exists`, true);
  }
}

export class JobNotFoundError extends PipelineError {
  constructor(readonly jobId: string) {
    super('JOB_NOT_FOUND', `job ${jobId} does not exist`, true);
  }
}

/** The message body or key cannot be understood; it will never succeed. */
export class InvalidMessageError extends PipelineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_MESSAGE', message, true, options);
  }
}

/** The uploaded media is unreadable or has no video: the job fails with this readable reason. */
export class InvalidMediaError extends PipelineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_MEDIA', message, true, options);
  }
}

/**
 * The upload is not one of the accepted containers (a playlist, a concat list, anything that
 * names other files or URLs): refused by the media gate before anything it names is read.
 */
export class UnsupportedContainerError extends PipelineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNSUPPORTED_CONTAINER', message, true, options);
  }
}

/** The upload is a readable video but larger than the configured limits (size, rate, length). */
export class MediaLimitError extends PipelineError {
  constructor(message: string) {
    super('MEDIA_LIMIT_EXCEEDED', message, true);
  }
}

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

/** True for errors that retrying cannot fix (any error carrying `permanent: true`). */
export function isPermanentError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
}

/**
 * This worker no longer owns the message: its visibility ran out (the process was frozen or
 * starved past the timeout) or the queue says the receipt handle is no longer the current
 * delivery. Another worker may be doing the same work, so this one stops and writes nothing more.
 */
export class LeaseLostError extends PipelineError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('LEASE_LOST', `lost the lease on the message (${reason}): stopped without writing anything more`, false, options);
  }
}

/**
 * The queue refused a visibility change because the handle is not the message's current delivery
 * (adapters mark such errors `leaseLost: true`: ReceiptHandleInvalidError, SQS ReceiptHandleIsInvalid).
 */
export function isLeaseLost(error: unknown): boolean {
  if (error instanceof LeaseLostError) return true;
  return typeof error === 'object' && error !== null && (error as { leaseLost?: unknown }).leaseLost === true;
}

/** A create-only write (`ifAbsent`) found the object already there (adapters use code OBJECT_EXISTS). */
export function isObjectExists(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'OBJECT_EXISTS';
}

/** The text shown to users for a failed job: the error's message without stack or class name. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
