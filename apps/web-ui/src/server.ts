import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@stereo-spot/logging';
import { inputKey, toJobId } from '@stereo-spot/shared-types';
import { registerApiRoutes, type ApiDeps } from './api';
import { HttpError, sendError } from './http';
import { errorPage, registerPageRoutes, sendHtml } from './pages';
import {
  AUTH_COOKIE,
  CSRF_HEADER,
  csrfToken,
  csrfTokenMatches,
  foreignOrigin,
  needsCsrfToken,
  readCookies,
  sameSecret,
  setSecurityHeaders,
} from './pages/security';
import { Router } from './router';
import { listenError } from './errors';

/** Handles a request outside the router (e.g. the embedded presigned URLs); true when it did. */
export type PassthroughHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface WebServerOptions {
  readonly api: ApiDeps;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /**
   * When set, every page and `/api/` call needs it: `Authorization: Bearer <token>`, or the cookie
   * the sign-in page sets. `/healthz`, `/static/` and `/login` stay open.
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
  const router = new Router();
  registerApiRoutes(router, options.api);
  registerPageRoutes(router, options.api, {
    ...(options.authToken !== undefined ? { authToken: options.authToken } : {}),
  });
  for (const register of options.routes ?? []) register(router);

  let origins: Promise<readonly string[]> | undefined;
  const presignedOrigins = () =>
    (origins ??=
      options.presignedOrigins !== undefined
        ? Promise.resolve(options.presignedOrigins)
        : learnPresignedOrigins(options.api));
  const server = createServer((req, res) => {
    void handle(options, router, presignedOrigins, req, res);
  });
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

async function handle(
  options: WebServerOptions,
  router: Router,
  presignedOrigins: () => Promise<readonly string[]>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = Date.now();
  const url = new URL(req.url ?? '/', 'http://localhost');
  const isPage = !url.pathname.startsWith('/api/') && url.pathname !== '/healthz';
  try {
    for (const passthrough of options.passthrough ?? []) {
      if (await passthrough(req, res)) return;
    }
    setSecurityHeaders(res, await presignedOrigins());
    if (!OPEN_PATHS.test(url.pathname) && !authorized(options.authToken, req)) {
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
    if (foreignOrigin(req)) {
      throw new HttpError(403, 'CSRF', 'cross-site requests are refused; use the pages of this server');
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

function authorized(token: string | undefined, req: IncomingMessage): boolean {
  if (token === undefined) return true;
  const header = req.headers.authorization ?? '';
  if (header.startsWith('Bearer ')) return sameSecret(header.slice(7), token);
  return sameSecret(readCookies(req)[AUTH_COOKIE], token);
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
