import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@stereo-spot/logging';
import { inputKey, toJobId } from '@stereo-spot/shared-types';
import { registerApiRoutes, type ApiDeps } from './api';
import { HttpError, sendError } from './http';
import { errorPage, registerPageRoutes, sendHtml } from './pages';
import {
  CSRF_HEADER,
  csrfToken,
  csrfTokenMatches,
  needsCsrfToken,
  readCookies,
  sameSecret,
  setSecurityHeaders,
  useSecureCookies,
} from './pages/security';
import { Router } from './router';
import { listenError } from './errors';
import { createHostAllowlist, type HostAllowlist } from './security/host-allowlist';
import { createRequestGuards, DEFAULT_WEB_UI_LIMITS, enforce, type RequestGuards, type WebUiLimits } from './security/limits';
import { applyRequestTimeout, replaceServerRequestTimeout } from './security/request-timeouts';
import { createSessionSigner, SESSION_COOKIE, type SessionSigner } from './security/session-cookie';

/** Handles a request outside the router (e.g. the embedded presigned URLs); true when it did. */
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
   * When set, every page and `/api/` call needs it: `Authorization: Bearer <token>`, or the cookie
   * session cookie the sign-in page sets. `/healthz`, `/static/` and `/login` stay open.
   */
  readonly authToken?: string;
  readonly logger: Logger;
  readonly passthrough?: readonly PassthroughHandler[];
  /** More routes on the same router (the pages, later). */
  readonly routes?: readonly ((router: Router) => void)[];
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
  close(): Promise<void>;
}

/** The web-ui HTTP server: the JSON API, the presigned-URL passthrough, and room for pages. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const limits: WebUiLimits = { ...DEFAULT_WEB_UI_LIMITS, ...options.limits };
  const guards = createRequestGuards(limits);
  const session =
    options.authToken !== undefined ? createSessionSigner(options.authToken, limits.sessionTtlMs) : undefined;
  const router = new Router();
  registerApiRoutes(router, options.api, guards);
  registerPageRoutes(router, options.api, {
    guards,
    ...(options.authToken !== undefined && session !== undefined ? { auth: { token: options.authToken, session } } : {}),
  });
  for (const register of options.routes ?? []) register(router);

  let origins: Promise<readonly string[]> | undefined;
  const presignedOrigins = () =>
    (origins ??=
      options.presignedOrigins !== undefined
        ? Promise.resolve(options.presignedOrigins)
        : learnPresignedOrigins(options.api));
  let allowlist: HostAllowlist | undefined;
  const context: HandlerContext = {
    options,
    router,
    presignedOrigins,
    guards,
    limits,
    session,
    https: options.publicBaseUrl?.startsWith('https:') === true,
    allowlist: () =>
      (allowlist ??= createHostAllowlist({
        bindHost: options.host,
        port: (server.address() as AddressInfo).port,
        ...(options.publicBaseUrl !== undefined ? { publicBaseUrl: options.publicBaseUrl } : {}),
      })),
  };
  const server = createServer((req, res) => {
    void handle(context, req, res);
  });
  replaceServerRequestTimeout(server);
  // Longer than a load balancer's idle timeout, or it reuses a connection Node already closed (502).
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // Node requires the headers timeout to exceed the keep-alive timeout.
  server.headersTimeout = Math.max(server.headersTimeout, limits.keepAliveTimeoutMs + 1000);
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => reject(listenError(error, options.host, options.port));
    server.once('error', failed);
    server.listen(options.port, options.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  options.logger.info({ url }, `web-ui listening on ${url}`);
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const OPEN_PATHS = /^\/(healthz|login|static\/.*)$/;
const PRESIGNED_PATH = /^\/presigned\//;
const HSTS = 'max-age=31536000';

interface HandlerContext {
  readonly options: WebServerOptions;
  readonly router: Router;
  readonly presignedOrigins: () => Promise<readonly string[]>;
  readonly guards: RequestGuards;
  readonly limits: WebUiLimits;
  readonly session: SessionSigner | undefined;
  /** PUBLIC_BASE_URL is https: Secure cookies and HSTS. */
  readonly https: boolean;
  readonly allowlist: () => HostAllowlist;
}

