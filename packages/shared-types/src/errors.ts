/**
 * The error hierarchy of shared-types. `code` is stable: callers and logs match on it, never on
 * the message text.
 */
export type SharedTypesErrorCode = 'INVALID_OBJECT_KEY' | 'INVALID_PAYLOAD' | 'INVALID_JOB_ID';

export class SharedTypesError extends Error {
  constructor(
    readonly code: SharedTypesErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** An object key that is not one of the canonical layouts built by `keys.ts`. */
export class InvalidObjectKeyError extends SharedTypesError {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super('INVALID_OBJECT_KEY', `invalid object key ${JSON.stringify(key)}: ${reason}`);
  }
}

/** A message body or record that does not match its schema (or is not JSON at all). */
export class InvalidPayloadError extends SharedTypesError {
  constructor(
    readonly payloadKind: string,
    readonly reason: string,
  ) {
    super('INVALID_PAYLOAD', `invalid ${payloadKind}: ${reason}`);
  }
}

export class InvalidJobIdError extends SharedTypesError {
  constructor(readonly value: unknown) {
    super('INVALID_JOB_ID', `invalid job id ${JSON.stringify(value)}: expected a lowercase UUID`);
  }
}
