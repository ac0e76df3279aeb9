/**
 * Per-client counters in memory (one web-ui process; behind several replicas each counts on its
 * own, which still bounds a client). A sliding window of event times per key, with the number of
 * keys capped so a flood of addresses cannot grow the map without bound.
 */
import type { IncomingMessage } from 'node:http';

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export interface RateLimiterOptions {
  /** Events allowed per key within `windowMs`. */
  readonly limit: number;
  readonly windowMs: number;
  readonly now?: () => number;
  /** Keys remembered at most; the least recently seen are forgotten first. Default 10 000. */
  readonly maxKeys?: number;
}

export class RateLimiter {
  private readonly events = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(private readonly options: RateLimiterOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Whether one more event from `key` is allowed now (without counting it). */
  check(key: string): RateDecision {
    const recent = this.recent(key);
    if (recent.length < this.options.limit) return { allowed: true };
    const oldest = recent[0] ?? this.now();
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + this.options.windowMs - this.now()) / 1000)) };
  }

  /** Counts one event from `key`. */
  record(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    this.events.delete(key);
    this.events.set(key, recent);
    while (this.events.size > (this.options.maxKeys ?? 10_000)) {
      this.events.delete(this.events.keys().next().value as string);
    }
  }

  /** `check`, and when allowed, `record`. */
  take(key: string): RateDecision {
    const decision = this.check(key);
    if (decision.allowed) this.record(key);
    return decision;
  }

  private recent(key: string): number[] {
    const since = this.now() - this.options.windowMs;
    return (this.events.get(key) ?? []).filter((at) => at > since);
  }
}

export type SlotDecision =
  | { readonly acquired: true; release(): void }
  | { readonly acquired: false; readonly reason: 'total' | 'client' };

/** A cap on things held open at once (SSE streams): in total and per client. */
export class ConcurrencyLimit {
  private total = 0;
  private readonly perKey = new Map<string, number>();

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerKey: number,
  ) {}

  acquire(key: string): SlotDecision {
    const held = this.perKey.get(key) ?? 0;
    if (this.total >= this.maxTotal) return { acquired: false, reason: 'total' };
    if (held >= this.maxPerKey) return { acquired: false, reason: 'client' };
    this.total += 1;
    this.perKey.set(key, held + 1);
    let released = false;
    return {
      acquired: true,
      release: () => {
        if (released) return;
        released = true;
        this.total -= 1;
        const left = (this.perKey.get(key) ?? 1) - 1;
        if (left <= 0) this.perKey.delete(key);
        else this.perKey.set(key, left);
      },
    };
  }

  get open(): number {
    return this.total;
  }
}

/**
 * Who is asking: the peer address, or with `trustedProxyHops` = n > 0 (the server sits behind n
 * reverse proxies, e.g. 1 behind a load balancer) the address the outermost trusted proxy saw,
 * read from the right end of X-Forwarded-For (entries further left are the client's to forge).
 */
export function clientKey(req: IncomingMessage, trustedProxyHops = 0): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedProxyHops <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return forwarded[forwarded.length - trustedProxyHops] ?? forwarded[0] ?? peer;
}
