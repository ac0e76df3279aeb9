import { ConfigError, type ConfigIssue } from './errors';
import { ROLE_ENV_SCHEMAS, type Role } from './roles';
import {
  AWS_RESOURCE_VARIABLES,
  PLATFORMS,
  VARIABLES,
  type AwsResourceVariable,
  type InferenceBackendName,
  type LOG_LEVELS,
  type Platform,
  type VariableName,
  type VariableSpec,
} from './variables';

export type Env = Readonly<Record<string, string | undefined>>;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LocalPlatformConfig {
  readonly kind: 'local';
  /** Folder holding the objects and the SQLite database (as given; may be relative). */
  readonly home: string;
  readonly queueVisibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
}

export interface AwsPlatformConfig {
  readonly kind: 'aws';
  readonly region: string;
  readonly endpointUrl?: string;
  /** The resource names and queue URLs this role was given, keyed by their variable names. */
  readonly resources: Readonly<Partial<Record<AwsResourceVariable, string>>>;
}

export type PlatformConfig = LocalPlatformConfig | AwsPlatformConfig;

export interface ConsumerConfig {
  readonly longPollWaitSeconds: number;
  /** Undefined: use the queue's own visibility timeout. */
  readonly visibilityTimeoutSeconds?: number;
  readonly shutdownGraceSeconds: number;
  /** The ECS agent of the task this runs in (ECS sets ECS_AGENT_URI): scale-in protection. */
  readonly ecsAgentUri?: string;
}

interface BaseConfig {
  readonly logLevel: LogLevel;
  readonly platform: PlatformConfig;
}

export interface WebUiConfig extends BaseConfig {
  readonly role: 'web-ui';
  readonly port: number;
  readonly host: string;
  /** Undefined: derived from the address the server listens on. */
  readonly publicBaseUrl?: string;
  readonly maxUploadBytes: number;
  readonly authToken?: string;
  readonly limits: WebUiLimitsConfig;
  /** Previews (ffmpeg on user media) made at once. */
  readonly previewConcurrency: number;
  /** Previews of a larger picture are refused (the same limit as chunking's). */
  readonly maxVideoPixels: number;
  /** Kills an ffmpeg silent this long (0: never). */
  readonly ffmpegIdleTimeoutMs: number;
}

/** Per-client limits and the upload idle timeout of the web-ui. */
export interface WebUiLimitsConfig {
  readonly jobCreationsPerMinute: number;
  readonly loginFailuresPerMinute: number;
  readonly maxEventStreams: number;
  readonly maxEventStreamsPerClient: number;
  readonly trustedProxyHops: number;
  readonly uploadIdleTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
}

export interface ChunkingConfig extends BaseConfig {
  readonly role: 'chunking';
  readonly consumer: ConsumerConfig;
  readonly segmentDurationSeconds: number;
  /** The stuck-job janitor next to the chunking loop; `false` when JANITOR_INTERVAL_SECONDS is 0. */
  readonly janitor: false | JanitorConfig;
  /** What an upload may be, checked at chunking. */
  readonly mediaLimits: MediaLimitsConfig;
  /** Kills an ffmpeg silent this long (0: never). */
  readonly ffmpegIdleTimeoutMs: number;
}

export interface ReassemblyConfig extends BaseConfig {
  readonly role: 'reassembly';
  readonly consumer: ConsumerConfig;
  /** Kills an ffmpeg silent this long (0: never). */
  readonly ffmpegIdleTimeoutMs: number;
}

export interface JanitorConfig {
  readonly intervalMs: number;
  readonly graceMs: number;
  readonly maxAgeMs: number;
  /** Inputs of finished jobs are deleted this long after they finished; undefined keeps them. */
  readonly inputRetentionMs?: number;
}

export interface MediaLimitsConfig {
  readonly maxPixels: number;
  readonly maxFrameRate: number;
  readonly maxDurationSeconds: number;
}

/** Tuning of the builtin CPU engine; unset fields keep the engine's defaults. */
export interface BuiltinEngineConfig {
  readonly preset?: string;
  readonly depthResolution?: number;
  readonly threads?: number;
}

