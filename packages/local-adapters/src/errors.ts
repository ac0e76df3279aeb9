/**
 * The error hierarchy of the embedded adapters. `code` is stable; `permanent: true` marks errors
 * that retrying cannot fix (pipeline's `isPermanentError` reads the flag).
 */
export type LocalAdapterErrorCode =
  | 'INVALID_OBJECT_KEY'
  | 'INVALID_ARGUMENT'
  | 'RECEIPT_HANDLE_INVALID'
  | 'PAYLOAD_TOO_LARGE'
  | 'OBJECT_EXISTS';

export class LocalAdapterError extends Error {
  constructor(
    readonly code: LocalAdapterErrorCode,
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A key that would escape the bucket folder or cannot be a file path (shared-types'
 * InvalidObjectKeyError is another thing: a key outside the canonical layouts).
 */
export class UnsafeObjectKeyError extends LocalAdapterError {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super('INVALID_OBJECT_KEY', `invalid object key ${JSON.stringify(key)}: ${reason}`, true);
  }
}

/** A caller passed a value outside the port's documented range (e.g. waitSeconds > 20). */
export class InvalidArgumentError extends LocalAdapterError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message, true);
  }
}

/**
 * The receipt handle does not belong to the message's current delivery (it was deleted, or its
 * visibility expired and it was received again). Like SQS: not retryable with the same handle.
 */
export class ReceiptHandleInvalidError extends LocalAdapterError {
  /** The worker holding this handle lost the message to another delivery (pipeline's isLeaseLost). */
  readonly leaseLost = true;

  constructor(readonly queue: string) {
    super(
      'RECEIPT_HANDLE_INVALID',
      `receipt handle is not the current delivery of any message in queue ${queue}`,
      true,
    );
  }
}

/** A presigned PUT body (or a streamed put) larger than its limit. */
export class PayloadTooLargeError extends LocalAdapterError {
  constructor(readonly maxBytes: number) {
    super('PAYLOAD_TOO_LARGE', `the upload is larger than the limit of ${maxBytes} bytes`, true);
  }
}

/** A create-only write (`ifAbsent`, S3's `If-None-Match: *`) found the object already there. */
export class ObjectExistsError extends LocalAdapterError {
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super('OBJECT_EXISTS', `${bucket}/${key} already exists`, true);
  }
}
