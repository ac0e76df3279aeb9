/**
 * In-process wake-ups for long polls: a send wakes receivers waiting in the same process at once.
 * Receivers in other processes find the message on their next poll of the database.
 */
type Waiter = () => void;

const waitersByQueue = new Map<string, Set<Waiter>>();

function keyOf(databasePath: string, queueName: string): string {
  return `${databasePath}\u0000${queueName}`;
}

export function wakeReceivers(databasePath: string, queueName: string): void {
  const waiters = waitersByQueue.get(keyOf(databasePath, queueName));
  if (waiters === undefined) return;
  for (const wake of [...waiters]) wake();
}

/**
 * Resolves after `ms`, on a send to the queue in this process, or when `signal` aborts, whichever
 * comes first.
 */
export function waitForSendOrTimeout(
  databasePath: string,
  queueName: string,
  ms: number,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve) => {
    const key = keyOf(databasePath, queueName);
    let waiters = waitersByQueue.get(key);
    if (waiters === undefined) {
      waiters = new Set();
      waitersByQueue.set(key, waiters);
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      waiters.delete(done);
      if (waiters.size === 0 && waitersByQueue.get(key) === waiters) waitersByQueue.delete(key);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
    waiters.add(done);
    if (signal.aborted) done();
  });
}
