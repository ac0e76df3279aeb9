/**
 * The web UI's per-client limits and timeouts, with their defaults (the README's configuration
 * table names the variables that set them), and the guards built from them for one server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../http';
import { clientKey, ConcurrencyLimit, RateLimiter, type RateDecision } from './rate-limit';
import { DEFAULT_SESSION_TTL_MS } from './session-cookie';

export interface WebUiLimits {
  /** `POST /api/jobs` per client per minute (WEB_UI_JOB_CREATIONS_PER_MINUTE). */
  readonly jobCreationsPerMinute: number;
  /** Wrong tokens (sign-in form or bearer) per client per minute before 429 (WEB_UI_LOGIN_FAILURES_PER_MINUTE). */
  readonly loginFailuresPerMinute: number;
  /** Open SSE streams in total (WEB_UI_MAX_EVENT_STREAMS). */
  readonly maxEventStreams: number;
  /** Open SSE streams per client (WEB_UI_MAX_EVENT_STREAMS_PER_CLIENT). */
  readonly maxEventStreamsPerClient: number;
  /** An upload fails after this long without a byte (UPLOAD_IDLE_TIMEOUT_SECONDS). */
  readonly uploadIdleTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (HTTP_KEEP_ALIVE_TIMEOUT_SECONDS). */
  readonly keepAliveTimeoutMs: number;
  /** Any other request must be received within this. */
  readonly requestTimeoutMs: number;
  /** How long a sign-in lasts. */
  readonly sessionTtlMs: number;
  /** Reverse proxies in front whose X-Forwarded-For is trusted (WEB_UI_TRUSTED_PROXY_HOPS). */
  readonly trustedProxyHops: number;
}

export const DEFAULT_WEB_UI_LIMITS: WebUiLimits = {
  jobCreationsPerMinute: 30,
  loginFailuresPerMinute: 5,
  maxEventStreams: 200,
  maxEventStreamsPerClient: 20,
  uploadIdleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 65_000,
  requestTimeoutMs: 300_000,
  sessionTtlMs: DEFAULT_SESSION_TTL_MS,
  trustedProxyHops: 0,
};

/** The counters one server shares between its routes. */
export interface RequestGuards {
  clientOf(req: IncomingMessage): string;
  readonly jobCreations: RateLimiter;
  readonly loginFailures: RateLimiter;
  readonly eventStreams: ConcurrencyLimit;
}

export function createRequestGuards(limits: WebUiLimits): RequestGuards {
  const minute = { windowMs: 60_000 };
  return {
    clientOf: (req) => clientKey(req, limits.trustedProxyHops),
    jobCreations: new RateLimiter({ ...minute, limit: limits.jobCreationsPerMinute }),
    loginFailures: new RateLimiter({ ...minute, limit: limits.loginFailuresPerMinute }),
    eventStreams: new ConcurrencyLimit(limits.maxEventStreams, limits.maxEventStreamsPerClient),
  };
}

/** Throws 429 with Retry-After when `decision` refuses; `what` says what was refused, in words. */
export function enforce(res: ServerResponse, decision: RateDecision, what: string): void {
  if (decision.allowed) return;
  res.setHeader('Retry-After', String(decision.retryAfterSeconds));
  throw new HttpError(429, 'TOO_MANY_REQUESTS', `${what}; try again in ${decision.retryAfterSeconds} s`);
}
