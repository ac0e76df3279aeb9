/**
 * Which variables each role reads, per platform, as data. The roles are the pipeline's
 * (PIPELINE_ROLES: the queue names, the web UI and the reassembly trigger) plus `ops`, the
 * operator's commands. A process running several roles (the media-worker image runs `chunking`
 * and `reassembly`) needs the variables of each. The infrastructure's contract test reads
 * `ROLE_ENV_SCHEMAS` to check that every ECS task definition sets every required variable.
 */
import { AWS_RESOURCE_VARIABLES, type Platform, type VariableName } from './variables';

export const ROLES = ['web-ui', 'chunking', 'video-worker', 'reassembly', 'reassembly-trigger', 'ops'] as const;
export type Role = (typeof ROLES)[number];

/** A variable required only when another variable has a given value. */
export interface ConditionalRequirement {
  readonly variable: VariableName;
  readonly when: { readonly variable: VariableName; readonly equals: string };
}

export interface RoleEnvSpec {
  readonly required: readonly VariableName[];
  readonly optional: readonly VariableName[];
  readonly conditional: readonly ConditionalRequirement[];
}

const COMMON: readonly VariableName[] = ['STEREO_SPOT_PLATFORM', 'LOG_LEVEL', 'LOG_FORMAT'];
const LOCAL: readonly VariableName[] = [
  'STEREO_SPOT_HOME',
  'LOCAL_QUEUE_VISIBILITY_TIMEOUT_SECONDS',
  'LOCAL_QUEUE_MAX_RECEIVE_COUNT',
];
const CONSUMER: readonly VariableName[] = [
  'SQS_LONG_POLL_WAIT_SECONDS',
  'QUEUE_VISIBILITY_TIMEOUT_SECONDS',
  'SHUTDOWN_GRACE_SECONDS',
  'ECS_AGENT_URI',
];
const BUCKETS: readonly VariableName[] = ['INPUT_BUCKET_NAME', 'OUTPUT_BUCKET_NAME'];
const INFERENCE_CONDITIONS: readonly ConditionalRequirement[] = [
  { variable: 'SAGEMAKER_ENDPOINT_NAME', when: { variable: 'INFERENCE_BACKEND', equals: 'sagemaker' } },
  { variable: 'INFERENCE_HTTP_URL', when: { variable: 'INFERENCE_BACKEND', equals: 'http' } },
];

interface RoleNeeds {
  /** AWS resources the role touches (required on `aws`). */
  readonly awsResources: readonly VariableName[];
  /** Role settings with defaults on both platforms. */
  readonly settings: readonly VariableName[];
  /** Settings that have a default embedded but must be chosen explicitly on AWS. */
  readonly explicitOnAws?: readonly VariableName[];
  readonly conditional?: readonly ConditionalRequirement[];
}

const NEEDS: Readonly<Record<Role, RoleNeeds>> = {
  'web-ui': {
    awsResources: [
      ...BUCKETS,
      'JOBS_TABLE_NAME',
      'SEGMENT_COMPLETIONS_TABLE_NAME',
      'REASSEMBLY_TRIGGERED_TABLE_NAME',
    ],
    settings: [
      'MAX_UPLOAD_BYTES',
      'PORT',
      'HOST',
      'PUBLIC_BASE_URL',
      'WEB_UI_AUTH_TOKEN',
      'WEB_UI_JOB_CREATIONS_PER_MINUTE',
      'WEB_UI_LOGIN_FAILURES_PER_MINUTE',
      'WEB_UI_MAX_EVENT_STREAMS',
      'WEB_UI_MAX_EVENT_STREAMS_PER_CLIENT',
      'WEB_UI_TRUSTED_PROXY_HOPS',
      'UPLOAD_IDLE_TIMEOUT_SECONDS',
      'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS',
      'PREVIEW_CONCURRENCY',
      'MAX_VIDEO_PIXELS',
      'FFMPEG_IDLE_TIMEOUT_SECONDS',
    ],
  },
  // The chunking loop and the stuck-job janitor next to it (which re-sends reassemblies).
  chunking: {
    awsResources: [
      'INPUT_BUCKET_NAME',
      'JOBS_TABLE_NAME',
      'SEGMENT_COMPLETIONS_TABLE_NAME',
      'REASSEMBLY_TRIGGERED_TABLE_NAME',
      'CHUNKING_QUEUE_URL',
      'REASSEMBLY_QUEUE_URL',
    ],
    settings: [
      ...CONSUMER,
      'SEGMENT_DURATION_SECONDS',
      'JANITOR_INTERVAL_SECONDS',
      'JANITOR_GRACE_MINUTES',
      'JOB_MAX_AGE_HOURS',
      'INPUT_RETENTION_HOURS',
      'MAX_VIDEO_PIXELS',
      'MAX_VIDEO_FRAME_RATE',
      'MAX_VIDEO_DURATION_SECONDS',
      'FFMPEG_IDLE_TIMEOUT_SECONDS',
    ],
  },
  reassembly: {
    awsResources: [
      ...BUCKETS,
      'JOBS_TABLE_NAME',
      'SEGMENT_COMPLETIONS_TABLE_NAME',
      'REASSEMBLY_TRIGGERED_TABLE_NAME',
      'REASSEMBLY_QUEUE_URL',
    ],
    settings: [...CONSUMER, 'FFMPEG_IDLE_TIMEOUT_SECONDS'],
  },
  'video-worker': {
    awsResources: [...BUCKETS, 'JOBS_TABLE_NAME', 'SEGMENT_COMPLETIONS_TABLE_NAME', 'VIDEO_WORKER_QUEUE_URL'],
    settings: [
      ...CONSUMER,
      'SAGEMAKER_ENDPOINT_NAME',
      'INFERENCE_HTTP_URL',
      'INFERENCE_SHARED_SECRET',
      'BUILTIN_ENGINE_PRESET',
      'BUILTIN_ENGINE_DEPTH_RESOLUTION',
      'BUILTIN_ENGINE_THREADS',
    ],
    explicitOnAws: ['INFERENCE_BACKEND'],
    conditional: INFERENCE_CONDITIONS,
  },
  'reassembly-trigger': {
    awsResources: [
      'JOBS_TABLE_NAME',
      'SEGMENT_COMPLETIONS_TABLE_NAME',
      'REASSEMBLY_TRIGGERED_TABLE_NAME',
      'REASSEMBLY_QUEUE_URL',
    ],
    settings: [],
  },
  // The runbooks reach every resource.
  ops: {
    awsResources: AWS_RESOURCE_VARIABLES,
    settings: ['SEGMENT_DURATION_SECONDS'],
  },
};

function specFor(role: Role, platform: Platform): RoleEnvSpec {
  const needs = NEEDS[role];
  const explicit = needs.explicitOnAws ?? [];
  if (platform === 'local') {
    return {
      required: [],
      optional: [...COMMON, ...LOCAL, ...explicit, ...needs.settings],
      conditional: needs.conditional ?? [],
    };
  }
  return {
    required: ['AWS_REGION', ...needs.awsResources, ...explicit],
    optional: [...COMMON, 'AWS_ENDPOINT_URL', ...needs.settings],
    conditional: needs.conditional ?? [],
  };
}

/** Per role and platform: the variables it requires, the ones it reads when set, the conditional ones. */
export const ROLE_ENV_SCHEMAS: Readonly<Record<Role, Readonly<Record<Platform, RoleEnvSpec>>>> =
  Object.fromEntries(
    ROLES.map((role) => [role, { local: specFor(role, 'local'), aws: specFor(role, 'aws') }]),
  ) as Record<Role, Record<Platform, RoleEnvSpec>>;