export type InferenceConfig =
  | { readonly backend: 'builtin'; readonly engine: BuiltinEngineConfig }
  | {
      readonly backend: 'http';
      readonly url: string;
      /** Sent as `Authorization: Bearer` to a server that requires it (INFERENCE_SHARED_SECRET). */
      readonly sharedSecret?: string;
    }
  | { readonly backend: 'sagemaker'; readonly endpointName: string };

export interface VideoWorkerConfig extends BaseConfig {
  readonly role: 'video-worker';
  readonly consumer: ConsumerConfig;
  readonly inference: InferenceConfig;
}

export interface ReassemblyTriggerConfig extends BaseConfig {
  readonly role: 'reassembly-trigger';
}

export interface OpsConfig extends BaseConfig {
  readonly role: 'ops';
  readonly segmentDurationSeconds: number;
}

export interface RoleConfigs {
  'web-ui': WebUiConfig;
  chunking: ChunkingConfig;
  'video-worker': VideoWorkerConfig;
  reassembly: ReassemblyConfig;
  'reassembly-trigger': ReassemblyTriggerConfig;
  ops: OpsConfig;
}

/** Defaults, per platform where they differ. Variables without a default are optional or required. */
/** Defaults both platforms share. */
const SHARED_DEFAULTS: Partial<Record<VariableName, string>> = {
  SQS_LONG_POLL_WAIT_SECONDS: '20',
  JANITOR_INTERVAL_SECONDS: '60',
  JANITOR_GRACE_MINUTES: '15',
  JOB_MAX_AGE_HOURS: '24',
  MAX_VIDEO_PIXELS: String(7680 * 4320),
  MAX_VIDEO_FRAME_RATE: '120',
  MAX_VIDEO_DURATION_SECONDS: String(3 * 3600),
  FFMPEG_IDLE_TIMEOUT_SECONDS: '300',
  PREVIEW_CONCURRENCY: '2',
  MAX_UPLOAD_BYTES: String(5 * 1024 ** 3),
  PORT: '8080',
  WEB_UI_JOB_CREATIONS_PER_MINUTE: '30',
  WEB_UI_LOGIN_FAILURES_PER_MINUTE: '5',
  WEB_UI_MAX_EVENT_STREAMS: '200',
  WEB_UI_MAX_EVENT_STREAMS_PER_CLIENT: '20',
  WEB_UI_TRUSTED_PROXY_HOPS: '0',
  UPLOAD_IDLE_TIMEOUT_SECONDS: '60',
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '72',
  LOG_LEVEL: 'info',
};

export const DEFAULTS: Readonly<Record<Platform, Partial<Record<VariableName, string>>>> = {
  local: {
    ...SHARED_DEFAULTS,
    STEREO_SPOT_PLATFORM: 'local',
    STEREO_SPOT_HOME: './.stereo-spot',
    // Shorter than the SQS queues' (@stereo-spot/contracts): work a stopped `npm start` held comes
    // back within a minute; the heartbeat covers longer work.
    LOCAL_QUEUE_VISIBILITY_TIMEOUT_SECONDS: '60',
    LOCAL_QUEUE_MAX_RECEIVE_COUNT: '3',
    SHUTDOWN_GRACE_SECONDS: '2',
    SEGMENT_DURATION_SECONDS: '10',
    INPUT_RETENTION_HOURS: '24',
    INFERENCE_BACKEND: 'builtin',
    HOST: '127.0.0.1',
  },
  aws: {
    ...SHARED_DEFAULTS,
    SHUTDOWN_GRACE_SECONDS: '25',
    SEGMENT_DURATION_SECONDS: '300',
    // S3 expires input/ with a lifecycle rule; listing the bucket every sweep would cost more.
    INPUT_RETENTION_HOURS: '0',
    HOST: '0.0.0.0',
  },
};

type Values = Partial<Record<VariableName, unknown>>;

/** Empty strings count as unset (an `ENV X=` line in a task definition means "not given"). */
function read(env: Env, variable: VariableName): string | undefined {
  const value = env[variable];
  return value === undefined || value.trim() === '' ? undefined : value;
}

