import { forJob, logJobError, type Logger } from '@stereo-spot/logging';
import type { JobId } from '@stereo-spot/shared-types';
import { describeError, isLeaseLost, isPermanentError, LeaseLostError } from '../errors';
import type { Queue, QueueMessage } from '../ports/queue';
import type { MessageJobContext } from '../use-cases/messages';
import type { ProtectionLease } from './protection-lease';
import { pause } from '../pause';
import type { WorkContext } from '../work-context';

export interface ConsumerOptions {
  readonly queue: Queue;
  readonly logger: Logger;
  readonly handle: (message: QueueMessage, context: Required<WorkContext>) => Promise<unknown>;
  /** Names the message's job for logs and for failing it; never throws. */
  readonly jobContextOf: (body: string) => MessageJobContext;
  /** Called for a permanent error on a message that names its job. */
  readonly failJob: (jobId: JobId, reason: string) => Promise<unknown>;
  /** Long-poll wait, an integer 0–20 (SQS's limits). */
  readonly waitSeconds: number;
  /** Asked for on receive and extended by the heartbeat; default: the queue's own. */
  readonly visibilityTimeoutSeconds?: number;
  /** Stops the loop: no new receive; running work gets `shutdownGraceMs` to finish. */
  readonly signal: AbortSignal;
  readonly shutdownGraceMs: number;
  /** Messages processed at the same time (one receive loop each). Default 1. */
  readonly concurrency?: number;
  /** Pause after a failed receive (the queue itself is unavailable). Default 1000 ms. */
  readonly receiveErrorBackoffMs?: number;
  /** Pause after an empty receive when the wait is 0 (no long poll), so the loop never spins. Default 250 ms. */
  readonly emptyReceivePauseMs?: number;
  /** Held while a message is worked on (until it is settled): the task is not scaled in meanwhile. */
  readonly protection?: ProtectionLease;
}

export interface ConsumerStats {
  succeeded: number;
  /** Permanent errors: the job was failed and the message deleted. */
  failedJobs: number;
  /** Left for redelivery: transient errors and unprocessable (poison) messages. */
  leftForRetry: number;
  /** Released at shutdown for another worker. */
  released: number;
  /** Abandoned without writing: the lease ran out or the message went to another delivery. */
  leaseLost: number;
}

export function assertLongPollWait(waitSeconds: number): void {
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > 20) {
    throw new RangeError(`the long-poll wait must be an integer from 0 to 20 seconds, got ${waitSeconds}`);
  }
}

/**
 * The consumer loop every worker runs: long-poll receive; while a message is worked on, a
 * heartbeat extends its visibility at half the timeout; delete on success; on a permanent error
 * fail the job and delete; on a transient error leave the message for redelivery (and the DLQ
 * after maxReceiveCount); a body that names no job is logged with `job_id=?` and left for the DLQ.
 * On stop, running work may finish within the grace period, else it is aborted and its message
 * released (visibility 0) so another worker takes it at once. With `protection`, the task is
 * protected from scale-in from the receive until the message is settled.
 */
export async function runConsumer(options: ConsumerOptions): Promise<ConsumerStats> {
  assertLongPollWait(options.waitSeconds);
  const stats: ConsumerStats = { succeeded: 0, failedJobs: 0, leftForRetry: 0, released: 0, leaseLost: 0 };
  const loops = Array.from({ length: Math.max(1, options.concurrency ?? 1) }, () =>
    receiveLoop(options, stats),
  );
  await Promise.all(loops);
  return stats;
}

async function receiveLoop(options: ConsumerOptions, stats: ConsumerStats): Promise<void> {
  const { queue, signal } = options;
  while (!signal.aborted) {
    let messages: QueueMessage[];
    try {
      messages = await queue.receive({
        maxMessages: 1,
        waitSeconds: options.waitSeconds,
        signal,
        ...(options.visibilityTimeoutSeconds !== undefined
          ? { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }
          : {}),
      });
    } catch (error) {
      if (signal.aborted) break;
      options.logger.warn({ err: error, queue: queue.name }, `receive from ${queue.name} failed; retrying`);
      await pause(options.receiveErrorBackoffMs ?? 1000, signal);
      continue;
    }
    if (messages.length === 0 && options.waitSeconds === 0) {
      await pause(options.emptyReceivePauseMs ?? 250, signal);
    }
    for (const message of messages) await processMessage(options, message, stats);
  }
}

