/**
 * The composition root of `stereo-spot up` and `stereo-spot worker`: reads each role's
 * configuration, builds the platform's adapters once, and starts the chosen roles in this process.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import {
  ConfigError,
  loadConfig,
  type AwsPlatformConfig,
  type Env,
  type MediaWorkerConfig,
  type PlatformConfig,
  type ReassemblyTriggerConfig,
  type VideoWorkerConfig,
  type WebUiConfig,
} from '@stereo-spot/config';
import { createLocalPlatform, toDynamoDbStreamRecord, type LocalPlatform } from '@stereo-spot/local-adapters';
import { createLogger, type Logger } from '@stereo-spot/logging';
import { FfmpegMediaProcessor, runMediaWorker } from '@stereo-spot/media-worker';
import {
  createProtectionLease,
  DEFAULT_PROTECTION_MINUTES,
  PipelineError,
  sweepScratch,
  systemClock,
  type PipelinePorts,
  type ProtectionLease,
  type StereoInference,
} from '@stereo-spot/pipeline';
import { createTriggerHandler } from '@stereo-spot/reassembly-trigger';
import { convertFile } from '@stereo-spot/stereo-engine';
import { createInference, runVideoWorker } from '@stereo-spot/video-worker';
import { startWebServer, type WebServer } from '@stereo-spot/web-ui';
import { logsDir, stdoutAndLogFile } from '../commands/ops/log-files';

export const STACK_ROLES = ['web', 'chunking', 'reassembly', 'video', 'trigger'] as const;
export type StackRole = (typeof STACK_ROLES)[number];

/** Names accepted on the command line: the roles, plus `media` (chunking + reassembly). */
export const ROLE_ALIASES: Readonly<Record<string, readonly StackRole[]>> = {
  ...Object.fromEntries(STACK_ROLES.map((role) => [role, [role]])),
  'web-ui': ['web'],
  media: ['chunking', 'reassembly'],
};

export function resolveRoles(names: readonly string[]): StackRole[] {
  const roles = new Set<StackRole>();
  for (const name of names) {
    const expanded = ROLE_ALIASES[name];
    if (expanded === undefined) {
      throw new Error(
        `unknown role ${JSON.stringify(name)}: choose from ${Object.keys(ROLE_ALIASES).join(', ')}`,
      );
    }
    for (const role of expanded) roles.add(role);
  }
  return STACK_ROLES.filter((role) => roles.has(role));
}

interface StackConfigs {
  readonly web?: WebUiConfig;
  readonly media?: MediaWorkerConfig;
  readonly video?: VideoWorkerConfig;
  readonly trigger?: ReassemblyTriggerConfig;
  readonly platform: PlatformConfig;
  readonly logLevel: string;
}

/** Every chosen role's configuration, or one ConfigError-like message naming every problem. */
function loadStackConfigs(roles: readonly StackRole[], env: Env): StackConfigs {
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
  const has = (role: StackRole) => roles.includes(role);
  const web = has('web') ? load(() => loadConfig('web-ui', env)) : undefined;
  const media =
    has('chunking') || has('reassembly') ? load(() => loadConfig('media-worker', env)) : undefined;
  const video = has('video') ? load(() => loadConfig('video-worker', env)) : undefined;
  const trigger = has('trigger') ? load(() => loadConfig('reassembly-trigger', env)) : undefined;
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const all = [web, media, video, trigger].filter((c) => c !== undefined);
  const first = all[0];
  if (first === undefined) throw new Error('no role to run');
  const platform: PlatformConfig =
    first.platform.kind === 'aws'
      ? {
          ...first.platform,
          resources: Object.assign({}, ...all.map((c) => (c.platform as AwsPlatformConfig).resources)),
        }
      : first.platform;
  return {
    ...(web ? { web } : {}),
    ...(media ? { media } : {}),
    ...(video ? { video } : {}),
    ...(trigger ? { trigger } : {}),
    platform,
    logLevel: first.logLevel,
  };
}

export interface StackOptions {
  readonly roles: readonly StackRole[];
  readonly env: Env;
  /** Aborting it stops every role; `done` settles once all have stopped and the platform is closed. */
  readonly signal: AbortSignal;
}

