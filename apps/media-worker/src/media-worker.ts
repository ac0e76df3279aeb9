import { type Logger } from '@stereo-spot/logging';
import {
  failJob,
  handleChunkingMessage,
  handleReassemblyMessage,
  DEFAULT_JANITOR_SETTINGS,
  jobContextOfReassemblyBody,
  runJanitor,
  jobContextOfS3Body,
  runConsumer,
  systemClock,
  type Clock,
  type ConsumerStats,
  type JanitorSettings,
  type MediaLimits,
  type ChunkingPorts,
  type MediaProcessor,
  type ProtectionLease,
  type ReassemblyPorts,
} from '@stereo-spot/pipeline';
import type { ConsumerConfig } from '@stereo-spot/config';
import type { JobId } from '@stereo-spot/shared-types';
import { FfmpegMediaProcessor } from './ffmpeg-media-processor';

/** The roles this process runs, each with its own ports: a loop runs when its ports are given. */
export interface MediaWorkerPorts {
  readonly chunking?: ChunkingPorts;
  readonly reassembly?: ReassemblyPorts;
}

export interface MediaWorkerOptions {
  readonly ports: MediaWorkerPorts;
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
 * The media-worker: the `chunking` role (a consumer loop on the chunking queue, and the stuck-job
 * janitor) and the `reassembly` role (a loop on the reassembly queue), either or both in one process. Resolves once `signal` fired and running work has finished or been released.
 */
export async function runMediaWorker(options: MediaWorkerOptions): Promise<MediaWorkerStats> {
  const { ports, consumer } = options;
  const media =
    options.media ??
    new FfmpegMediaProcessor(
      options.ffmpegIdleTimeoutMs !== undefined ? { idleTimeoutMs: options.ffmpegIdleTimeoutMs } : {},
    );
  const clock = options.clock ?? systemClock;
  const roles = (['chunking', 'reassembly'] as const).filter((role) => ports[role] !== undefined);
  const common = {
    logger: options.logger,
    waitSeconds: consumer.longPollWaitSeconds,
    signal: options.signal,
    shutdownGraceMs: consumer.shutdownGraceSeconds * 1000,
    ...(consumer.visibilityTimeoutSeconds !== undefined
      ? { visibilityTimeoutSeconds: consumer.visibilityTimeoutSeconds }
      : {}),
    ...(options.protection !== undefined ? { protection: options.protection } : {}),
  };
  const failJobIn = (jobs: ChunkingPorts['jobs']) => (jobId: JobId, reason: string) =>
    failJob({ jobs, logger: options.logger }, jobId, reason);

  const chunkingPorts = ports.chunking;
  const chunking = chunkingPorts
    ? runConsumer({
        ...common,
        queue: chunkingPorts.chunkingQueue,
        failJob: failJobIn(chunkingPorts.jobs),
        jobContextOf: jobContextOfS3Body,
        handle: (message, context) =>
          handleChunkingMessage(
            {
              ...chunkingPorts,
              media,
              segmentSeconds: options.segmentDurationSeconds,
              scratchDir: options.scratchDir,
              limits: options.mediaLimits,
            },
            message.body,
            context,
          ),
      })
    : undefined;

  const reassemblyPorts = ports.reassembly;
  const reassembly = reassemblyPorts
    ? runConsumer({
        ...common,
        queue: reassemblyPorts.reassemblyQueue,
        failJob: failJobIn(reassemblyPorts.jobs),
        jobContextOf: jobContextOfReassemblyBody,
        handle: (message, context) =>
          handleReassemblyMessage(
            {
              ...reassemblyPorts,
              media,
              clock,
              scratchDir: options.scratchDir,
              staleAfterMs:
                (consumer.visibilityTimeoutSeconds ?? reassemblyPorts.reassemblyQueue.visibilityTimeoutSeconds) *
                1000,
            },
            message.body,
            context,
          ),
      })
    : undefined;

  const janitor =
    chunkingPorts && options.janitor !== false
      ? runJanitor(
          {
            ...chunkingPorts,
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
