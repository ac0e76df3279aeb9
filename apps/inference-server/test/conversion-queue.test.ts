import { ConversionQueue } from '../src/conversion-queue';
import { AbortedError, BusyError } from '../src/errors';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ConversionQueue', () => {
  it('runs one task at a time, in arrival order', async () => {
    // Prepare
    const queue = new ConversionQueue(1, 10);
    const order: string[] = [];
    const first = deferred();
    const signal = new AbortController().signal;
    // Act
    const a = queue.run(async () => {
      order.push('a start');
      await first.promise;
      order.push('a end');
    }, signal);
    const b = queue.run(async () => void order.push('b'), signal);
    const c = queue.run(async () => void order.push('c'), signal);
    await Promise.resolve();
    expect(queue.depth).toEqual({ running: 1, waiting: 2 });
    first.resolve();
    await Promise.all([a, b, c]);
    // Assess
    expect(order).toEqual(['a start', 'a end', 'b', 'c']);
    expect(queue.depth).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses beyond the waiting limit with BusyError', async () => {
    const queue = new ConversionQueue(1, 1);
    const gate = deferred();
    const signal = new AbortController().signal;
    const running = queue.run(() => gate.promise, signal);
    const waiting = queue.run(async () => 'ran', signal);
    await expect(queue.run(async () => 'never', signal)).rejects.toBeInstanceOf(BusyError);
    gate.resolve();
    await running;
    await expect(waiting).resolves.toBe('ran');
  });

  it('lets a cancelled request leave the line without running', async () => {
    const queue = new ConversionQueue(1, 5);
    const gate = deferred();
    const controller = new AbortController();
    const running = queue.run(() => gate.promise, new AbortController().signal);
    let ran = false;
    const cancelled = queue.run(async () => void (ran = true), controller.signal);
    controller.abort();
    await expect(cancelled).rejects.toBeInstanceOf(AbortedError);
    expect(queue.depth.waiting).toBe(0);
    gate.resolve();
    await running;
    expect(ran).toBe(false);
  });

  it('releases the slot when a task fails', async () => {
    const queue = new ConversionQueue(1, 5);
    const signal = new AbortController().signal;
    await expect(queue.run(async () => Promise.reject(new Error('boom')), signal)).rejects.toThrow('boom');
    await expect(queue.run(async () => 'next', signal)).resolves.toBe('next');
  });
});
