import { type Logger } from '@stereo-spot/logging';
import {
  failJob,
  handleChunkingMessage,
  handleReassemblyMessage,
  DEFAULT_JANITOR_SETTINGS,
  jobContextOfReassemblyBody,
  runJanitor,
  jobContextOfObjectEvents,
  readObjectEvents,
  runConsumer,
  systemClock,
  type Clock,
  type ConsumerStats,
  type JanitorSettings,
  type MediaLimits,
  type MediaProcessor,
  type PipelinePorts,
  type ProtectionLease,
} from '@stereo-spot/pipeline';
import type { ConsumerConfig } from '@stereo-spot/config';
import type { JobId } from '@stereo-spot/shared-types';
import { FfmpegMediaProcessor } from './ffmpeg-media-processor';

export interface MediaWorkerOptions {
  readonly ports: PipelinePorts;
  readonly consumer: ConsumerConfig;
  readonly segmentDurationSeconds: number;
  /** Temporary media files (one sub-folder per message, removed afterwards). */
  readonly scratchDir: string;
  readonly logger: Logger;
  /** Stops both loops (SIGTERM). */
  readonly signal: AbortSignal;
  /** What an upload may be (size, frame rate, duration), checked at chunking. */
  readonly mediaLimits: MediaLimits;
  /** Default: FfmpegMediaProcessor with `ffmpegIdleTimeoutMs`. */
  readonly media?: MediaProcessor;
  /** Kills an ffmpeg silent this long (0: never); default the runner's. */
  readonly ffmpegIdleTimeoutMs?: number;
  readonly clock?: Clock;
  /** Which loops to run; both by default. */
  readonly roles?: readonly ('chunking' | 'reassembly')[];
  /**
   * The stuck-job janitor loop (pipeline's `runJanitor`), run next to the chunking loop; `false`
   * turns it off. Defaults: a sweep a minute, pipeline's DEFAULT_JANITOR_SETTINGS.
   */
  readonly janitor?: false | (Partial<JanitorSettings> & { readonly intervalMs?: number });
  /** Held (by both consumers) while a message is worked on: the task is not scaled in meanwhile (ECS). */
  readonly protection?: ProtectionLease;
}

export interface MediaWorkerStats {
  readonly chunking?: ConsumerStats;
  readonly reassembly?: ConsumerStats;
}

/**
 * The media-worker: one consumer loop on the chunking queue and one on the reassembly queue, in
 * one process. Resolves once `signal` fired and running work has finished or been released.
 */
export async function runMediaWorker(options: MediaWorkerOptions): Promise<MediaWorkerStats> {
  const { ports, consumer } = options;
  const media =
    options.media ??
    new FfmpegMediaProcessor(
      options.ffmpegIdleTimeoutMs !== undefined ? { idleTimeoutMs: options.ffmpegIdleTimeoutMs } : {},
    );
  const clock = options.clock ?? systemClock;
  const roles = options.roles ?? ['chunking', 'reassembly'];
  const common = {
    logger: options.logger,
    waitSeconds: consumer.longPollWaitSeconds,
    signal: options.signal,
    shutdownGraceMs: consumer.shutdownGraceSeconds * 1000,
    failJob: (jobId: JobId, reason: string) =>
      failJob({ jobs: ports.jobs, logger: options.logger }, jobId, reason),
    ...(consumer.visibilityTimeoutSeconds !== undefined
      ? { visibilityTimeoutSeconds: consumer.visibilityTimeoutSeconds }
      : {}),
    ...(options.protection !== undefined ? { protection: options.protection } : {}),
  };

  const chunkingQueue = ports.queues.chunking.queue;
  const chunking = roles.includes('chunking')
    ? runConsumer({
        ...common,
        queue: chunkingQueue,
        jobContextOf: jobContextOfObjectEvents(ports.objectEvents),
        handle: (message, context) =>
          handleChunkingMessage(
            {
              ...ports,
              media,
              segmentSeconds: options.segmentDurationSeconds,
              scratchDir: options.scratchDir,
              limits: options.mediaLimits,
            },
            readObjectEvents(ports.objectEvents, message.body),
            context,
          ),
      })
    : undefined;

  const reassemblyQueue = ports.queues.reassembly.queue;
  const reassemblyVisibility = consumer.visibilityTimeoutSeconds ?? reassemblyQueue.visibilityTimeoutSeconds;
  const reassembly = roles.includes('reassembly')
    ? runConsumer({
        ...common,
        queue: reassemblyQueue,
        jobContextOf: jobContextOfReassemblyBody,
        handle: (message, context) =>
          handleReassemblyMessage(
            {
              ...ports,
              media,
              clock,
              scratchDir: options.scratchDir,
              staleAfterMs: reassemblyVisibility * 1000,
            },
            message.body,
            context,
          ),
      })
    : undefined;

  const janitor =
    roles.includes('chunking') && options.janitor !== false
      ? runJanitor(
          {
            ...ports,
            reassemblyQueue,
            clock,
            scratchDir: options.scratchDir,
            logger: options.logger.child({ component: 'janitor' }),
          },
          { intervalMs: 60_000, ...DEFAULT_JANITOR_SETTINGS, ...options.janitor, signal: options.signal },
        )
      : undefined;

  options.logger.info({ roles, segment_seconds: options.segmentDurationSeconds }, 'media-worker started');
  const [chunkingStats, reassemblyStats] = await Promise.all([chunking, reassembly, janitor]);
  options.logger.info('media-worker stopped');
  return {
    ...(chunkingStats ? { chunking: chunkingStats } : {}),
    ...(reassemblyStats ? { reassembly: reassemblyStats } : {}),
  };
}
