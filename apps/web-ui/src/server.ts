import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '@stereo-spot/logging';
import { registerApiRoutes, type ApiDeps } from './api';
import { HttpError, sendError } from './http';
import { Router } from './router';

/** Handles a request outside the router (e.g. the embedded presigned URLs); true when it did. */
export type PassthroughHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface WebServerOptions {
  readonly api: ApiDeps;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** When set, every `/api/` call needs `Authorization: Bearer <token>`. */
  readonly authToken?: string;
  readonly logger: Logger;
  readonly passthrough?: readonly PassthroughHandler[];
  /** More routes on the same router (the pages, later). */
  readonly routes?: readonly ((router: Router) => void)[];
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
  for (const register of options.routes ?? []) register(router);

  const server = createServer((req, res) => {
    void handle(options, router, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
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

async function handle(
  options: WebServerOptions,
  router: Router,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = Date.now();
  try {
    for (const passthrough of options.passthrough ?? []) {
      if (await passthrough(req, res)) return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/api/') && !authorized(options.authToken, req)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new HttpError(
        401,
        'UNAUTHORIZED',
        'this server needs an access token (Authorization: Bearer <token>)',
      );
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
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
