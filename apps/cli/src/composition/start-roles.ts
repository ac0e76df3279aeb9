/**
 * THE COMPOSITION ROOT of every long-running stereo-spot process (`stereo-spot up`, `stereo-spot
 * worker <role...>`, each ECS task, `up-aws-emulated`): reads the chosen roles' configuration,
 * opens the platform once (platform.ts), builds each role's own ports (pipeline's
 * `portsForRole`) and starts the roles. The Lambda's root is apps/reassembly-trigger/src/lambda.ts.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  ConfigError,
  loadConfig,
  type ChunkingConfig,
  type Env,
  type PlatformConfig,
  type ReassemblyConfig,
  type ReassemblyTriggerConfig,
  type VideoWorkerConfig,
  type WebUiConfig,
} from '@stereo-spot/config';
import { createLogger, type Logger } from '@stereo-spot/logging';
import { FfmpegMediaProcessor, runMediaWorker } from '@stereo-spot/media-worker';
import {
  createProtectionLease,
  DEFAULT_PROTECTION_MINUTES,
  PipelineError,
  portsForRole,
  sweepScratch,
  systemClock,
  type ProtectionLease,
  type StereoInference,
  type WebUiPorts,
} from '@stereo-spot/pipeline';
import { createChangeHandler } from '@stereo-spot/reassembly-trigger';
import { convertFile } from '@stereo-spot/stereo-engine';
import { createInference, runVideoWorker } from '@stereo-spot/video-worker';
import { startWebServer, type WebServer } from '@stereo-spot/web-ui';
import { logsDir, stdoutAndLogFile } from '../commands/ops/log-files';
import { openPlatform, type OpenedAwsPlatform, type OpenedPlatform } from './platform';
import type { PipelineRole } from './roles';

/** The configuration of the chosen roles, and the platform they share. */
interface RoleConfigs {
  readonly web?: WebUiConfig;
  readonly chunking?: ChunkingConfig;
  readonly video?: VideoWorkerConfig;
  readonly reassembly?: ReassemblyConfig;
  readonly trigger?: ReassemblyTriggerConfig;
  readonly platform: PlatformConfig;
  readonly logLevel: string;
}

/** Every chosen role's configuration, or one ConfigError-like message naming every problem. */
function loadRoleConfigs(roles: readonly PipelineRole[], env: Env): RoleConfigs {
  const problems: string[] = [];
  const load = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message);
      return undefined;
    }
  };
  const has = (role: PipelineRole) => roles.includes(role);
  const web = has('web-ui') ? load(() => loadConfig('web-ui', env)) : undefined;
  const chunking = has('chunking') ? load(() => loadConfig('chunking', env)) : undefined;
  const video = has('video-worker') ? load(() => loadConfig('video-worker', env)) : undefined;
  const reassembly = has('reassembly') ? load(() => loadConfig('reassembly', env)) : undefined;
  const trigger = has('reassembly-trigger') ? load(() => loadConfig('reassembly-trigger', env)) : undefined;
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const all = [web, chunking, video, reassembly, trigger].filter((c) => c !== undefined);
  const first = all[0];
  if (first === undefined) throw new Error('no role to run');
  // One platform for the process: on AWS, the union of the resources the roles were given.
  const platform: PlatformConfig =
    first.platform.kind === 'aws'
      ? {
          ...first.platform,
          resources: Object.assign({}, ...all.map((c) => (c.platform.kind === 'aws' ? c.platform.resources : {}))),
        }
      : first.platform;
  return {
    ...(web ? { web } : {}),
    ...(chunking ? { chunking } : {}),
    ...(video ? { video } : {}),
    ...(reassembly ? { reassembly } : {}),
    ...(trigger ? { trigger } : {}),
    platform,
    logLevel: first.logLevel,
  };
}

export interface StartRolesOptions {
  readonly roles: readonly PipelineRole[];
  readonly env: Env;
  /** Aborting it stops every role; `done` settles once all have stopped and the platform is closed. */
  readonly signal: AbortSignal;
}

export interface RunningRoles {
  /** The web-ui's address, when this process serves it. */
  readonly url?: string;
  readonly done: Promise<void>;
}

