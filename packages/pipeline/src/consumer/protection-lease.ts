import type { Logger } from '@stereo-spot/logging';
import { describeError } from '../errors';
import type { TaskProtection } from '../ports/task-protection';

/**
 * One process-wide hold on the task's scale-in protection, shared by every consumer loop of the
 * process: each message being worked on holds it; the protection is (re)requested whenever a
 * message starts and given up when the last one is settled. Protection is a safeguard, never a
 * reason to stop work: a failed call is logged and the message is worked on anyway.
 */
export interface ProtectionLease {
  acquire(): Promise<void>;
  release(): Promise<void>;
}

export interface ProtectionLeaseOptions {
  readonly logger: Logger;
  /** Upper bound of one protection; a new message renews it. */
  readonly expiresInMinutes: number;
}

/** Longer than the longest unit of work (a video-worker waits up to 65 minutes for the GPU). */
export const DEFAULT_PROTECTION_MINUTES = 120;

export function createProtectionLease(
  protection: TaskProtection,
  options: ProtectionLeaseOptions,
): ProtectionLease {
  let holders = 0;
  // Calls go out one at a time, in order: a release never overtakes the protect before it.
  let last: Promise<void> = Promise.resolve();
  const enqueue = (what: string, call: () => Promise<void>) => {
    last = last.then(call).catch((error: unknown) => {
      options.logger.warn(
        { err: error },
        `task scale-in protection: ${what} failed: ${describeError(error)}`,
      );
    });
    return last;
  };
  return {
    acquire() {
      holders += 1;
      return enqueue('protect', () => protection.protect(options.expiresInMinutes));
    },
    release() {
      holders = Math.max(0, holders - 1);
      return enqueue('release', async () => {
        // Another message may have started while this call waited its turn.
        if (holders === 0) await protection.release();
      });
    },
  };
}
