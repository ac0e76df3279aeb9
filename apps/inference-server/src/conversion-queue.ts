/**
 * Lets `concurrency` conversions run on the engine at once (1 by default: one GPU, one iw3) and
 * makes the others wait in arrival order, so a burst of requests queues instead of crashing the
 * GPU with out-of-memory errors. Beyond `maxWaiting` waiting requests, callers get BusyError.
 * A request holds its slot from the download to the upload (server.ts), so waiting requests cost
 * neither disk nor network.
 */
import { AbortedError, BusyError } from './errors';

export class ConversionQueue {
  private running = 0;
  private readonly waiting: Array<{ start: () => void; cancel: () => void }> = [];

  constructor(
    readonly concurrency: number,
    readonly maxWaiting: number,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be >= 1');
  }

  get depth(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Runs `task` when a slot is free; a request aborted while waiting leaves the queue. */
  async run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new AbortedError());
    if (this.running < this.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxWaiting) return Promise.reject(new BusyError(this.waiting.length));
    return new Promise<void>((resolve, reject) => {
      const entry = {
        start: () => {
          signal.removeEventListener('abort', entry.cancel);
          this.running += 1;
          resolve();
        },
        cancel: () => {
          const index = this.waiting.indexOf(entry);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(new AbortedError('the request was cancelled while waiting for the engine'));
        },
      };
      signal.addEventListener('abort', entry.cancel, { once: true });
      this.waiting.push(entry);
    });
  }

  private release(): void {
    this.running -= 1;
    this.waiting.shift()?.start();
  }
}
