import { toJobId, type JobId } from '@stereo-spot/shared-types';
import { InvalidMediaError, LeaseLostError, InvalidMessageError } from '../src/errors';
import { objectsCreatedMessageFormat } from '../src/ports/object-events';
import { readObjectEvents } from '../src/use-cases/messages';
import { createProtectionLease } from '../src/consumer/protection-lease';
import { runConsumer, type ConsumerOptions } from '../src/consumer/consumer';
import { type TaskProtection } from '../src/ports/task-protection';
import { type WorkContext } from '../src/work-context';
import { type QueueMessage } from '../src/ports/queue';
import { captureLogger } from '@stereo-spot/logging/testing';
import { MemoryQueue } from '../src/testing';

const JOB = toJobId('3f2b8c1e-6d4a-4b9e-8f00-1234567890ab');
const jobBody = JSON.stringify({ job_id: JOB });

/** Runs the consumer until `until` holds, then stops it and returns its stats. */
async function consumeUntil(
  queue: MemoryQueue,
  handle: ConsumerOptions['handle'],
  until: () => boolean,
  overrides: Partial<ConsumerOptions> = {},
) {
  const stop = new AbortController();
  const failed: { jobId: JobId; reason: string }[] = [];
  const { logger, lines } = captureLogger();
  const run = runConsumer({
    queue,
    logger,
    handle,
    jobContextOf: (body) => {
      try {
        return { jobId: toJobId((JSON.parse(body) as { job_id: string }).job_id) };
      } catch {
        return {};
      }
    },
    failJob: async (jobId, reason) => {
      failed.push({ jobId, reason });
    },
    waitSeconds: 0,
    emptyReceivePauseMs: 10,
    signal: stop.signal,
    shutdownGraceMs: 0,
    ...overrides,
  });
  await waitFor(until);
  stop.abort();
  const stats = await run;
  return { stats, failed, lines };
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error('condition not reached');
}

