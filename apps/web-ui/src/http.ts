import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ApiError } from '@stereo-spot/shared-types';

/** An error the API answers with its status and a readable message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function apiError(code: string, message: string): ApiError {
  return { error: { code, message } };
}

/** A JSON answer that no cache keeps. */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send(body);
}

const VALIDATION_PLACES: Readonly<Record<string, string>> = { params: 'INVALID_JOB_ID' };

/**
 * What a thrown error means for the client, in the API's error shape: our HttpError as it is,
 * Fastify's and its plugins' errors (validation, body limits, media types, CSRF) with a stable
 * code and words that say what to do; anything else is a 500 (logged by the caller).
 */
export function toHttpError(error: unknown, request: FastifyRequest): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as { validationContext?: string }).validationContext ?? 'body';
    const message = error.validation
      .slice(0, 5)
      .map((issue) => {
        const text = issue.message ?? 'is not valid';
        const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
        // Messages that already name their field (`limit must be …`) are not prefixed again.
        return path === '' || context === 'params' || text.startsWith(`${path} `) ? text : `${path}: ${text}`;
      })
      .join('; ');
    return new HttpError(400, VALIDATION_PLACES[context] ?? 'INVALID_REQUEST', message);
  }
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, 'BODY_TOO_LARGE', `the request body is over ${request.routeOptions.bodyLimit ?? 0} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        `a body of type ${JSON.stringify((request.headers['content-type'] ?? '').slice(0, 100))} is not accepted here`,
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpError(400, 'INVALID_JSON', `the request body is not JSON: ${fastifyError.message ?? ''}`);
    case 'FST_CSRF_MISSING_SECRET':
    case 'FST_CSRF_INVALID_TOKEN':
      return new HttpError(
        403,
        'CSRF',
        isForm(request)
          ? 'this form is out of date or came from another site; reload the page and try again'
          : 'missing or stale CSRF token; reload the page and try again',
      );
    default:
      break;
  }
  const status = fastifyError.statusCode ?? 0;
  if (error instanceof SyntaxError && status === 400) {
    return new HttpError(400, 'INVALID_JSON', `the request body is not JSON: ${error.message}`);
  }
  // @fastify/static refuses a path outside its folder with 403: to the client it is just not there.
  if (request.url.startsWith('/static/') && (status === 403 || status === 404)) {
    return new HttpError(404, 'NOT_FOUND', 'no such static file');
  }
  if (status >= 400 && status < 500) {
    return new HttpError(status, fastifyError.code ?? 'BAD_REQUEST', fastifyError.message ?? 'bad request');
  }
  return undefined;
}

export function isForm(request: FastifyRequest): boolean {
  return /^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '');
}
