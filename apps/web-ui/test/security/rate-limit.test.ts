import type { IncomingMessage } from 'node:http';
import { clientKey, ConcurrencyLimit, RateLimiter } from '../../src/security/rate-limit';

describe('RateLimiter', () => {
  it('allows `limit` events per window and key, then says when to retry', () => {
    // Prepare
    let now = 0;
    const limiter = new RateLimiter({ limit: 2, windowMs: 60_000, now: () => now });

    // Act
    const first = [limiter.take('a'), limiter.take('a')];
    now = 15_000;
    const third = limiter.take('a');
    const other = limiter.take('b');
    now = 60_001;
    const later = limiter.take('a');

    // Assess
    expect(first).toEqual([{ allowed: true }, { allowed: true }]);
    expect(third).toEqual({ allowed: false, retryAfterSeconds: 45 });
    expect(other).toEqual({ allowed: true });
    expect(later).toEqual({ allowed: true });
  });

  it('counts only what is recorded (failed sign-ins), and forgets the oldest keys past maxKeys', () => {
    // Prepare
    const limiter = new RateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 2, now: () => 0 });

    // Act
    const beforeFailure = limiter.check('a');
    limiter.record('a');
    const afterFailure = limiter.check('a');
    limiter.record('b');
    limiter.record('c');

    // Assess
    expect(beforeFailure.allowed).toBe(true);
    expect(afterFailure.allowed).toBe(false);
    expect(limiter.check('a').allowed).toBe(true);
    expect(limiter.check('c').allowed).toBe(false);
  });
});

describe('ConcurrencyLimit', () => {
  it('caps per key and in total, and frees a slot once on release', () => {
    // Prepare
    const limit = new ConcurrencyLimit(2, 1);

    // Act
    const a = limit.acquire('a');
    const secondA = limit.acquire('a');
    const b = limit.acquire('b');
    const c = limit.acquire('c');
    if (a.acquired) {
      a.release();
      a.release();
    }
    const cAgain = limit.acquire('c');

    // Assess
    expect(secondA).toEqual({ acquired: false, reason: 'client' });
    expect(b.acquired).toBe(true);
    expect(c).toEqual({ acquired: false, reason: 'total' });
    expect(cAgain.acquired).toBe(true);
    expect(limit.open).toBe(2);
  });
});

describe('clientKey', () => {
  const request = (forwardedFor?: string) =>
    ({ socket: { remoteAddress: '10.0.0.9' }, headers: forwardedFor !== undefined ? { 'x-forwarded-for': forwardedFor } : {} }) as unknown as IncomingMessage;

  it('uses the peer address unless proxies are trusted, then the entry the outermost trusted proxy added', () => {
    expect(clientKey(request('6.6.6.6'), 0)).toBe('10.0.0.9');
    expect(clientKey(request('6.6.6.6, 203.0.113.7'), 1)).toBe('203.0.113.7');
    expect(clientKey(request('6.6.6.6, 203.0.113.7, 10.1.1.1'), 2)).toBe('203.0.113.7');
    expect(clientKey(request(), 1)).toBe('10.0.0.9');
  });
});