export interface RunningStack {
  /** The web-ui's address, when this process serves it. */
  readonly url?: string;
  readonly done: Promise<void>;
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const configs = loadStackConfigs(options.roles, options.env);
  // Embedded, every role's lines are also appended to <home>/logs/<role>.log (for `ops logs`).
  const logFiles = configs.platform.kind === 'local' ? logsDir(configs.platform.home) : undefined;
  const logger = (name: string): Logger =>
    createLogger({
      name,
      level: configs.logLevel,
      ...(logFiles !== undefined ? { destination: stdoutAndLogFile(logFiles, name) } : {}),
    });
  const stackLogger = logger('stereo-spot');

  let webUrl: string | undefined;
  // Embedded presigned URLs point at the web-ui; a process without it uses where it would listen.
  const platform = await openPlatform(configs.platform, () => webUrl ?? embeddedWebUrl(configs, options.env));
  const scratchDir =
    configs.platform.kind === 'local'
      ? path.join((platform as LocalPlatform).home, 'work')
      : path.join(os.tmpdir(), 'stereo-spot');

  // Workers killed earlier (SIGKILL, a crash) left their scratch folders: remove them now.
  if (configs.media || configs.video) await sweepScratch(scratchDir, stackLogger);

  const running: Promise<unknown>[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  // One scale-in protection for the whole process: every consumer's messages hold it.
  const protection = await taskProtection(configs, stackLogger);
  try {
    if (configs.web) {
      const web = await startWeb(configs.web, platform, logger('web-ui'), path.join(scratchDir, 'previews'));
      webUrl = configs.web.publicBaseUrl ?? web.url;
      cleanups.push(() => web.close());
    }
    if (configs.media) {
      const roles = (['chunking', 'reassembly'] as const).filter((role) => options.roles.includes(role));
      running.push(
        runMediaWorker({
          ports: platform,
          consumer: configs.media.consumer,
          segmentDurationSeconds: configs.media.segmentDurationSeconds,
          janitor: configs.media.janitor,
          mediaLimits: configs.media.mediaLimits,
          ffmpegIdleTimeoutMs: configs.media.ffmpegIdleTimeoutMs,
          scratchDir,
          logger: logger('media-worker'),
          signal: options.signal,
          roles,
          ...(protection !== undefined ? { protection } : {}),
        }),
      );
    }
    if (configs.video) {
      const inference = createInference(configs.video.inference, {
        inputStorage: platform.inputStorage,
        outputStorage: platform.outputStorage,
        scratchDir,
        convertFile,
        ...(await sageMakerFactory(configs.video.platform, platform)),
      });
      running.push(
        runVideoWorker({
          ports: platform,
          inference,
          consumer: configs.video.consumer,
          logger: logger('video-worker'),
          signal: options.signal,
          ...(protection !== undefined ? { protection } : {}),
        }),
      );
    }
    if (configs.trigger) cleanups.push(startEmbeddedTrigger(platform, logger('reassembly-trigger')));
  } catch (error) {
    await Promise.all(cleanups.map((cleanup) => cleanup()));
    await platform.close();
    throw error;
  }

  stackLogger.info(
    { roles: options.roles, platform: configs.platform.kind, url: webUrl },
    'stereo-spot started',
  );
  const done = (async () => {
    await new Promise<void>((resolve) => {
      if (options.signal.aborted) resolve();
      else options.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    stackLogger.info('stopping');
    await Promise.all(running);
    for (const cleanup of cleanups.reverse()) await cleanup();
    await platform.close();
    stackLogger.info('stopped');
  })();
  return { ...(webUrl !== undefined ? { url: webUrl } : {}), done };
}

type OpenPlatform = PipelinePorts & { close(): Promise<void> | void };

async function openPlatform(config: PlatformConfig, publicBaseUrl: () => string): Promise<OpenPlatform> {
  if (config.kind === 'local') {
    return createLocalPlatform({
      home: config.home,
      publicBaseUrl,
      maxReceiveCount: config.maxReceiveCount,
      visibilityTimeoutSeconds: config.queueVisibilityTimeoutSeconds,
    });
  }
  // Loaded only on AWS: the SDK clients take a while to load and the embedded stack never needs them.
  const { createAwsPlatform } = await import('@stereo-spot/aws-adapters');
  const aws = await createAwsPlatform(config);
  return { ...aws, close: () => aws.close() };
}

/** In an ECS task (ECS_AGENT_URI set), the workers' scale-in protection through the task's agent. */
async function taskProtection(configs: StackConfigs, logger: Logger): Promise<ProtectionLease | undefined> {
  const agentUri = configs.media?.consumer.ecsAgentUri ?? configs.video?.consumer.ecsAgentUri;
  if (agentUri === undefined || configs.platform.kind !== 'aws') return undefined;
  const { EcsTaskProtection } = await import('@stereo-spot/aws-adapters');
  return createProtectionLease(new EcsTaskProtection({ agentUri }), {
    logger,
    expiresInMinutes: DEFAULT_PROTECTION_MINUTES,
  });
}

/** On AWS, how the video-worker builds its `sagemaker` backend (the SDK is loaded only there). */
async function sageMakerFactory(
  config: PlatformConfig,
  platform: OpenPlatform,
): Promise<{ createSageMaker?: (endpointName: string) => StereoInference }> {
  if (config.kind !== 'aws') return {};
  const { createSageMakerInference } = await import('@stereo-spot/aws-adapters');
  return {
    createSageMaker: (endpointName) =>
      createSageMakerInference({
        region: config.region,
        ...(config.endpointUrl !== undefined ? { endpoint: config.endpointUrl } : {}),
        endpointName,
        inputBucket: platform.inputStorage.bucket,
        outputBucket: platform.outputStorage.bucket,
      }),
  };
}

function embeddedWebUrl(configs: StackConfigs, env: Env): string {
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
  platform: OpenPlatform,
  logger: Logger,
  previewScratchDir: string,
): Promise<WebServer> {
  const presigned = (platform as Partial<LocalPlatform>).handlePresignedRequest;
  return startWebServer({
    api: {
      ...platform,
      logger,
      clock: systemClock,
      ids: { newJobId: () => randomUUID() },
      maxUploadBytes: config.maxUploadBytes,
      uploadUrlTtlSeconds: 3600,
      downloadUrlTtlSeconds: 3600,
      eventsPollMs: 500,
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
 * The trigger on the embedded platform: the SegmentCompletions and Jobs change streams, as
 * DynamoDB stream records, into the same handler the Lambda runs (a completion, or the job
 * entering `chunking_complete`, whichever comes last). Returns its stop function.
 */
function startEmbeddedTrigger(platform: OpenPlatform, logger: Logger): () => Promise<void> {
  const local = platform as Partial<LocalPlatform>;
  if (local.createStreamReader === undefined || local.createJobStreamReader === undefined) {
    throw new PipelineError(
      'CONFIGURATION',
      'on AWS the reassembly trigger runs as a Lambda on the SegmentCompletions and Jobs streams, not as a worker',
      true,
    );
  }
  const handler = createTriggerHandler({ ...platform, logger });
  const handle = async (records: ReturnType<typeof toDynamoDbStreamRecord>[]) => {
    const response = await handler({ Records: records as never });
    return { failedSequenceNumbers: response.batchItemFailures.map((failure) => failure.itemIdentifier) };
  };
  const readers = [
    local.createStreamReader({
      consumer: 'reassembly-trigger',
      logger,
      handler: (changes) => handle(changes.map(toDynamoDbStreamRecord)),
    }),
    local.createJobStreamReader({
      consumer: 'reassembly-trigger-jobs',
      logger,
      handler: (changes) => handle(changes.map(toDynamoDbStreamRecord)),
    }),
  ];
  for (const reader of readers) reader.start();
  logger.info('reassembly-trigger started on the embedded SegmentCompletions and Jobs streams');
  return async () => {
    await Promise.all(readers.map((reader) => reader.stop()));
  };
}