function parseVariable(variable: VariableName, raw: string, issues: ConfigIssue[]): unknown {
  const parsed = VARIABLES[variable].schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues[0]?.message ?? 'is invalid';
  const spec: VariableSpec = VARIABLES[variable];
  issues.push({ variable, problem: spec.secret ? message : `${message} (got ${JSON.stringify(raw)})` });
  return undefined;
}

function readPlatform(env: Env, issues: ConfigIssue[]): Platform {
  const raw = read(env, 'STEREO_SPOT_PLATFORM');
  if (raw === undefined) return 'local';
  const value = parseVariable('STEREO_SPOT_PLATFORM', raw, issues);
  return PLATFORMS.includes(value as Platform) ? (value as Platform) : 'local';
}

/**
 * Reads and validates one role's environment. Throws ConfigError naming EVERY missing or bad
 * variable at once, so a deployment is fixed in one round.
 */
export function loadConfig<R extends Role>(role: R, env: Env): RoleConfigs[R] {
  const issues: ConfigIssue[] = [];
  const platform = readPlatform(env, issues);
  const spec = ROLE_ENV_SCHEMAS[role][platform];
  const values: Values = {};

  for (const variable of spec.required) {
    const raw = read(env, variable);
    if (raw === undefined)
      issues.push({ variable, problem: `missing (required for ${role} on ${platform})` });
    else values[variable] = parseVariable(variable, raw, issues);
  }
  for (const variable of spec.optional) {
    if (variable === 'STEREO_SPOT_PLATFORM') continue;
    const raw = read(env, variable) ?? DEFAULTS[platform][variable];
    if (raw !== undefined) values[variable] = parseVariable(variable, raw, issues);
  }
  for (const { variable, when } of spec.conditional) {
    if (values[when.variable] === when.equals && read(env, variable) === undefined) {
      issues.push({ variable, problem: `missing (required when ${when.variable}=${when.equals})` });
    }
  }
  if (issues.length > 0) throw new ConfigError(role, platform, issues);
  return build(role, platform, values) as RoleConfigs[R];
}

function platformConfig(platform: Platform, values: Values): PlatformConfig {
  if (platform === 'local') {
    return {
      kind: 'local',
      home: values.STEREO_SPOT_HOME as string,
      queueVisibilityTimeoutSeconds: values.LOCAL_QUEUE_VISIBILITY_TIMEOUT_SECONDS as number,
      maxReceiveCount: values.LOCAL_QUEUE_MAX_RECEIVE_COUNT as number,
    };
  }
  const resources: Partial<Record<AwsResourceVariable, string>> = {};
  for (const variable of AWS_RESOURCE_VARIABLES) {
    if (typeof values[variable] === 'string') resources[variable] = values[variable] as string;
  }
  return {
    kind: 'aws',
    region: values.AWS_REGION as string,
    ...(values.AWS_ENDPOINT_URL !== undefined ? { endpointUrl: values.AWS_ENDPOINT_URL as string } : {}),
    resources,
  };
}

function consumerConfig(values: Values): ConsumerConfig {
  return {
    longPollWaitSeconds: values.SQS_LONG_POLL_WAIT_SECONDS as number,
    shutdownGraceSeconds: values.SHUTDOWN_GRACE_SECONDS as number,
    ...(values.QUEUE_VISIBILITY_TIMEOUT_SECONDS !== undefined
      ? { visibilityTimeoutSeconds: values.QUEUE_VISIBILITY_TIMEOUT_SECONDS as number }
      : {}),
    ...(values.ECS_AGENT_URI !== undefined ? { ecsAgentUri: values.ECS_AGENT_URI as string } : {}),
  };
}

function inferenceConfig(values: Values): InferenceConfig {
  const backend = values.INFERENCE_BACKEND as InferenceBackendName;
  if (backend === 'http') {
    return {
      backend,
      url: values.INFERENCE_HTTP_URL as string,
      ...(values.INFERENCE_SHARED_SECRET !== undefined ? { sharedSecret: values.INFERENCE_SHARED_SECRET as string } : {}),
    };
  }
  if (backend === 'sagemaker') return { backend, endpointName: values.SAGEMAKER_ENDPOINT_NAME as string };
  const engine: BuiltinEngineConfig = {
    ...(values.BUILTIN_ENGINE_PRESET !== undefined ? { preset: values.BUILTIN_ENGINE_PRESET as string } : {}),
    ...(values.BUILTIN_ENGINE_DEPTH_RESOLUTION !== undefined
      ? { depthResolution: values.BUILTIN_ENGINE_DEPTH_RESOLUTION as number }
      : {}),
    ...(values.BUILTIN_ENGINE_THREADS !== undefined
      ? { threads: values.BUILTIN_ENGINE_THREADS as number }
      : {}),
  };
  return { backend: 'builtin', engine };
}

