/**
 * Cross-site request refusal: the Origin a browser sends must be one this server is reached
 * under (the Host allowlist's origins, not whatever Host the request names), and a state-changing
 * request a browser may have sent on someone else's behalf needs the CSRF token of
 * @fastify/csrf-protection (secret in an HttpOnly SameSite=Strict cookie, token in the page).
 */
import fastifyCsrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError, isForm } from '../http';
import type { HostAllowlist } from './host-allowlist';

export const CSRF_COOKIE = 'stereo_spot_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

/**
 * A state-changing request needs the CSRF token when a browser may have sent it on someone
 * else's behalf: it carries cookies or an Origin. A bearer token is never sent by a browser on
 * its own, and plain API clients (the CLI, curl) send neither cookies nor Origin.
 */
export function needsCsrfToken(request: FastifyRequest): boolean {
  if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return false;
  if ((request.headers.authorization ?? '').startsWith('Bearer ')) return false;
  return request.headers.cookie !== undefined || request.headers.origin !== undefined;
}

export async function registerCsrfProtection(
  app: FastifyInstance,
  options: {
    readonly secureCookies: boolean;
    readonly allowlist: () => HostAllowlist;
    readonly exempt: (path: string) => boolean;
  },
): Promise<void> {
  await app.register(fastifyCsrf, {
    cookieKey: CSRF_COOKIE,
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, secure: options.secureCookies },
    // Forms send the field, the page script the header; nothing else counts.
    getToken: (request) => {
      if (isForm(request)) return (request.body as Record<string, string> | undefined)?.[CSRF_FIELD];
      const header = request.headers[CSRF_HEADER];
      return typeof header === 'string' ? header : undefined;
    },
  });

  app.addHook('onRequest', async (request) => {
    if (options.exempt(request.url)) return;
    const origin = request.headers.origin;
    if (origin !== undefined && !options.allowlist().allowsOrigin(origin)) {
      throw new HttpError(
        403,
        'CSRF',
        `cross-site requests are refused (Origin ${JSON.stringify(origin)} is not this server); use the pages of this server`,
      );
    }
  });
  // preValidation: after the body is parsed (a form's `_csrf` field), before anything acts on it.
  app.addHook('preValidation', (request, reply, done) => {
    if (options.exempt(request.url) || !needsCsrfToken(request)) {
      done();
      return;
    }
    app.csrfProtection(request, reply, done);
  });
}
