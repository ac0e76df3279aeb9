/**
 * The Queue / DeadLetterQueue contract: SQS semantics every platform's queues must show.
 * Keep the queue's visibility timeout at 1 s so the suite stays fast.
 */
import type { DeadLetterQueue, Queue, QueueMessage } from '@stereo-spot/pipeline';
import { useFreshFixture, type ContractFixture, type FixtureFactory } from './fixture';

export interface QueueContractFixture extends ContractFixture {
  /** A fresh, empty queue with a 1 s visibility timeout, redriven to `deadLetter`. */
  readonly queue: Queue;
  /** Its fresh, empty dead-letter queue. */
  readonly deadLetter: DeadLetterQueue;
  /** The redrive policy's maxReceiveCount. */
  readonly maxReceiveCount: number;
}

export interface QueueContractOptions {
  /**
   * Known deviations of an emulator from the service it imitates. Each one replaces the test of
   * the real behaviour with a test that the deviation still exists, so its fix is noticed.
   */
  readonly deviations?: {
    /** moto_server deletes a message with ANY receipt handle it ever had; SQS ignores stale ones. */
    readonly staleReceiptHandleDeletes?: boolean;
  };
}

/** Receives until `count` messages arrived (SQS may return fewer than asked per call). */
async function receiveAll(queue: Queue, count: number, waitSeconds = 2): Promise<QueueMessage[]> {
  const received: QueueMessage[] = [];
  for (let attempt = 0; attempt < count * 3 + 3 && received.length < count; attempt++) {
    received.push(...(await queue.receive({ maxMessages: Math.min(10, count - received.length), waitSeconds })));
  }
  return received;
}

async function receiveOne(queue: Queue, waitSeconds = 2): Promise<QueueMessage> {
  const [message] = await receiveAll(queue, 1, waitSeconds);
  if (message === undefined) throw new Error(`no message arrived on ${queue.name} within ${waitSeconds} s`);
  return message;
}

async function drainBodies(queue: DeadLetterQueue): Promise<string[]> {
  return (await queue.peek(10)).map((message) => message.body).sort();
}