function build(role: Role, platform: Platform, values: Values): RoleConfigs[Role] {
  const base = { logLevel: values.LOG_LEVEL as LogLevel, platform: platformConfig(platform, values) };
  switch (role) {
    case 'web-ui':
      return {
        ...base,
        role,
        port: values.PORT as number,
        host: values.HOST as string,
        maxUploadBytes: values.MAX_UPLOAD_BYTES as number,
        ...(values.PUBLIC_BASE_URL !== undefined
          ? { publicBaseUrl: (values.PUBLIC_BASE_URL as string).replace(/\/+$/, '') }
          : {}),
        ...(values.WEB_UI_AUTH_TOKEN !== undefined ? { authToken: values.WEB_UI_AUTH_TOKEN as string } : {}),
        limits: {
          jobCreationsPerMinute: values.WEB_UI_JOB_CREATIONS_PER_MINUTE as number,
          loginFailuresPerMinute: values.WEB_UI_LOGIN_FAILURES_PER_MINUTE as number,
          maxEventStreams: values.WEB_UI_MAX_EVENT_STREAMS as number,
          maxEventStreamsPerClient: values.WEB_UI_MAX_EVENT_STREAMS_PER_CLIENT as number,
          trustedProxyHops: values.WEB_UI_TRUSTED_PROXY_HOPS as number,
          uploadIdleTimeoutMs: (values.UPLOAD_IDLE_TIMEOUT_SECONDS as number) * 1000,
          keepAliveTimeoutMs: (values.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS as number) * 1000,
        },
        previewConcurrency: values.PREVIEW_CONCURRENCY as number,
        maxVideoPixels: values.MAX_VIDEO_PIXELS as number,
        ffmpegIdleTimeoutMs: (values.FFMPEG_IDLE_TIMEOUT_SECONDS as number) * 1000,
      };
    case 'chunking':
      return {
        ...base,
        role,
        consumer: consumerConfig(values),
        segmentDurationSeconds: values.SEGMENT_DURATION_SECONDS as number,
        janitor:
          values.JANITOR_INTERVAL_SECONDS === 0
            ? false
            : {
                intervalMs: (values.JANITOR_INTERVAL_SECONDS as number) * 1000,
                graceMs: (values.JANITOR_GRACE_MINUTES as number) * 60_000,
                maxAgeMs: (values.JOB_MAX_AGE_HOURS as number) * 3_600_000,
                ...(values.INPUT_RETENTION_HOURS !== 0
                  ? { inputRetentionMs: (values.INPUT_RETENTION_HOURS as number) * 3_600_000 }
                  : {}),
              },
        mediaLimits: {
          maxPixels: values.MAX_VIDEO_PIXELS as number,
          maxFrameRate: values.MAX_VIDEO_FRAME_RATE as number,
          maxDurationSeconds: values.MAX_VIDEO_DURATION_SECONDS as number,
        },
        ffmpegIdleTimeoutMs: (values.FFMPEG_IDLE_TIMEOUT_SECONDS as number) * 1000,
      };
    case 'video-worker':
      return { ...base, role, consumer: consumerConfig(values), inference: inferenceConfig(values) };
    case 'reassembly':
      return {
        ...base,
        role,
        consumer: consumerConfig(values),
        ffmpegIdleTimeoutMs: (values.FFMPEG_IDLE_TIMEOUT_SECONDS as number) * 1000,
      };
    case 'reassembly-trigger':
      return { ...base, role };
    case 'ops':
      return { ...base, role, segmentDurationSeconds: values.SEGMENT_DURATION_SECONDS as number };
  }
}
