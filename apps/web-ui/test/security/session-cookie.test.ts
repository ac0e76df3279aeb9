import Fastify from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { sessionSigningKey, sessionValid, sessionValue } from '../../src/security/session-cookie';

describe('session cookie', () => {
  const NOW = 1_800_000_000_000;
  const HOUR = 3_600_000;

  it('is valid until it expires, and never contains the token', () => {
    // Act
    const session = sessionValue(NOW, HOUR);

    // Assess
    expect(session).toEqual({ value: `v1.${NOW + HOUR}`, maxAgeSeconds: 3600 });
    expect(sessionValid(session.value, NOW + HOUR - 1)).toBe(true);
    expect(sessionValid(session.value, NOW + HOUR)).toBe(false);
    expect(sessionValid('correct-horse-battery-staple', NOW)).toBe(false);
    expect(sessionValid(undefined, NOW)).toBe(false);
  });

  it("signed by @fastify/cookie with the derived key: an altered expiry or another token's session fails the signature", async () => {
    // Prepare
    const app = Fastify();
    await app.register(fastifyCookie, { secret: sessionSigningKey('correct-horse-battery-staple') });
    await app.ready();
    const other = Fastify();
    await other.register(fastifyCookie, { secret: sessionSigningKey('another-token-entirely') });
    await other.ready();

    // Act
    const signed = app.signCookie(sessionValue(NOW, HOUR).value);
    const [version, expiresAt, mac] = signed.split('.');
    const extended = `${version}.${Number(expiresAt) + 10 * HOUR}.${mac}`;

    // Assess
    expect(signed).not.toContain('correct-horse');
    expect(app.unsignCookie(signed)).toMatchObject({ valid: true, value: `v1.${NOW + HOUR}` });
    expect(app.unsignCookie(extended).valid).toBe(false);
    expect(app.unsignCookie(other.signCookie(sessionValue(NOW, HOUR).value)).valid).toBe(false);
    await Promise.all([app.close(), other.close()]);
  });
});
