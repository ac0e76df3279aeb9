import { type z } from 'zod';
import { InvalidPayloadError } from './errors';
import { err, ok, type Result } from './result';

/** A short, readable account of what failed validation (first few issues with their paths). */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Validates an already-decoded value against a schema. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  payloadKind: string,
): Result<z.output<S>, InvalidPayloadError> {
  const parsed = schema.safeParse(value);
  return parsed.success
    ? ok(parsed.data)
    : err(new InvalidPayloadError(payloadKind, describeZodError(parsed.error)));
}

/** Decodes JSON text and validates it; bad JSON and bad shape are both InvalidPayloadError. */
export function parseJsonWith<S extends z.ZodType>(
  schema: S,
  text: string,
  payloadKind: string,
): Result<z.output<S>, InvalidPayloadError> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    return err(new InvalidPayloadError(payloadKind, `not JSON (${(cause as Error).message})`));
  }
  return parseWith(schema, value, payloadKind);
}
