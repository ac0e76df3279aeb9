import type { ConsumerConfig } from '@stereo-spot/config';
import type { Logger } from '@stereo-spot/logging';
import {
  failJob,
  handleSegmentMessage,
  jobContextOfObjectEvents,
  readObjectEvents,
  runConsumer,
  systemClock,
  type Clock,
  type ConsumerStats,
  type ProtectionLease,
  type StereoInference,
  type VideoWorkerPorts,
} from '@stereo-spot/pipeline';
import type { JobId, SegmentRef } from '@stereo-spot/shared-types';

export interface VideoWorkerOptions {
  readonly ports: VideoWorkerPorts;
  readonly inference: StereoInference;
  readonly consumer: ConsumerConfig;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly clock?: Clock;
  /** Segments converted at the same time by this process. Default 1 (the builtin engine uses every core). */
  readonly concurrency?: number;
  readonly onProgress?: (ref: SegmentRef, fraction: number) => void;
  /** Held while a segment is converted: the task is not scaled in meanwhile (ECS). */
  readonly protection?: ProtectionLease;
}

/** The `video-worker` role: the consumer loop on the video-worker queue, converting one segment per message. */
export async function runVideoWorker(options: VideoWorkerOptions): Promise<ConsumerStats> {
  const { ports, consumer } = options;
  const clock = options.clock ?? systemClock;
  options.logger.info({ backend: options.inference.name }, 'video-worker started');
  const stats = await runConsumer({
    queue: ports.videoWorkerQueue,
    logger: options.logger,
    waitSeconds: consumer.longPollWaitSeconds,
    signal: options.signal,
    shutdownGraceMs: consumer.shutdownGraceSeconds * 1000,
    concurrency: options.concurrency ?? 1,
    ...(consumer.visibilityTimeoutSeconds !== undefined
      ? { visibilityTimeoutSeconds: consumer.visibilityTimeoutSeconds }
      : {}),
    jobContextOf: jobContextOfObjectEvents(ports.objectEvents),
    ...(options.protection !== undefined ? { protection: options.protection } : {}),
    failJob: (jobId: JobId, reason: string) =>
      failJob({ jobs: ports.jobs, logger: options.logger }, jobId, reason),
    handle: (message, context) =>
      handleSegmentMessage(
        { ...ports, inference: options.inference, clock },
        readObjectEvents(ports.objectEvents, message.body),
        {
          ...context,
          ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
        },
      ),
  });
  options.logger.info('video-worker stopped');
  return stats;
}