describe('runConsumer', () => {
  it('deletes a message once its work succeeds', async () => {
    // Prepare
    const queue = new MemoryQueue('q');
    await queue.send(jobBody);
    const seen: string[] = [];

    // Act
    const { stats } = await consumeUntil(
      queue,
      async (m) => {
        seen.push(m.body);
      },
      () => queue.deleted === 1,
    );

    // Assess
    expect(seen).toEqual([jobBody]);
    expect(queue.messages).toEqual([]);
    expect(stats).toMatchObject({ succeeded: 1, failedJobs: 0 });
  });

  it('fails the job and deletes the message on a permanent error, on the first receive', async () => {
    // Prepare
    const queue = new MemoryQueue('q');
    await queue.send(jobBody);

    // Act
    const { failed, stats, lines } = await consumeUntil(
      queue,
      async () => {
        throw new InvalidMediaError('the uploaded file has no video stream');
      },
      () => queue.deleted === 1,
    );

    // Assess
    expect(failed).toEqual([{ jobId: JOB, reason: 'the uploaded file has no video stream' }]);
    expect(stats.failedJobs).toBe(1);
    expect(
      lines.some((l) => String(l.msg).startsWith(`job_id=${JOB} permanent error, failing the job`)),
    ).toBe(true);
  });

  it('leaves a message that names no job for the DLQ, logged with job_id=?, and keeps consuming', async () => {
    // Prepare
    const queue = new MemoryQueue('q', 0.05);
    await queue.send('{not json');
    await queue.send(jobBody);
    const handled: string[] = [];

    // Act
    const { failed, lines } = await consumeUntil(
      queue,
      async (m) => {
        if (m.body.startsWith('{not')) throw new InvalidMessageError('not JSON');
        handled.push(m.body);
      },
      () => handled.length === 1 && (queue.messages[0]?.receiveCount ?? 0) >= 2,
    );

    // Assess
    expect(failed).toEqual([]);
    expect(queue.messages.map((m) => m.body)).toEqual(['{not json']);
    const poison = lines.find((l) => String(l.msg).includes('unprocessable message'));
    expect(poison).toMatchObject({ job_id: '?', level: 50 });
    expect(String(poison?.msg)).toMatch(
      /^job_id=\? unprocessable message m1 \(receive \d\) left for the dead-letter queue: not JSON$/,
    );
  });

  it('leaves the message for redelivery on a transient error', async () => {
    // Prepare
    const queue = new MemoryQueue('q', 0.05);
    await queue.send(jobBody);
    let attempts = 0;

    // Act
    const { stats, failed } = await consumeUntil(
      queue,
      async () => {
        attempts += 1;
        if (attempts === 1) throw new Error('ECONNRESET');
      },
      () => queue.deleted === 1,
    );

    // Assess
    expect(attempts).toBe(2);
    expect(failed).toEqual([]);
    expect(stats).toMatchObject({ succeeded: 1, leftForRetry: 1 });
  });

  it('extends the visibility by the timeout at half the timeout while the work runs', async () => {
    // Prepare: visibility 0.2 s, work 0.5 s: without the heartbeat the message would reappear
    const queue = new MemoryQueue('q', 0.2);
    await queue.send(jobBody);
    const receives: number[] = [];

    // Act
    await consumeUntil(
      queue,
      async (m: QueueMessage) => {
        receives.push(m.receiveCount);
        await new Promise((r) => setTimeout(r, 500));
      },
      () => queue.deleted === 1,
      { concurrency: 2 },
    );

    // Assess
    expect(receives).toEqual([1]);
    expect(queue.visibilityChanges.length).toBeGreaterThanOrEqual(2);
    expect(new Set(queue.visibilityChanges.map((c) => c.seconds))).toEqual(new Set([0.2]));
  });

  it('on stop, aborts work that outlives the grace period and releases its message', async () => {
    // Prepare
    const queue = new MemoryQueue('q', 30);
    await queue.send(jobBody);
    let started = false;
    let abortedWith: unknown;

    // Act
    const { stats } = await consumeUntil(
      queue,
      (_m, context: Required<WorkContext>) =>
        new Promise((_resolve, reject) => {
          started = true;
          context.signal.addEventListener('abort', () => {
            abortedWith = context.signal.reason;
            reject(new InvalidMediaError('ffmpeg was killed'));
          });
        }),
      () => started,
      { shutdownGraceMs: 20 },
    );

    // Assess: released (visibility 0), not deleted, and the job NOT failed despite the permanent-looking error
    expect(String(abortedWith)).toContain('worker shutting down');
    expect(stats).toMatchObject({ released: 1, failedJobs: 0 });
    expect(queue.visibilityChanges.at(-1)?.seconds).toBe(0);
    expect(queue.messages).toHaveLength(1);
  });

  it('on stop, lets work within the grace period finish and delete its message', async () => {
    // Prepare
    const queue = new MemoryQueue('q', 30);
    await queue.send(jobBody);
    let started = false;

    // Act
    const { stats } = await consumeUntil(
      queue,
      async () => {
        started = true;
        await new Promise((r) => setTimeout(r, 100));
      },
      () => started,
      { shutdownGraceMs: 5_000 },
    );

    // Assess
    expect(stats).toMatchObject({ succeeded: 1, released: 0 });
    expect(queue.messages).toEqual([]);
  });

  it('accepts only a long-poll wait from 0 to 20 seconds', async () => {
    const queue = new MemoryQueue('q');
    for (const waitSeconds of [-1, 21, 1.5]) {
      await expect(
        runConsumer({
          queue,
          logger: captureLogger().logger,
          handle: async () => undefined,
          jobContextOf: () => ({}),
          failJob: async () => undefined,
          waitSeconds,
          signal: AbortSignal.abort(),
          shutdownGraceMs: 0,
        }),
      ).rejects.toThrow(`the long-poll wait must be an integer from 0 to 20 seconds, got ${waitSeconds}`);
    }
  });

  it('a worker whose message went to another delivery aborts its work, writes nothing and leaves the message alone', async () => {
    // Prepare: the queue refuses the heartbeat's extension as a stale receipt handle
    const queue = new MemoryQueue('q');
    await queue.send(jobBody);
    queue.changeVisibility = async () => {
      throw Object.assign(new Error('receipt handle is not the current delivery'), { leaseLost: true });
    };
    const writes: string[] = [];
    let refused: unknown;

    // Act
    const { stats, failed, lines } = await consumeUntil(
      queue,
      async (_message, context: Required<WorkContext>) => {
        await context.assertLease().catch((error: unknown) => {
          refused = error;
          throw error;
        });
        writes.push('output');
      },
      () => refused !== undefined,
      { visibilityTimeoutSeconds: 30 },
    );

    // Assess
    expect(writes).toEqual([]);
    expect(refused).toBeInstanceOf(LeaseLostError);
    expect(lines.some((line) => String(line.msg).includes('the work was abandoned'))).toBe(true);
    expect(stats).toMatchObject({ leaseLost: 1, succeeded: 0, failedJobs: 0 });
    expect(failed).toEqual([]);
    expect(queue.deleted).toBe(0);
  });

  it('a worker frozen past its visibility timeout has lost the lease even if the queue accepts the old handle', async () => {
    // Prepare: a 1 s visibility; the work stalls (as a frozen process would) before its write
    const queue = new MemoryQueue('q');
    await queue.send(jobBody);
    let outcome: unknown;

    // Act
    const { stats } = await consumeUntil(
      queue,
      async (message, context) => {
        if (message.receiveCount > 1) return; // the other delivery, which does the work
        const stalledUntil = Date.now() + 1_100;
        while (Date.now() < stalledUntil) {
          // busy: the heartbeat timer cannot run, as in a stopped process
        }
        outcome = await context.assertLease().then(
          () => 'held',
          (error: unknown) => error,
        );
        if (outcome instanceof Error) throw outcome;
      },
      () => outcome !== undefined,
      { visibilityTimeoutSeconds: 1 },
    );

    // Assess
    expect(outcome).toBeInstanceOf(LeaseLostError);
    expect((outcome as Error).message).toContain('the visibility timeout of 1 s ran out');
    expect(stats).toMatchObject({ leaseLost: 1, failedJobs: 0 });
  });

  it('logs the reason of an unreadable body once, not repeated by its cause', async () => {
    // Prepare
    const queue = new MemoryQueue('q');
    await queue.send('{"objects_created": [ this is not json');

    // Act
    const { lines } = await consumeUntil(
      queue,
      async (message) => readObjectEvents(objectsCreatedMessageFormat, message.body),
      () => queue.messages[0]?.receiveCount === 1,
    );

    // Assess
    const line = lines.find((l) => String(l.msg).includes('unprocessable message'));
    const reason = String((line?.err as { message?: string } | undefined)?.message);
    expect(reason).toMatch(/^invalid objects-created message: not JSON \(/);
    expect(reason.split('not JSON')).toHaveLength(2);
    expect(String(line?.msg).split('not JSON')).toHaveLength(2);
  });

  describe('task scale-in protection', () => {
    /** Records the calls in order, with what the queue had deleted by then. */
    function recordingProtection(queue: MemoryQueue) {
      const calls: string[] = [];
      const protection: TaskProtection = {
        protect: async (minutes) => {
          calls.push(`protect ${minutes} min (deleted ${queue.deleted})`);
        },
        release: async () => {
          calls.push(`release (deleted ${queue.deleted})`);
        },
      };
      return { calls, protection };
    }

    it('protects the task from the receive until the message is settled, then releases it', async () => {
      // Prepare
      const queue = new MemoryQueue('q');
      await queue.send(jobBody);
      const { calls, protection } = recordingProtection(queue);
      const { logger } = captureLogger();
      const seenDuringWork: string[][] = [];

      // Act
      await consumeUntil(
        queue,
        async () => {
          seenDuringWork.push([...calls]);
        },
        () => calls.length === 2,
        { protection: createProtectionLease(protection, { logger, expiresInMinutes: 120 }) },
      );

      // Assess
      expect(seenDuringWork).toEqual([['protect 120 min (deleted 0)']]);
      expect(calls).toEqual(['protect 120 min (deleted 0)', 'release (deleted 1)']);
    });

    it('keeps the protection while any message of the process is still worked on', async () => {
      // Prepare: two loops; the first message finishes while the second is still in work.
      const queue = new MemoryQueue('q');
      await queue.send(jobBody);
      await queue.send(jobBody);
      const { calls, protection } = recordingProtection(queue);
      const { logger } = captureLogger();
      let started = 0;

      // Act
      await consumeUntil(
        queue,
        async () => {
          started += 1;
          if (started === 1) await waitFor(() => started === 2);
          else await waitFor(() => queue.deleted === 1);
        },
        () => queue.deleted === 2 && calls.at(-1)?.startsWith('release') === true,
        { concurrency: 2, protection: createProtectionLease(protection, { logger, expiresInMinutes: 120 }) },
      );

      // Assess: one release, after both messages were deleted.
      expect(calls.filter((call) => call.startsWith('release'))).toEqual(['release (deleted 2)']);
      expect(calls.filter((call) => call.startsWith('protect'))).toHaveLength(2);
    });

    it('works on the message when the protection cannot be had, and says so', async () => {
      // Prepare
      const queue = new MemoryQueue('q');
      await queue.send(jobBody);
      const { logger, lines } = captureLogger();
      const failing: TaskProtection = {
        protect: async () => {
          throw new Error('agent unreachable');
        },
        release: async () => undefined,
      };

      // Act
      const { stats } = await consumeUntil(queue, async () => undefined, () => queue.deleted === 1, {
        protection: createProtectionLease(failing, { logger, expiresInMinutes: 120 }),
      });

      // Assess
      expect(stats.succeeded).toBe(1);
      expect(lines.map((line) => line.msg)).toContain('task scale-in protection: protect failed: agent unreachable');
    });
  });
});
