/**
 * Keeps the task (container) this worker runs in from being stopped by scale-in while it works on
 * a message. Scaling follows the queue depth, and a task busy with the last messages looks idle to
 * it: without protection, scale-in stops it mid-work and the message is redone (and climbs towards
 * its DLQ). On AWS: ECS task scale-in protection. The embedded platform has no scale-in.
 */
export interface TaskProtection {
  /** Protects this task for at most `expiresInMinutes` (a release that never comes ends then). */
  protect(expiresInMinutes: number): Promise<void>;
  /** Lets scale-in stop this task again. */
  release(): Promise<void>;
}
