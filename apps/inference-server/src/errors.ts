/**
 * The inference server's error hierarchy. `code` is stable (clients and logs match on it; the
 * codes are shared-types' INFERENCE_ERROR_CODES), `status` is the HTTP status the server answers
 * with, and `permanent` tells the caller whether retrying the same request can ever succeed
 * (pipeline's `isPermanentError` reads it). It follows from code and status by the protocol's one
 * rule, `isPermanentInferenceError`, which the backends apply to the answer on the other side.
 */
import { isPermanentInferenceError, type InferenceErrorCode } from '@stereo-spot/shared-types';

export class InferenceError extends Error {
  readonly permanent: boolean;

  constructor(
    readonly code: InferenceErrorCode,
    readonly status: number,
    message: string,
    options?: { cause?: unknown; permanent?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.permanent = options?.permanent ?? isPermanentInferenceError(code, status);
  }
}

/** The invocation's body is not JSON or does not match the contract (pipeline's InvalidRequestError is the web API's). */
export class InvalidInvocationError extends InferenceError {
  constructor(message: string) {
    super('INVALID_REQUEST', 400, message);
  }
}

/**
 * The input object does not exist. Not permanent: the pipeline treats a missing object as
 * possibly not-yet-visible (see pipeline's ObjectNotFoundError).
 */
export class InputNotFoundError extends InferenceError {
  constructor(readonly location: string) {
    super('INPUT_NOT_FOUND', 404, `input not found: ${location}`);
  }
}

/** The input could not be fetched for another reason (expired URL, access denied, network). */
export class InputUnavailableError extends InferenceError {
  constructor(message: string, permanent: boolean, options?: { cause?: unknown }) {
    super('INPUT_UNAVAILABLE', permanent ? 400 : 502, message, options);
  }
}

/** The input is larger than INFERENCE_MAX_INPUT_BYTES: the same input will always be. */
export class InputTooLargeError extends InferenceError {
  constructor(
    readonly location: string,
    readonly maxBytes: number,
  ) {
    super('INPUT_TOO_LARGE', 413, `input ${location} is larger than the limit of ${maxBytes} bytes`);
  }
}

/** The request lacks the shared secret (or has another). Not permanent: the caller's configuration is wrong, not the job. */
export class UnauthorizedError extends InferenceError {
  constructor() {
    super('UNAUTHORIZED', 401, 'missing or wrong credentials: send Authorization: Bearer <INFERENCE_SHARED_SECRET>');
  }
}

/** The input is not a readable video: converting it again will fail again (pipeline's InvalidMediaError is chunking's). */
export class UnreadableInputError extends InferenceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_MEDIA', 422, message, options);
  }
}

/** The engine failed; `detail` carries what it said (for iw3, the tail of its stderr). */
export class EngineFailedError extends InferenceError {
  constructor(
    message: string,
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    super('ENGINE_FAILED', 500, detail ? `${message}\n${detail}` : message, options);
  }
}

export class EngineTimeoutError extends InferenceError {
  constructor(
    readonly timeoutSeconds: number,
    readonly detail?: string,
  ) {
    const message = `engine did not finish within ${timeoutSeconds} s and was stopped`;
    super('ENGINE_TIMEOUT', 504, detail ? `${message}\n${detail}` : message);
  }
}

export class OutputFailedError extends InferenceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OUTPUT_FAILED', 502, message, options);
  }
}

export class NotReadyError extends InferenceError {
  constructor(message = 'the engine is not ready yet') {
    super('NOT_READY', 503, message);
  }
}

/** More requests are waiting than the server accepts; the caller should come back later. */
export class BusyError extends InferenceError {
  constructor(waiting: number) {
    super('BUSY', 503, `server busy: ${waiting} conversions already waiting`);
  }
}

export class AbortedError extends InferenceError {
  constructor(message = 'the conversion was cancelled') {
    super('ABORTED', 499, message);
  }
}

/** Bad server or client configuration (environment); restarting with it cannot help. */
export class InferenceConfigError extends InferenceError {
  constructor(message: string) {
    super('CONFIGURATION', 500, message, { permanent: true });
  }
}

export function isAbortError(error: unknown): boolean {
  return (
    error instanceof AbortedError ||
    (typeof error === 'object' &&
      error !== null &&
      ((error as { name?: unknown }).name === 'AbortError' || (error as { code?: unknown }).code === 'ABORTED'))
  );
}
