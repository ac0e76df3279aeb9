/**
 * A cap on things held open at once (SSE progress streams): in total and per client. Rate limits
 * (job creation, sign-in failures) are @fastify/rate-limit's; no plugin caps open streams.
 */
export type SlotDecision =
  | { readonly acquired: true; release(): void }
  | { readonly acquired: false; readonly reason: 'total' | 'client' };

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