async function processMessage(
  options: ConsumerOptions,
  message: QueueMessage,
  stats: ConsumerStats,
): Promise<void> {
  const { queue } = options;
  const job = safeJobContext(options, message.body);
  const log = forJob(options.logger, { jobId: job.jobId, segmentIndex: job.segmentIndex });
  const fields = { queue: queue.name, message_id: message.messageId, receive_count: message.receiveCount };
  const visibility = options.visibilityTimeoutSeconds ?? queue.visibilityTimeoutSeconds;

  const work = new AbortController();
  let graceTimer: NodeJS.Timeout | undefined;
  const onStop = () => {
    graceTimer = setTimeout(() => work.abort(new Error('worker shutting down')), options.shutdownGraceMs);
  };
  if (options.signal.aborted) onStop();
  else options.signal.addEventListener('abort', onStop, { once: true });

  // The lease: the message is ours until `leaseEndsAt` (counted from when the last extension was
  // asked for, so never later than the queue's own deadline). A process frozen or starved past it
  // may have lost the message to another worker even if the queue still accepts the old handle.
  let leaseEndsAt = Date.now() + visibility * 1000;
  let lost: LeaseLostError | undefined;
  const loseLease = (reason: string, cause?: unknown): LeaseLostError => {
    if (lost === undefined) {
      lost = new LeaseLostError(reason, cause === undefined ? undefined : { cause });
      log.warn({ ...fields, err: cause, reason }, `${lost.message}; another delivery does this work`);
      work.abort(lost);
    }
    return lost;
  };
  const assertLease = async (): Promise<void> => {
    if (lost !== undefined) throw lost;
    const askedAt = Date.now();
    if (askedAt >= leaseEndsAt) {
      const overdue = ((askedAt - leaseEndsAt) / 1000).toFixed(1);
      throw loseLease(`the visibility timeout of ${visibility} s ran out ${overdue} s ago without an extension`);
    }
    try {
      await queue.changeVisibility(message.receiptHandle, visibility);
    } catch (error) {
      if (isLeaseLost(error)) throw loseLease(describeError(error), error);
      throw error;
    }
    if (lost !== undefined) throw lost;
    leaseEndsAt = askedAt + visibility * 1000;
  };
  const heartbeat = setInterval(
    () => {
      assertLease().catch((error: unknown) => {
        if (lost === undefined) log.warn({ ...fields, err: error }, 'visibility heartbeat failed');
      });
    },
    Math.max(100, (visibility * 1000) / 2),
  );

  await options.protection?.acquire();
  try {
    log.debug(fields, `received from ${queue.name}`);
    await options.handle(message, { logger: options.logger, signal: work.signal, assertLease });
    clearInterval(heartbeat);
    if (lost !== undefined) throw lost;
    await queue.delete(message.receiptHandle);
    stats.succeeded += 1;
  } catch (error) {
    clearInterval(heartbeat);
    if (lost !== undefined || isLeaseLost(error)) {
      // Nothing to settle: the message belongs to another delivery now.
      stats.leaseLost += 1;
      log.warn(fields, 'lost the lease: the work was abandoned and nothing more was written for it');
      return;
    }
    await settleFailure(options, message, job, log, fields, work.signal.aborted, error, stats);
  } finally {
    clearInterval(heartbeat);
    clearTimeout(graceTimer);
    options.signal.removeEventListener('abort', onStop);
    await options.protection?.release();
  }
}

async function settleFailure(
  options: ConsumerOptions,
  message: QueueMessage,
  job: MessageJobContext,
  log: Logger,
  fields: Record<string, unknown>,
  stoppedByShutdown: boolean,
  error: unknown,
  stats: ConsumerStats,
): Promise<void> {
  const { queue } = options;
  try {
    if (stoppedByShutdown) {
      await queue.changeVisibility(message.receiptHandle, 0);
      stats.released += 1;
      log.info(fields, 'stopped by shutdown: message released for another worker');
    } else if (isPermanentError(error) && job.jobId !== undefined) {
      logJobError(options.logger, job, error, 'permanent error, failing the job');
      await options.failJob(job.jobId, describeError(error));
      await queue.delete(message.receiptHandle);
      stats.failedJobs += 1;
    } else if (isPermanentError(error)) {
      stats.leftForRetry += 1;
      logJobError(
        options.logger,
        {},
        error,
        `unprocessable message ${message.messageId} (receive ${message.receiveCount}) left for the dead-letter queue`,
      );
    } else {
      stats.leftForRetry += 1;
      log.warn(
        { ...fields, err: error },
        `transient error (receive ${message.receiveCount}), the message will be redelivered: ${describeError(error)}`,
      );
    }
  } catch (settleError) {
    stats.leftForRetry += 1;
    log.error({ ...fields, err: settleError }, 'could not settle the message; it will be redelivered');
  }
}

function safeJobContext(options: ConsumerOptions, body: string): MessageJobContext {
  try {
    return options.jobContextOf(body);
  } catch {
    return {};
  }
}

