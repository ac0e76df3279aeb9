import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../../src/http';
import { createRequestGuards, DEFAULT_WEB_UI_LIMITS, enforce } from '../../src/security/limits';

describe('request guards', () => {
  it('builds per-client counters from the limits, keyed by the trusted client address', () => {
    // Prepare
    const guards = createRequestGuards({ ...DEFAULT_WEB_UI_LIMITS, jobCreationsPerMinute: 1, trustedProxyHops: 1 });
    const from = (address: string) =>
      ({ socket: { remoteAddress: '10.0.0.2' }, headers: { 'x-forwarded-for': address } }) as unknown as IncomingMessage;

    // Act
    const first = guards.jobCreations.take(guards.clientOf(from('203.0.113.1')));
    const again = guards.jobCreations.take(guards.clientOf(from('203.0.113.1')));
    const other = guards.jobCreations.take(guards.clientOf(from('203.0.113.2')));

    // Assess
    expect([first.allowed, again.allowed, other.allowed]).toEqual([true, false, true]);
  });

  it('enforce throws 429 with Retry-After and the reason in words', () => {
    // Prepare
    const headers: Record<string, string> = {};
    const res = { setHeader: (name: string, value: string) => (headers[name] = value) } as unknown as ServerResponse;

    // Act
    const refusal = (() => {
      try {
        enforce(res, { allowed: false, retryAfterSeconds: 42 }, 'too many new jobs from this client');
      } catch (error) {
        return error;
      }
      return undefined;
    })();

    // Assess
    expect(refusal).toBeInstanceOf(HttpError);
    expect(refusal).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS', message: 'too many new jobs from this client; try again in 42 s' });
    expect(headers).toEqual({ 'Retry-After': '42' });
    expect(() => enforce(res, { allowed: true }, 'unused')).not.toThrow();
  });
});
