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
  type ChunkingPorts,
  type MediaProcessor,
  type ProtectionLease,
  type ReassemblyPorts,
} from '@stereo-spot/pipeline';
import type { ConsumerConfig } from '@stereo-spot/config';
import type { JobId } from '@stereo-spot/shared-types';
import { FfmpegMediaProcessor } from './ffmpeg-media-processor';

/** The `chunking` role: its ports and settings. */
export interface ChunkingRoleOptions {
  readonly ports: ChunkingPorts;
  readonly consumer: ConsumerConfig;
  readonly segmentDurationSeconds: number;
  /** What an upload may be (size, frame rate, duration), checked at chunking. */
  readonly mediaLimits: MediaLimits;
  /**
   * The stuck-job janitor loop (pipeline's `runJanitor`), run next to the chunking loop; `false`
   * turns it off. Defaults: a sweep a minute, pipeline's DEFAULT_JANITOR_SETTINGS.
   */
  readonly janitor?: false | (Partial<JanitorSettings> & { readonly intervalMs?: number });
}

/** The `reassembly` role: its ports and settings. */
export interface ReassemblyRoleOptions {
  readonly ports: ReassemblyPorts;
  readonly consumer: ConsumerConfig;
}

/** Runs the roles it is given (a loop per role), sharing the ffmpeg gate and the scratch folder. */
export interface MediaWorkerOptions {
  readonly chunking?: ChunkingRoleOptions;
  readonly reassembly?: ReassemblyRoleOptions;
  /** Temporary media files (one sub-folder per message, removed afterwards). */
  readonly scratchDir: string;
  readonly logger: Logger;
  /** Stops both loops (SIGTERM). */
  readonly signal: AbortSignal;
  /** Default: FfmpegMediaProcessor with `ffmpegIdleTimeoutMs`. */
  readonly media?: MediaProcessor;
  /** Kills an ffmpeg silent this long (0: never); default the runner's. */
  readonly ffmpegIdleTimeoutMs?: number;
  readonly clock?: Clock;
  /** Held (by both consumers) while a message is worked on: the task is not scaled in meanwhile (ECS). */
  readonly protection?: ProtectionLease;
}

export interface MediaWorkerStats {
  readonly chunking?: ConsumerStats;
  readonly reassembly?: ConsumerStats;
}

/**
 * The media-worker: the `chunking` role (a consumer loop on the chunking queue, and the stuck-job
 * janitor) and the `reassembly` role (a loop on the reassembly queue), either or both in one
 * process. Resolves once `signal` fired and running work has finished or been released.
 */
export async function runMediaWorker(options: MediaWorkerOptions): Promise<MediaWorkerStats> {
  const media =
    options.media ??
    new FfmpegMediaProcessor(
      options.ffmpegIdleTimeoutMs !== undefined ? { idleTimeoutMs: options.ffmpegIdleTimeoutMs } : {},
    );
  const clock = options.clock ?? systemClock;
  const roles = (['chunking', 'reassembly'] as const).filter((role) => options[role] !== undefined);
  const loopSettings = (consumer: ConsumerConfig, jobs: ChunkingPorts['jobs']) => ({
    logger: options.logger,
    waitSeconds: consumer.longPollWaitSeconds,
    signal: options.signal,
    shutdownGraceMs: consumer.shutdownGraceSeconds * 1000,
    ...(consumer.visibilityTimeoutSeconds !== undefined
      ? { visibilityTimeoutSeconds: consumer.visibilityTimeoutSeconds }
      : {}),
    ...(options.protection !== undefined ? { protection: options.protection } : {}),
    failJob: (jobId: JobId, reason: string) => failJob({ jobs, logger: options.logger }, jobId, reason),
  });

  const chunkingRole = options.chunking;
  const chunking = chunkingRole
    ? runConsumer({
        ...loopSettings(chunkingRole.consumer, chunkingRole.ports.jobs),
        queue: chunkingRole.ports.chunkingQueue,
        jobContextOf: jobContextOfObjectEvents(chunkingRole.ports.objectEvents),
        handle: (message, context) =>
          handleChunkingMessage(
            {
              ...chunkingRole.ports,
              media,
              segmentSeconds: chunkingRole.segmentDurationSeconds,
              scratchDir: options.scratchDir,
              limits: chunkingRole.mediaLimits,
            },
            readObjectEvents(chunkingRole.ports.objectEvents, message.body),
            context,
          ),
      })
    : undefined;

  const reassemblyRole = options.reassembly;
  const reassembly = reassemblyRole
    ? runConsumer({
        ...loopSettings(reassemblyRole.consumer, reassemblyRole.ports.jobs),
        queue: reassemblyRole.ports.reassemblyQueue,
        jobContextOf: jobContextOfReassemblyBody,
        handle: (message, context) =>
          handleReassemblyMessage(
            {
              ...reassemblyRole.ports,
              media,
              clock,
              scratchDir: options.scratchDir,
              // A start lock older than a delivery's visibility belongs to a worker that died.
              staleAfterMs:
                (reassemblyRole.consumer.visibilityTimeoutSeconds ??
                  reassemblyRole.ports.reassemblyQueue.visibilityTimeoutSeconds) * 1000,
            },
            message.body,
            context,
          ),
      })
    : undefined;

  const janitor =
    chunkingRole && chunkingRole.janitor !== false
      ? runJanitor(
          {
            ...chunkingRole.ports,
            clock,
            scratchDir: options.scratchDir,
            logger: options.logger.child({ component: 'janitor' }),
          },
          { intervalMs: 60_000, ...DEFAULT_JANITOR_SETTINGS, ...chunkingRole.janitor, signal: options.signal },
        )
      : undefined;

  options.logger.info(
    { roles, ...(chunkingRole ? { segment_seconds: chunkingRole.segmentDurationSeconds } : {}) },
    'media-worker started',
  );
  const [chunkingStats, reassemblyStats] = await Promise.all([chunking, reassembly, janitor]);
  options.logger.info('media-worker stopped');
  return {
    ...(chunkingStats ? { chunking: chunkingStats } : {}),
    ...(reassemblyStats ? { reassembly: reassemblyStats } : {}),
  };
}
