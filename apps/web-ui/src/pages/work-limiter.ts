/** Refused because the limiter's queue is full: the caller answers 503. */
export class LimiterFullError extends Error {
  constructor() {
    super('too much work is queued');
    this.name = 'LimiterFullError';
  }
}

/**
 * At most `concurrency` tasks at once, the rest wait in order; beyond `maxWaiting` waiting tasks
 * `run` rejects with LimiterFullError at once, so a flood of requests cannot pile up work.
 */
export class WorkLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly concurrency: number,
    readonly maxWaiting: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) throw new LimiterFullError();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter (the count stays), or free it.
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.running -= 1;
    }
  }
}
