/**
 * The sign-in session: a cookie that proves the browser knew WEB_UI_AUTH_TOKEN, without being
 * the token. Its value is `v1.<expires-at-ms>`, signed by @fastify/cookie (HMAC-SHA256, appended
 * as `.<signature>`) with a key derived (HKDF) from the token, so a stolen cookie expires on its
 * own, reveals nothing that opens the API for longer, and changing the token ends every session.
 */
import { hkdfSync } from 'node:crypto';

export const SESSION_COOKIE = 'stereo_spot_auth';
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const VERSION = 'v1';

/** The key @fastify/cookie signs the session with: derived from the token, never the token. */
export function sessionSigningKey(authToken: string): Buffer {
  return Buffer.from(hkdfSync('sha256', authToken, 'stereo-spot', 'web-ui session cookie v1', 32));
}

/** The (unsigned) value of a session valid until `now + ttlMs`, and its Max-Age. */
export function sessionValue(now: number, ttlMs = DEFAULT_SESSION_TTL_MS): { value: string; maxAgeSeconds: number } {
  return { value: `${VERSION}.${now + ttlMs}`, maxAgeSeconds: Math.floor(ttlMs / 1000) };
}

/** Whether an already signature-checked value is a session that has not expired at `now`. */
export function sessionValid(value: string | undefined, now: number): boolean {
  const match = /^v1\.(\d{1,16})$/.exec(value ?? '');
  return match !== null && now < Number(match[1]);
}
