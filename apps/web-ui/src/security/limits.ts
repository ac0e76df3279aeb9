/**
 * The web UI's per-client limits and timeouts, with their defaults (the README's configuration
 * table names the variables that set them). @fastify/rate-limit enforces the per-minute ones,
 * Fastify's `trustProxy` reads the client address behind `trustedProxyHops` proxies.
 */
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
  /**
   * Reverse proxies in front whose X-Forwarded-For is trusted (WEB_UI_TRUSTED_PROXY_HOPS): the
   * client is the address the outermost trusted proxy saw (Fastify's `trustProxy: n`).
   */
  readonly trustedProxyHops: number;
}

export const DEFAULT_WEB_UI_LIMITS: WebUiLimits = {
  jobCreationsPerMinute: 30,
  loginFailuresPerMinute: 5,
  maxEventStreams: 200,
  maxEventStreamsPerClient: 20,
  uploadIdleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 72_000,
  requestTimeoutMs: 300_000,
  sessionTtlMs: DEFAULT_SESSION_TTL_MS,
  trustedProxyHops: 0,
};
