/**
 * The sign-in session: a cookie that proves the browser knew WEB_UI_AUTH_TOKEN, without being
 * the token. Its value is `v1.<expires-at-ms>.<HMAC-SHA256>`, keyed with a key derived (HKDF) from
 * the token, so a stolen cookie expires on its own, reveals nothing that opens the API for
 * longer, and changing the token ends every session.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'stereo_spot_auth';
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const VERSION = 'v1';

export interface SessionSigner {
  /** A fresh cookie value valid until `now + ttlMs`. */
  issue(now: number): { readonly value: string; readonly maxAgeSeconds: number };
  /** Whether `value` was issued by this signer and has not expired at `now`. */
  verify(value: string | undefined, now: number): boolean;
}

export function createSessionSigner(authToken: string, ttlMs = DEFAULT_SESSION_TTL_MS): SessionSigner {
  const key = Buffer.from(hkdfSync('sha256', authToken, 'stereo-spot', 'web-ui session cookie v1', 32));
  const mac = (expiresAt: number) => createHmac('sha256', key).update(`${VERSION}.${expiresAt}`).digest('base64url');
  return {
    issue(now) {
      const expiresAt = now + ttlMs;
      return { value: `${VERSION}.${expiresAt}.${mac(expiresAt)}`, maxAgeSeconds: Math.floor(ttlMs / 1000) };
    },
    verify(value, now) {
      const match = /^v1\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
      if (match === null) return false;
      const expiresAt = Number(match[1]);
      const given = Buffer.from(match[2] ?? '');
      const expected = Buffer.from(mac(expiresAt));
      return given.length === expected.length && timingSafeEqual(given, expected) && now < expiresAt;
    },
  };
}
