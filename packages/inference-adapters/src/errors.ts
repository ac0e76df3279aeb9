/**
 * The inference backends' error hierarchy. `code` is stable: the server's own code where it
 * answered (shared-types' INFERENCE_ERROR_CODES), else what went wrong on this side. `permanent`
 * tells the pipeline whether retrying can ever help (its `isPermanentError` reads it).
 */
import {
  isInferenceErrorCode,
  isPermanentInferenceError,
  type InferenceErrorCode,
} from '@stereo-spot/shared-types';

export type InferenceBackendErrorCode =
  | InferenceErrorCode
  /** http: no usable answer from the server. */
  | 'UNREACHABLE'
  /** sagemaker: the endpoint's failure object, or no OutputLocation. */
  | 'INFERENCE_FAILED'
  | 'INFERENCE_TIMEOUT'
  | 'INFERENCE_ABORTED';

export class InferenceBackendError extends Error {
  constructor(
    readonly code: InferenceBackendErrorCode,
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown; status?: number; jobId?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = options?.status;
    this.jobId = options?.jobId;
  }

  /** The HTTP status of the server's answer, or what stands for it (499 cancelled, 502 unreachable). */
  readonly status: number | undefined;
  readonly jobId: string | undefined;
}

/** The server answered with an error; `permanent` by the protocol's rule on its code and status. */
export class InferenceRequestFailedError extends InferenceBackendError {
  constructor(
    status: number,
    readonly serverCode: string,
    serverMessage: string,
  ) {
    super(
      isInferenceErrorCode(serverCode) ? serverCode : 'ENGINE_FAILED',
      `inference server answered ${status} ${serverCode}: ${serverMessage}`,
      isPermanentInferenceError(serverCode, status),
      { status },
    );
  }
}

/** The server could not be reached or gave no usable answer. */
export class InferenceUnreachableError extends InferenceBackendError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNREACHABLE', message, false, { ...options, status: 502 });
  }
}

/** The caller's signal fired (the worker is shutting down): the message is retried elsewhere. */
export class InferenceAbortedError extends InferenceBackendError {
  constructor(message = 'the conversion was cancelled') {
    super('ABORTED', message, false, { status: 499 });
  }
}
