import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import formBody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { randomBytes } from 'node:crypto';
import type { Logger } from '@stereo-spot/logging';
import { inputKey, toJobId } from '@stereo-spot/shared-types';
import { registerApiRoutes, type ApiDeps } from './api';
import { hijackWithHeaders } from './api/hijack';
import { registerOpenApi } from './api/openapi';
import { listenError } from './errors';
import { apiError, HttpError, sendJson, toHttpError } from './http';
import { errorPage, registerPageRoutes, sendHtml } from './pages';
import { createFailureThrottle, registerAccessControl } from './security/auth';
import { registerCsrfProtection } from './security/csrf';
import { registerSecurityHeaders } from './security/headers';
import { createHostAllowlist, registerHostAllowlist, type HostAllowlist } from './security/host-allowlist';
import { DEFAULT_WEB_UI_LIMITS, type WebUiLimits } from './security/limits';
import { applyRequestTimeout } from './security/request-timeouts';
import { sessionSigningKey } from './security/session-cookie';
import { ConcurrencyLimit } from './security/stream-limit';

/** Handles a request under `/presigned/` (the embedded presigned URLs); true when it did. */
export type PassthroughHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface WebServerOptions {
  readonly api: ApiDeps;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /**
   * PUBLIC_BASE_URL: the address browsers use. Its host is accepted in the Host header (beside the
   * listening address), its origin in Origin; when it is https, cookies are `Secure` and answers
   * carry HSTS.
   */
  readonly publicBaseUrl?: string;
  /** Per-client limits and timeouts; unset fields keep DEFAULT_WEB_UI_LIMITS. */
  readonly limits?: Partial<WebUiLimits>;
  /**
   * When set, every page and `/api/` call needs it: `Authorization: Bearer <token>`, or the
   * session cookie the sign-in page sets. `/healthz`, `/static/` and `/login` stay open.
   */
  readonly authToken?: string;
  readonly logger: Logger;
  /**
   * Handlers of `/presigned/...` requests, given the raw request and response (the body is not
   * read by Fastify: an upload streams straight to storage). The Host allowlist and HSTS apply.
   */
  readonly passthrough?: readonly PassthroughHandler[];
  /**
   * Origins of presigned URLs the pages load or upload to (Content-Security-Policy); by default
   * learned once from a presigned URL of the storage.
   */
  readonly presignedOrigins?: readonly string[];
}