export function describeQueueContract(
  name: string,
  makeFixture: FixtureFactory<QueueContractFixture>,
  options: QueueContractOptions = {},
): void {
  describe(`Queue contract: ${name}`, () => {
    const fixture = useFreshFixture(makeFixture);

    it('delivers a sent message once with its body, an id, a receipt handle and receiveCount 1', async () => {
      // Prepare
      const { queue } = fixture();
      await queue.send('{"hello":"world"}');
      // Act
      const message = await receiveOne(queue);
      // Assess
      expect(message.body).toBe('{"hello":"world"}');
      expect(message.messageId).toEqual(expect.any(String));
      expect(message.receiptHandle).not.toBe('');
      expect(message.receiveCount).toBe(1);
    });

    it('hides a received message while it is in flight and counts it as in flight', async () => {
      // Prepare
      const { queue } = fixture();
      await queue.send('a');
      await receiveOne(queue);
      // Act
      const again = await queue.receive({ maxMessages: 10, waitSeconds: 0 });
      const depth = await queue.depth();
      // Assess
      expect(again).toEqual([]);
      expect(depth).toEqual({ visible: 0, inFlight: 1 });
    });

    it('delete removes the message for good', async () => {
      // Prepare
      const { queue } = fixture();
      await queue.send('to delete');
      const message = await receiveOne(queue);
      // Act
      await queue.delete(message.receiptHandle);
      // Assess
      expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0 });
      expect(await queue.receive({ maxMessages: 10, waitSeconds: 1 })).toEqual([]);
    });

    it('redelivers after the visibility timeout with receiveCount 2 and a new receipt handle', async () => {
      // Prepare
      const { queue } = fixture();
      await queue.send('comes back');
      const first = await receiveOne(queue);
      // Act: the long poll returns once the 1 s visibility timeout has passed
      const second = await receiveOne(queue, 5);
      // Assess
      expect(second.messageId).toBe(first.messageId);
      expect(second.body).toBe('comes back');
      expect(second.receiveCount).toBe(2);
      expect(second.receiptHandle).not.toBe(first.receiptHandle);
    });

    it('changeVisibility(0) releases the message at once', async () => {
      // Prepare
      const { queue } = fixture();
      await queue.send('release me');
      const first = await receiveOne(queue);
      // Act
      await queue.changeVisibility(first.receiptHandle, 0);
      const again = await queue.receive({ maxMessages: 1, waitSeconds: 0 });
      // Assess
      expect(again.map((message) => message.messageId)).toEqual([first.messageId]);
    });

    it('changeVisibility extends the time a message stays hidden (the heartbeat)', async () => {
      // Prepare
      const { queue } = fixture();
      await queue.send('keep me');
      const message = await receiveOne(queue);
      // Act: extend well past the 1 s default, then wait longer than the default
      await queue.changeVisibility(message.receiptHandle, 30);
      const during = await queue.receive({ maxMessages: 1, waitSeconds: 2 });
      // Assess
      expect(during).toEqual([]);
      expect(await queue.depth()).toEqual({ visible: 0, inFlight: 1 });
    });

    it('a receive overrides the visibility timeout when asked', async () => {
      // Prepare
      const { queue } = fixture();
      await queue.send('longer');
      await queue.receive({ maxMessages: 1, waitSeconds: 2, visibilityTimeoutSeconds: 30 });
      // Act
      const later = await queue.receive({ maxMessages: 1, waitSeconds: 2 });
      // Assess
      expect(later).toEqual([]);
    });

    it('a long poll returns a message sent while it waits', async () => {
      // Prepare
      const { queue } = fixture();
      const polling = queue.receive({ maxMessages: 1, waitSeconds: 10 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Act
      await queue.send('late');
      const messages = await polling;
      // Assess
      expect(messages.map((message) => message.body)).toEqual(['late']);
    });

    it('a long poll on an empty queue ends empty after the wait', async () => {
      // Prepare
      const { queue } = fixture();
      // Act
      const messages = await queue.receive({ maxMessages: 1, waitSeconds: 1 });
      // Assess
      expect(messages).toEqual([]);
    });

    it('an aborted long poll settles without waiting for the whole wait', async () => {
      // Prepare
      const { queue } = fixture();
      const controller = new AbortController();
      const polling = queue.receive({ maxMessages: 1, waitSeconds: 20, signal: controller.signal });
      // Act
      setTimeout(() => controller.abort(), 100);
      const outcome = await polling.then(
        (messages) => ({ messages }),
        (error: unknown) => ({ error }),
      );
      // Assess: resolved empty, or rejected as aborted (both settle long before 20 s; Jest's
      // default 5 s timeout fails the test otherwise)
      expect('messages' in outcome ? outcome.messages : []).toEqual([]);
    });

    it('delivers every message of a batch exactly once while they are in flight', async () => {
      // Prepare
      const { queue } = fixture();
      const bodies = ['m1', 'm2', 'm3', 'm4', 'm5'];
      for (const body of bodies) await queue.send(body);
      // Act
      const received = await receiveAll(queue, bodies.length);
      const extra = await queue.receive({ maxMessages: 10, waitSeconds: 0 });
      // Assess
      expect(received.map((message) => message.body).sort()).toEqual(bodies);
      expect(new Set(received.map((message) => message.messageId)).size).toBe(bodies.length);
      expect(extra).toEqual([]);
    });

    it('depth counts visible and in-flight messages', async () => {
      // Prepare
      const { queue } = fixture();
      await queue.send('one');
      await queue.send('two');
      await queue.send('three');
      // Act
      await receiveOne(queue);
      const depth = await queue.depth();
      // Assess
      expect(depth).toEqual({ visible: 2, inFlight: 1 });
    });

    it('counts receives and moves the message to the DLQ once a receive would exceed maxReceiveCount', async () => {
      // Prepare
      const { queue, deadLetter, maxReceiveCount } = fixture();
      await queue.send('poison');
      const counts: number[] = [];
      for (let receive = 1; receive <= maxReceiveCount; receive++) {
        const message = await receiveOne(queue);
        counts.push(message.receiveCount);
        await queue.changeVisibility(message.receiptHandle, 0);
      }
      // Act
      const afterLimit = await queue.receive({ maxMessages: 1, waitSeconds: 1 });
      // Assess
      expect(counts).toEqual(Array.from({ length: maxReceiveCount }, (_, index) => index + 1));
      expect(afterLimit).toEqual([]);
      expect(await drainBodies(deadLetter)).toEqual(['poison']);
      expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0 });
    });

    const staleDeletes = options.deviations?.staleReceiptHandleDeletes === true;
    it(
      staleDeletes
        ? 'a stale receipt handle deletes the redelivered message (declared emulator deviation; remove the flag once this fails)'
        : 'a stale receipt handle does not delete the redelivered message',
      async () => {
        // Prepare
        const { queue } = fixture();
        await queue.send('redelivered');
        const first = await receiveOne(queue);
        await queue.changeVisibility(first.receiptHandle, 0);
        const second = await receiveOne(queue);
        // Act: the stale handle may be refused or silently ignored, as SQS documents
        await queue.delete(first.receiptHandle).catch(() => undefined);
        const depth = await queue.depth();
        // Assess
        if (staleDeletes) {
          expect(depth).toEqual({ visible: 0, inFlight: 0 });
          return;
        }
        expect(second.receiveCount).toBe(2);
        expect(depth).toEqual({ visible: 0, inFlight: 1 });
        await queue.delete(second.receiptHandle);
        expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0 });
      },
    );

    it('rejects a long-poll wait above 20 s', async () => {
      // Prepare
      const { queue } = fixture();
      // Act
      const receiving = queue.receive({ maxMessages: 1, waitSeconds: 21 });
      // Assess
      await expect(receiving).rejects.toThrow();
    });

    describe('dead-letter queue', () => {
      it('peek shows messages without consuming them', async () => {
        // Prepare
        const { deadLetter } = fixture();
        await deadLetter.send('dead 1');
        await deadLetter.send('dead 2');
        // Act
        const firstLook = await drainBodies(deadLetter);
        const secondLook = await drainBodies(deadLetter);
        // Assess
        expect(firstLook).toEqual(['dead 1', 'dead 2']);
        expect(secondLook).toEqual(['dead 1', 'dead 2']);
      });

      it('replay moves every message back to the source queue', async () => {
        // Prepare
        const { queue, deadLetter } = fixture();
        await deadLetter.send('again 1');
        await deadLetter.send('again 2');
        // Act
        const moved = await deadLetter.replay(queue);
        // Assess
        expect(moved).toBe(2);
        const received = await receiveAll(queue, 2);
        expect(received.map((message) => message.body).sort()).toEqual(['again 1', 'again 2']);
        expect(await deadLetter.peek(10)).toEqual([]);
      });

      it('replay of chosen message ids moves only those', async () => {
        // Prepare
        const { queue, deadLetter } = fixture();
        await deadLetter.send('chosen');
        await deadLetter.send('left');
        const chosen = (await deadLetter.peek(10)).find((message) => message.body === 'chosen');
        if (chosen === undefined) throw new Error('peek did not show the sent message');
        // Act
        const moved = await deadLetter.replay(queue, [chosen.messageId]);
        // Assess
        expect(moved).toBe(1);
        expect((await receiveOne(queue)).body).toBe('chosen');
        expect(await drainBodies(deadLetter)).toEqual(['left']);
      });

      it('purge empties it', async () => {
        // Prepare
        const { deadLetter } = fixture();
        await deadLetter.send('gone 1');
        await deadLetter.send('gone 2');
        // Act
        const purged = await deadLetter.purge();
        // Assess
        expect([2, -1]).toContain(purged);
        expect(await deadLetter.peek(10)).toEqual([]);
      });
    });
  });
}
