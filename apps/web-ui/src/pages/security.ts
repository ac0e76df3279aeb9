import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SESSION_COOKIE } from '../security/session-cookie';

export const CSRF_COOKIE = 'stereo_spot_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

export function readCookies(req: IncomingMessage): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim();
    try {
      cookies[name] = decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      // A cookie we did not set; ignore it.
    }
  }
  return cookies;
}

export function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Responses served under an https PUBLIC_BASE_URL: their cookies are `Secure`. */
const secureResponses = new WeakSet<ServerResponse>();

export function useSecureCookies(res: ServerResponse): void {
  secureResponses.add(res);
}

function cookie(res: ServerResponse, name: string, value: string, extra = ''): string {
  const secure = secureResponses.has(res) ? '; Secure' : '';
  return `${name}=${encodeURIComponent(value)}; Path=/; SameSite=Strict; HttpOnly${secure}${extra}`;
}

/** The double-submit CSRF token of this browser: read from its cookie, or made and set now. */
export function csrfToken(req: IncomingMessage, res: ServerResponse): string {
  const existing = readCookies(req)[CSRF_COOKIE];
  if (existing !== undefined && /^[0-9a-f]{64}$/.test(existing)) return existing;
  const token = randomBytes(32).toString('hex');
  appendCookie(res, cookie(res, CSRF_COOKIE, token));
  return token;
}

/** The signed, expiring sign-in session (security/session-cookie.ts), never the token itself. */
export function setSessionCookie(res: ServerResponse, session: { value: string; maxAgeSeconds: number }): void {
  appendCookie(res, cookie(res, SESSION_COOKIE, session.value, `; Max-Age=${session.maxAgeSeconds}`));
}

function appendCookie(res: ServerResponse, value: string): void {
  const current = res.getHeader('Set-Cookie');
  const list = Array.isArray(current) ? current : current === undefined ? [] : [String(current)];
  res.setHeader('Set-Cookie', [...list, value]);
}

/** Does the request's token (header or form field) match the browser's CSRF cookie? */
export function csrfTokenMatches(req: IncomingMessage, given: string | undefined): boolean {
  const expected = readCookies(req)[CSRF_COOKIE];
  return expected !== undefined && given !== undefined && sameSecret(given, expected);
}

/**
 * A state-changing request needs the CSRF token when a browser may have sent it on someone
 * else's behalf: it carries cookies or an Origin. A bearer token is never sent by a browser on
 * its own, and plain API clients (the CLI, curl) send neither cookies nor Origin.
 */
export function needsCsrfToken(req: IncomingMessage): boolean {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method ?? 'GET')) return false;
  if ((req.headers.authorization ?? '').startsWith('Bearer ')) return false;
  return req.headers.cookie !== undefined || req.headers.origin !== undefined;
}

/** Security headers of every page and API answer. */
export function setSecurityHeaders(res: ServerResponse, extraOrigins: readonly string[]): void {
  const others = extraOrigins.length > 0 ? ` ${extraOrigins.join(' ')}` : '';
  res.setHeader(
    'Content-Security-Policy',
    [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      `img-src 'self' data: blob:${others}`,
      `media-src 'self' blob:${others}`,
      `connect-src 'self'${others}`,
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on form posts.
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('X-Frame-Options', 'DENY');
}