export async function startRoles(options: StartRolesOptions): Promise<RunningRoles> {
  const configs = loadRoleConfigs(options.roles, options.env);
  // Embedded, every role's lines are also appended to <home>/logs/<role>.log (for `ops logs`).
  const logFiles = configs.platform.kind === 'local' ? logsDir(configs.platform.home) : undefined;
  const logger = (name: string): Logger =>
    createLogger({
      name,
      level: configs.logLevel,
      ...(logFiles !== undefined ? { destination: stdoutAndLogFile(logFiles, name) } : {}),
    });
  const processLogger = logger('stereo-spot');

  let webUrl: string | undefined;
  // Embedded presigned URLs point at the web-ui; a process without it uses where it would listen.
  const platform = await openPlatform(configs.platform, () => webUrl ?? embeddedWebUrl(configs, options.env));
  const { scratchDir } = platform;

  const running: Promise<unknown>[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  try {
    // Each role's configuration with its own ports, all built before any role starts: a missing
    // resource stops the start.
    const web = configs.web && { config: configs.web, ports: await portsForRole('web-ui', platform.ports) };
    const chunking = configs.chunking && {
      config: configs.chunking,
      ports: await portsForRole('chunking', platform.ports),
    };
    const video = configs.video && { config: configs.video, ports: await portsForRole('video-worker', platform.ports) };
    const reassembly = configs.reassembly && {
      config: configs.reassembly,
      ports: await portsForRole('reassembly', platform.ports),
    };
    // Workers killed earlier (SIGKILL, a crash) left their scratch folders: remove them now.
    if (chunking || reassembly || video) await sweepScratch(scratchDir, processLogger);
    // One scale-in protection for the whole process: every consumer's messages hold it.
    const protection = await taskProtection(configs, processLogger);

    if (web) {
      const server = await startWeb(web.config, platform, web.ports, logger('web-ui'), path.join(scratchDir, 'previews'));
      webUrl = web.config.publicBaseUrl ?? server.url;
      cleanups.push(() => server.close());
    }
    const media = chunking ?? reassembly;
    if (media) {
      running.push(
        runMediaWorker({
          ...(chunking
            ? {
                chunking: {
                  ports: chunking.ports,
                  consumer: chunking.config.consumer,
                  segmentDurationSeconds: chunking.config.segmentDurationSeconds,
                  janitor: chunking.config.janitor,
                  mediaLimits: chunking.config.mediaLimits,
                },
              }
            : {}),
          ...(reassembly ? { reassembly: { ports: reassembly.ports, consumer: reassembly.config.consumer } } : {}),
          ffmpegIdleTimeoutMs: media.config.ffmpegIdleTimeoutMs,
          scratchDir,
          logger: logger('media-worker'),
          signal: options.signal,
          ...(protection !== undefined ? { protection } : {}),
        }),
      );
    }
    if (video) {
      const inference = createInference(video.config.inference, {
        inputStorage: video.ports.inputStorage,
        outputStorage: video.ports.outputStorage,
        scratchDir,
        convertFile,
        ...(platform.kind === 'aws' ? await sageMakerFactory(platform) : {}),
      });
      running.push(
        runVideoWorker({
          ports: video.ports,
          inference,
          consumer: video.config.consumer,
          logger: logger('video-worker'),
          signal: options.signal,
          ...(protection !== undefined ? { protection } : {}),
        }),
      );
    }
    if (configs.trigger) cleanups.push(await startEmbeddedTrigger(platform, logger('reassembly-trigger')));
  } catch (error) {
    await Promise.all(cleanups.map((cleanup) => cleanup()));
    await platform.close();
    throw error;
  }

  processLogger.info(
    { roles: options.roles, platform: configs.platform.kind, url: webUrl },
    'stereo-spot started',
  );
  const done = (async () => {
    await new Promise<void>((resolve) => {
      if (options.signal.aborted) resolve();
      else options.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    processLogger.info('stopping');
    await Promise.all(running);
    for (const cleanup of cleanups.reverse()) await cleanup();
    await platform.close();
    processLogger.info('stopped');
  })();
  return { ...(webUrl !== undefined ? { url: webUrl } : {}), done };
}

/** In an ECS task (ECS_AGENT_URI set), the workers' scale-in protection through the task's agent. */
async function taskProtection(configs: RoleConfigs, logger: Logger): Promise<ProtectionLease | undefined> {
  const agentUri = [configs.chunking, configs.reassembly, configs.video].find(
    (config) => config?.consumer.ecsAgentUri !== undefined,
  )?.consumer.ecsAgentUri;
  if (agentUri === undefined || configs.platform.kind !== 'aws') return undefined;
  const { EcsTaskProtection } = await import('@stereo-spot/aws-adapters');
  return createProtectionLease(new EcsTaskProtection({ agentUri }), {
    logger,
    expiresInMinutes: DEFAULT_PROTECTION_MINUTES,
  });
}

/** On AWS, how the video-worker builds its `sagemaker` backend (the SDK is loaded only there). */
async function sageMakerFactory(
  platform: OpenedAwsPlatform,
): Promise<{ createSageMaker: (endpointName: string) => StereoInference }> {
  const { config, ports } = platform;
  const { createSageMakerInference } = await import('@stereo-spot/inference-adapters/sagemaker');
  return {
    createSageMaker: (endpointName) =>
      createSageMakerInference({
        region: config.region,
        ...(config.endpointUrl !== undefined ? { endpoint: config.endpointUrl } : {}),
        endpointName,
        inputBucket: ports.inputStorage().bucket,
        outputBucket: ports.outputStorage().bucket,
      }),
  };
}

function embeddedWebUrl(configs: RoleConfigs, env: Env): string {
  if (configs.web !== undefined) return publicUrlOf(configs.web);
  try {
    return publicUrlOf(loadConfig('web-ui', env));
  } catch {
    return 'http://127.0.0.1:8080';
  }
}

function publicUrlOf(web: WebUiConfig): string {
  if (web.publicBaseUrl !== undefined) return web.publicBaseUrl;
  const host = web.host === '0.0.0.0' || web.host === '::' ? '127.0.0.1' : web.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${web.port}`;
}

async function startWeb(
  config: WebUiConfig,
  platform: OpenedPlatform,
  ports: WebUiPorts,
  logger: Logger,
  previewScratchDir: string,
): Promise<WebServer> {
  // Embedded, the web UI also serves the presigned URLs (on AWS S3 does).
  const presigned = platform.kind === 'local' ? platform.local.handlePresignedRequest : undefined;
  return startWebServer({
    api: {
      ...ports,
      logger,
      clock: systemClock,
      ids: { newJobId: () => randomUUID() },
      maxUploadBytes: config.maxUploadBytes,
      uploadUrlTtlSeconds: 3600,
      downloadUrlTtlSeconds: 3600,
      // How often an open progress stream re-reads its job. Embedded that is a local SQLite read,
      // so 10 times a second (a finished job is seen within 0.1 s); on AWS each look is a
      // DynamoDB read per open stream, kept at 2 a second.
      eventsPollMs: platform.kind === 'local' ? 100 : 500,
      previews: {
        media: new FfmpegMediaProcessor({ idleTimeoutMs: config.ffmpegIdleTimeoutMs }),
        concurrency: config.previewConcurrency,
        maxPixels: config.maxVideoPixels,
        scratchDir: previewScratchDir,
      },
    },
    host: config.host,
    port: config.port,
    ...(config.publicBaseUrl !== undefined ? { publicBaseUrl: config.publicBaseUrl } : {}),
    limits: config.limits,
    logger,
    ...(config.authToken !== undefined ? { authToken: config.authToken } : {}),
    ...(presigned !== undefined ? { passthrough: [presigned] } : {}),
  });
}

/**
 * The trigger on the embedded platform: the SegmentCompletions and Jobs change streams hand their
 * changes to the trigger's decision, the one the Lambda makes (a completion, or the job entering
 * `chunking_complete`, whichever comes last). Returns its stop function.
 */
async function startEmbeddedTrigger(platform: OpenedPlatform, logger: Logger): Promise<() => Promise<void>> {
  if (platform.kind !== 'local') {
    throw new PipelineError(
      'CONFIGURATION',
      'on AWS the reassembly trigger runs as a Lambda on the SegmentCompletions and Jobs streams, not as a worker',
      true,
    );
  }
  const { local } = platform;
  const handler = createChangeHandler({ ...(await portsForRole('reassembly-trigger', platform.ports)), logger });
  const readers = [
    local.createStreamReader({ consumer: 'reassembly-trigger', logger, handler }),
    local.createJobStreamReader({ consumer: 'reassembly-trigger-jobs', logger, handler }),
  ];
  for (const reader of readers) reader.start();
  logger.info('reassembly-trigger started on the embedded SegmentCompletions and Jobs streams');
  return async () => {
    await Promise.all(readers.map((reader) => reader.stop()));
  };
}
