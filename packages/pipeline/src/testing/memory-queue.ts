import { assertLongPollWait } from '../consumer/consumer';
import { pause } from '../pause';
import type { DeadLetterQueue, Queue, QueueDepth, QueueMessage, ReceiveOptions } from '../ports/queue';

export interface StoredMessage {
  readonly id: string;
  readonly body: string;
  visibleAt: number;
  receiveCount: number;
  /** The current delivery's handle; a new one on every receive. */
  receipt?: string;
}

/** Messages whose receiveCount reached `maxReceiveCount` go to `deadLetter` instead of the next receive. */
export interface MemoryRedrive {
  readonly deadLetter: MemoryDeadLetterQueue;
  readonly maxReceiveCount: number;
}

/** How often a long poll looks again for a visible message. */
const LONG_POLL_STEP_MS = 10;

/**
 * SQS semantics in memory, on the wall clock (the consumer's heartbeat runs on real timers):
 * visibility timeout, receive count, redrive to a DLQ, long polling that an AbortSignal ends, and
 * a visibility change with a handle that is not the current delivery refused as a lost lease.
 * Tests may read `messages`, `visibilityChanges` and `deleted`.
 */
export class MemoryQueue implements Queue {
  readonly messages: StoredMessage[] = [];
  readonly visibilityChanges: { receipt: string; seconds: number }[] = [];
  deleted = 0;
  private messageSeq = 0;
  private receiptSeq = 0;

  constructor(
    readonly name: string,
    readonly visibilityTimeoutSeconds = 30,
    private readonly redrive?: MemoryRedrive,
  ) {}

  async send(body: string): Promise<void> {
    this.enqueue(body);
  }

  protected enqueue(body: string): void {
    this.messageSeq += 1;
    this.messages.push({ id: `m${this.messageSeq}`, body, visibleAt: 0, receiveCount: 0 });
  }

  async receive(options: ReceiveOptions): Promise<QueueMessage[]> {
    assertLongPollWait(options.waitSeconds);
    const deadline = Date.now() + options.waitSeconds * 1000;
    for (;;) {
      const received = this.receiveVisible(options);
      const left = deadline - Date.now();
      if (received.length > 0 || left <= 0 || options.signal?.aborted === true) return received;
      await pause(Math.min(LONG_POLL_STEP_MS, left), options.signal);
    }
  }

  private receiveVisible(options: ReceiveOptions): QueueMessage[] {
    const now = Date.now();
    const out: QueueMessage[] = [];
    for (const m of [...this.messages]) {
      if (out.length >= options.maxMessages) break;
      if (m.visibleAt > now) continue;
      if (this.redrive !== undefined && m.receiveCount >= this.redrive.maxReceiveCount) {
        this.messages.splice(this.messages.indexOf(m), 1);
        this.redrive.deadLetter.enqueue(m.body);
        continue;
      }
      this.receiptSeq += 1;
      m.receiveCount += 1;
      m.receipt = `${this.name}:r${this.receiptSeq}`;
      m.visibleAt = now + (options.visibilityTimeoutSeconds ?? this.visibilityTimeoutSeconds) * 1000;
      out.push({ messageId: m.id, receiptHandle: m.receipt, body: m.body, receiveCount: m.receiveCount });
    }
    return out;
  }

  /** A stale handle (the message was received again since) deletes nothing, as on SQS. */
  async delete(receiptHandle: string): Promise<void> {
    const index = this.messages.findIndex((m) => m.receipt === receiptHandle);
    if (index >= 0) {
      this.messages.splice(index, 1);
      this.deleted += 1;
    }
  }

  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    this.visibilityChanges.push({ receipt: receiptHandle, seconds });
    const m = this.messages.find((x) => x.receipt === receiptHandle);
    if (m === undefined) {
      throw Object.assign(new Error(`${receiptHandle} is not the current delivery of a message on ${this.name}`), {
        leaseLost: true,
      });
    }
    m.visibleAt = Date.now() + seconds * 1000;
  }

  async depth(): Promise<QueueDepth> {
    const now = Date.now();
    return {
      visible: this.messages.filter((m) => m.visibleAt <= now).length,
      inFlight: this.messages.filter((m) => m.visibleAt > now).length,
    };
  }
}

/** A dead-letter queue in memory: a MemoryQueue operators can also peek into, replay from and purge. */
export class MemoryDeadLetterQueue extends MemoryQueue implements DeadLetterQueue {
  async peek(max: number): Promise<QueueMessage[]> {
    // Not a delivery: there is no receipt handle to delete or extend.
    return this.messages
      .slice(0, max)
      .map((m) => ({ messageId: m.id, receiptHandle: '', body: m.body, receiveCount: m.receiveCount }));
  }

  async replay(target: Queue, messageIds?: readonly string[]): Promise<number> {
    const chosen = this.messages.filter((m) => messageIds === undefined || messageIds.includes(m.id));
    for (const m of chosen) {
      await target.send(m.body);
      this.messages.splice(this.messages.indexOf(m), 1);
    }
    return chosen.length;
  }

  async purge(): Promise<number> {
    return this.messages.splice(0).length;
  }
}