async function handle(context: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { options, router } = context;
  const started = Date.now();
  const url = new URL(req.url ?? '/', 'http://localhost');
  const isPage = !url.pathname.startsWith('/api/') && url.pathname !== '/healthz';
  applyRequestTimeout(req, res, req.method === 'PUT' && PRESIGNED_PATH.test(url.pathname), {
    uploadIdleMs: context.limits.uploadIdleTimeoutMs,
    requestTimeoutMs: context.limits.requestTimeoutMs,
  });
  try {
    // Before anything else: a Host this server is not reached under is DNS rebinding (or a
    // misrouted request). Load balancers' health checks name the target's address: /healthz is
    // exempt, it tells nothing.
    if (url.pathname !== '/healthz' && !context.allowlist().allowsHost(req.headers.host)) {
      res.setHeader('Connection', 'close');
      throw new HttpError(
        421,
        'MISDIRECTED_REQUEST',
        `this server does not answer to the host ${JSON.stringify(req.headers.host ?? '')}; ` +
          `it answers to ${[...context.allowlist().hosts].join(', ')} (set PUBLIC_BASE_URL to the address browsers use)`,
      );
    }
    if (context.https) {
      res.setHeader('Strict-Transport-Security', HSTS);
      useSecureCookies(res);
    }
    for (const passthrough of options.passthrough ?? []) {
      if (await passthrough(req, res)) return;
    }
    setSecurityHeaders(res, await context.presignedOrigins());
    if (!OPEN_PATHS.test(url.pathname) && !authorized(context, req, res)) {
      if (isPage && (req.method === 'GET' || req.method === 'HEAD')) {
        res.writeHead(303, { Location: `/login?next=${encodeURIComponent(url.pathname + url.search)}` }).end();
        return;
      }
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new HttpError(
        401,
        'UNAUTHORIZED',
        'this server needs an access token (Authorization: Bearer <token>, or sign in on /login)',
      );
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !context.allowlist().allowsOrigin(origin)) {
      throw new HttpError(
        403,
        'CSRF',
        `cross-site requests are refused (Origin ${JSON.stringify(origin)} is not this server); use the pages of this server`,
      );
    }
    const isForm = /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '');
    // Form posts check their `_csrf` field when they read the body; everything else the header.
    if (needsCsrfToken(req) && !isForm) {
      const header = req.headers[CSRF_HEADER];
      if (!csrfTokenMatches(req, typeof header === 'string' ? header : undefined)) {
        throw new HttpError(403, 'CSRF', 'missing or stale CSRF token; reload the page and try again');
      }
    }
    const match = router.match(req.method ?? 'GET', url.pathname);
    if (match.kind === 'not-found') throw new HttpError(404, 'NOT_FOUND', `nothing at ${url.pathname}`);
    if (match.kind === 'method-not-allowed') {
      res.setHeader('Allow', match.allowed.join(', '));
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname}`);
    }
    await match.handler({ req, res, url, params: match.params });
  } catch (error) {
    if (res.headersSent) {
      res.end();
    } else if (error instanceof HttpError && error.status === 421) {
      // Plain text: no page of this server is rendered for a host it does not serve.
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(`421 Misdirected Request: ${error.message}\n`);
    } else if (error instanceof HttpError && isPage && acceptsHtml(req)) {
      sendHtml(res, error.status, errorPage(csrfToken(req, res), error.status, error.message));
    } else if (error instanceof HttpError) {
      sendError(res, error.status, error.code, error.message);
    } else {
      options.logger.error({ err: error, method: req.method, path: req.url }, 'request failed');
      sendError(res, 500, 'INTERNAL', 'the server failed to handle the request; see its log');
    }
  } finally {
    options.logger.debug(
      { method: req.method, path: req.url, status: res.statusCode, ms: Date.now() - started },
      'request',
    );
  }
}

/**
 * The bearer token (API clients) or a valid session cookie (browsers). Wrong bearer tokens count
 * as failed sign-ins: after too many the client gets 429 instead of another guess.
 */
function authorized(context: HandlerContext, req: IncomingMessage, res: ServerResponse): boolean {
  const token = context.options.authToken;
  if (token === undefined || context.session === undefined) return true;
  const header = req.headers.authorization ?? '';
  if (header.startsWith('Bearer ')) {
    const client = context.guards.clientOf(req);
    enforce(res, context.guards.loginFailures.check(client), 'too many wrong access tokens from this client');
    if (sameSecret(header.slice(7), token)) return true;
    context.guards.loginFailures.record(client);
    return false;
  }
  return context.session.verify(readCookies(req)[SESSION_COOKIE], Date.now());
}

function acceptsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
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
