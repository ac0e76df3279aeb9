/**
 * The settings of the pipeline's three SQS queues. packages/aws-infra creates the queues with them,
 * the emulator provisioning (packages/aws-adapters) creates the same queues on moto_server, and the
 * embedded platform (packages/local-adapters) uses the visibility timeouts as its defaults.
 */

export interface QueueSettings {
  /** Longer than one unit of work, so a message is not redelivered while a worker still holds it
   * (the workers' heartbeat extends it for longer work). */
  readonly visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
}

/** Per queue, keyed by the queue's name (the pipeline's `QueueRole`). */
export const QUEUE_SETTINGS = {
  chunking: { visibilityTimeoutSeconds: 900, maxReceiveCount: 3 },
  /** GPU conversion is the step most likely to fail transiently (throttling, endpoint scaling). */
  'video-worker': { visibilityTimeoutSeconds: 1800, maxReceiveCount: 5 },
  reassembly: { visibilityTimeoutSeconds: 600, maxReceiveCount: 3 },
} as const satisfies Readonly<Record<string, QueueSettings>>;

/** Main queues keep messages 4 days; DLQs 14 days (the maximum), so operators have time to replay. */
export const QUEUE_RETENTION_SECONDS = 4 * 24 * 3600;
export const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;

/** A receive that names no wait long-polls this long (the SQS maximum): idle workers cost nothing. */
export const QUEUE_RECEIVE_WAIT_SECONDS = 20;
