/**
 * Access control when WEB_UI_AUTH_TOKEN is set: API clients send `Authorization: Bearer <token>`,
 * browsers sign in once and carry the signed session cookie (session-cookie.ts). Wrong tokens,
 * from the sign-in form or a bearer header, are counted per client by @fastify/rate-limit; past
 * the limit the client gets 429 before its token is even compared, the right one included.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../http';
import { SESSION_COOKIE, sessionValid } from './session-cookie';

/** Failed sign-ins of one client: refuse once too many, count another. */
export interface FailureThrottle {
  /** Throws 429 (with Retry-After) when the client has had too many failures; counts nothing. */
  refuseIfThrottled(request: FastifyRequest, reply: FastifyReply, what: string): Promise<void>;
  recordFailure(request: FastifyRequest): Promise<void>;
}

export function createFailureThrottle(app: FastifyInstance, failuresPerMinute: number): FailureThrottle {
  const limiter = app.createRateLimit({
    max: failuresPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => request.ip,
  });
  return {
    async refuseIfThrottled(request, reply, what) {
      const status = await limiter(request, { increment: false });
      if (status.isAllowed || status.remaining > 0) return;
      const seconds = Math.max(1, status.ttlInSeconds);
      reply.header('retry-after', String(seconds));
      throw new HttpError(429, 'TOO_MANY_REQUESTS', `${what}; try again in ${seconds} s`);
    },
    async recordFailure(request) {
      await limiter(request);
    },
  };
}

export function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface AccessControlOptions {
  readonly token: string;
  readonly failures: FailureThrottle;
  /** Paths anyone may reach (health, sign-in, static files, presigned URLs). */
  readonly isOpen: (path: string) => boolean;
}

/** The onRequest hook that admits the bearer token or a valid session, and sends the rest away. */
export function registerAccessControl(app: FastifyInstance, options: AccessControlOptions): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '/';
    if (options.isOpen(path)) return;
    const header = request.headers.authorization ?? '';
    if (header.startsWith('Bearer ')) {
      await options.failures.refuseIfThrottled(
        request,
        reply,
        'too many wrong access tokens from this client',
      );
      if (sameSecret(header.slice(7), options.token)) return;
      await options.failures.recordFailure(request);
    } else {
      const cookie = request.cookies[SESSION_COOKIE];
      const unsigned = cookie === undefined ? undefined : request.unsignCookie(cookie);
      if (unsigned?.valid === true && sessionValid(unsigned.value ?? undefined, Date.now())) return;
    }
    const isPage = !path.startsWith('/api/') && path !== '/healthz';
    if (isPage && (request.method === 'GET' || request.method === 'HEAD')) {
      await reply
        .code(303)
        .header('location', `/login?next=${encodeURIComponent(request.url)}`)
        .send();
      return reply;
    }
    reply.header('www-authenticate', 'Bearer');
    throw new HttpError(
      401,
      'UNAUTHORIZED',
      'this server needs an access token (Authorization: Bearer <token>, or sign in on /login)',
    );
  });
}
