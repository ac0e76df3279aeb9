export interface QueueMessage {
  readonly messageId: string;
  /** Changes on every receive; needed to delete or extend this delivery. */
  readonly receiptHandle: string;
  readonly body: string;
  /** How many times the message has been received, this delivery included. */
  readonly receiveCount: number;
}

export interface ReceiveOptions {
  readonly maxMessages: number;
  /** Long-poll wait, 0–20 s. */
  readonly waitSeconds: number;
  /** Overrides the queue's default visibility timeout for this receive. */
  readonly visibilityTimeoutSeconds?: number;
  readonly signal?: AbortSignal;
}

export interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
}

/** SQS semantics: at-least-once delivery, visibility timeout, redrive to a DLQ after maxReceiveCount. */
export interface Queue {
  readonly name: string;
  /** The queue's default visibility timeout (the heartbeat extends by this much). */
  readonly visibilityTimeoutSeconds: number;
  send(body: string): Promise<void>;
  receive(options: ReceiveOptions): Promise<QueueMessage[]>;
  delete(receiptHandle: string): Promise<void>;
  /**
   * Seconds from now until the message becomes visible again (0 releases it at once). Throws an
   * error marked `leaseLost: true` when the handle is not the message's current delivery.
   */
  changeVisibility(receiptHandle: string, seconds: number): Promise<void>;
  depth(): Promise<QueueDepth>;
}

/** Operator access to a dead-letter queue. */
export interface DeadLetterQueue extends Queue {
  /** Returns up to `max` messages without consuming them (they stay in the DLQ). */
  peek(max: number): Promise<QueueMessage[]>;
  /** Moves messages back to the source queue; all when `messageIds` is omitted. Returns the count. */
  replay(target: Queue, messageIds?: readonly string[]): Promise<number>;
  /** Deletes every message; returns how many were removed where the platform can tell, else -1. */
  purge(): Promise<number>;
}

export const QUEUE_ROLES = ['chunking', 'video-worker', 'reassembly'] as const;
export type QueueRole = (typeof QUEUE_ROLES)[number];

export interface QueuePair {
  readonly queue: Queue;
  readonly deadLetter: DeadLetterQueue;
}

export type PipelineQueues = Readonly<Record<QueueRole, QueuePair>>;