export interface WebServer {
  readonly server: Server;
  /** `http://host:port` as listened on. */
  readonly url: string;
  /** The Fastify instance (e.g. `app.swagger()` for the OpenAPI document). */
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

const OPEN_PATHS = /^\/(healthz|login|static\/.*|presigned\/.*)$/;
const PRESIGNED_PATH = /^\/presigned\//;

/** The web-ui HTTP server (Fastify): the JSON API with its OpenAPI document, the pages, the presigned-URL passthrough. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const limits: WebUiLimits = { ...DEFAULT_WEB_UI_LIMITS, ...options.limits };
  const https = options.publicBaseUrl?.startsWith('https:') === true;
  const app = Fastify({
    // pino's Logger, typed for Fastify (its FastifyBaseLogger is pino's shape).
    loggerInstance: options.logger as FastifyBaseLogger,
    // One debug line per request below (its path redacted by the logger), not Fastify's two at info.
    logController: new LogController({ disableRequestLogging: true }),
    // Node's total request timeout would cut long uploads: request-timeouts.ts applies its own.
    requestTimeout: 0,
    // The client is the address the outermost of `trustedProxyHops` proxies saw (X-Forwarded-For from the right).
    trustProxy: (_address: string, hop: number) => hop < limits.trustedProxyHops,
    exposeHeadRoutes: true,
    // Longer than a load balancer's idle timeout, or it reuses a connection Node already closed (502).
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  });
  // Node requires the headers timeout to exceed the keep-alive timeout.
  app.server.headersTimeout = Math.max(app.server.headersTimeout, limits.keepAliveTimeoutMs + 1000);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  let allowlist: HostAllowlist | undefined;
  const hostAllowlist = () =>
    (allowlist ??= createHostAllowlist({
      bindHost: options.host,
      port: (app.server.address() as AddressInfo).port,
      ...(options.publicBaseUrl !== undefined ? { publicBaseUrl: options.publicBaseUrl } : {}),
    }));

  // Order matters: hooks run as added. Timeouts, then the Host allowlist (421 before anything else).
  app.addHook('onRequest', async (request, reply) => {
    applyRequestTimeout(request.raw, reply.raw, request.method === 'PUT' && PRESIGNED_PATH.test(request.url), {
      uploadIdleMs: limits.uploadIdleTimeoutMs,
      requestTimeoutMs: limits.requestTimeoutMs,
    });
  });
  registerHostAllowlist(app, hostAllowlist);

  let origins: readonly string[] = options.presignedOrigins ?? [];
  let learning: Promise<void> | undefined = options.presignedOrigins !== undefined ? Promise.resolve() : undefined;
  app.addHook('onRequest', async () => {
    // Learned at the first request: the storage's presigned URLs may name this server's own address.
    await (learning ??= learnPresignedOrigins(options.api).then((learned) => void (origins = learned)));
  });
  await registerSecurityHeaders(app, { https, presignedOrigins: () => origins });

  await app.register(fastifyCookie, {
    secret: options.authToken !== undefined ? sessionSigningKey(options.authToken) : randomBytes(32),
  });
  await app.register(formBody, { bodyLimit: 8 * 1024 });
  await app.register(rateLimit, { global: false, keyGenerator: (request) => request.ip });
  const failures = createFailureThrottle(app, limits.loginFailuresPerMinute);
  if (options.authToken !== undefined) {
    registerAccessControl(app, { token: options.authToken, failures, isOpen: (path) => OPEN_PATHS.test(path) });
  }
  await registerCsrfProtection(app, {
    secureCookies: https,
    allowlist: hostAllowlist,
    exempt: (url) => PRESIGNED_PATH.test(url),
  });

  app.setErrorHandler(async (error, request, reply) => handleError(options.logger, error, request, reply));
  app.setNotFoundHandler(async (request, reply) =>
    handleError(options.logger, new HttpError(404, 'NOT_FOUND', `nothing at ${request.url.split('?', 1)[0]}`), request, reply),
  );
  app.addHook('onResponse', async (request, reply) => {
    options.logger.debug(
      { method: request.method, path: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  await registerOpenApi(app, { authRequired: options.authToken !== undefined });
  registerApiRoutes(app, options.api, limits, new ConcurrencyLimit(limits.maxEventStreams, limits.maxEventStreamsPerClient));
  await registerPageRoutes(app, options.api, {
    secureCookies: https,
    ...(options.authToken !== undefined
      ? { auth: { token: options.authToken, sessionTtlMs: limits.sessionTtlMs, failures } }
      : {}),
  });
  await registerPassthrough(app, options.passthrough ?? []);

  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (error) {
    await app.close().catch(() => undefined);
    throw listenError(error as NodeJS.ErrnoException, options.host, options.port);
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  options.logger.info({ url }, `web-ui listening on ${url}`);
  return {
    server: app.server,
    url,
    app,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}

/**
 * `/presigned/*`: the raw request and response go to the passthrough handlers, the body unread
 * (no content-type parser consumes it here), so an upload streams with its exact length check.
 */
async function registerPassthrough(app: FastifyInstance, handlers: readonly PassthroughHandler[]): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    scope.route({
      method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
      url: '/presigned/*',
      exposeHeadRoute: false,
      schema: { hide: true },
      handler: async (request, reply) => {
        const res = hijackWithHeaders(reply);
        for (const handler of handlers) {
          if (await handler(request.raw, res)) return;
        }
        const body = JSON.stringify(apiError('NOT_FOUND', `nothing at ${request.url.split('?', 1)[0]}`));
        res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      },
    });
  });
}

function isPageRequest(request: FastifyRequest): boolean {
  const path = request.url.split('?', 1)[0] ?? '/';
  return !path.startsWith('/api/') && path !== '/healthz' && (request.headers.accept ?? '').includes('text/html');
}

async function handleError(logger: Logger, error: unknown, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const known = toHttpError(error, request);
  if (reply.sent || reply.raw.headersSent) return reply;
  if (known === undefined) {
    logger.error({ err: error, method: request.method, path: request.url }, 'request failed');
    return sendJson(reply, 500, apiError('INTERNAL', 'the server failed to handle the request; see its log'));
  }
  if (isPageRequest(request)) return sendHtml(reply, known.status, errorPage(reply.generateCsrf(), known.status, known.message));
  return sendJson(reply, known.status, apiError(known.code, known.message));
}

/** The origins presigned URLs point at (S3, or this server on the embedded platform). */
async function learnPresignedOrigins(api: ApiDeps): Promise<readonly string[]> {
  try {
    const probe = inputKey(toJobId('00000000-0000-4000-8000-000000000000'));
    const urls = await Promise.all([
      api.inputStorage.presignPut(probe, { expiresInSeconds: 60, maxBytes: 1 }),
      api.outputStorage.presignGet(probe, { expiresInSeconds: 60 }),
    ]);
    return [...new Set(urls.map((signed) => new URL(signed.url).origin))];
  } catch {
    return [];
  }
}
