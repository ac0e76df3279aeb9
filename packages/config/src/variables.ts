/**
 * Every environment variable stereo-spot reads, as data: its zod schema (from the raw string) and
 * a one-line meaning. Roles pick from this table (see roles.ts); nothing else reads process.env.
 */
import { z } from 'zod';

export const PLATFORMS = ['local', 'aws'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const INFERENCE_BACKENDS = ['builtin', 'http', 'sagemaker'] as const;
export type InferenceBackendName = (typeof INFERENCE_BACKENDS)[number];

/** Who authenticates inference-server callers (see docs/security.md#inference-server). */
export const INFERENCE_AUTH_MODES = ['shared-secret', 'sagemaker'] as const;
export type InferenceAuthMode = (typeof INFERENCE_AUTH_MODES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, `must be an integer from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const positiveSeconds = (max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be a number of seconds')
    .transform(Number)
    .pipe(z.number().positive('must be greater than 0').max(max, `must be at most ${max}`));

const name = z.string().trim().min(1, 'must not be empty');
const httpUrl = z
  .string()
  .trim()
  .refine((value) => /^https?:\/\/[^\s]+$/.test(value), 'must be an http(s) URL');

export interface VariableSpec {
  readonly schema: z.ZodType<unknown, string>;
  readonly meaning: string;
  /** Its value never appears in an error message. */
  readonly secret?: boolean;
}

/** Queue URLs and resource names the AWS platform needs, in the runbooks' spelling. */
export const AWS_RESOURCE_VARIABLES = [
  'INPUT_BUCKET_NAME',
  'OUTPUT_BUCKET_NAME',
  'JOBS_TABLE_NAME',
  'SEGMENT_COMPLETIONS_TABLE_NAME',
  'REASSEMBLY_TRIGGERED_TABLE_NAME',
  'CHUNKING_QUEUE_URL',
  'VIDEO_WORKER_QUEUE_URL',
  'REASSEMBLY_QUEUE_URL',
  'CHUNKING_DLQ_URL',
  'VIDEO_WORKER_DLQ_URL',
  'REASSEMBLY_DLQ_URL',
] as const;
export type AwsResourceVariable = (typeof AWS_RESOURCE_VARIABLES)[number];

export const VARIABLES = {
  STEREO_SPOT_PLATFORM: {
    schema: z.enum(PLATFORMS, { error: `must be one of ${PLATFORMS.join(', ')}` }),
    meaning: 'which adapters to use: `local` (files + SQLite) or `aws`',
  },
  STEREO_SPOT_HOME: {
    schema: name,
    meaning: 'embedded platform: folder holding the objects and the SQLite database',
  },
  LOCAL_QUEUE_VISIBILITY_TIMEOUT_SECONDS: {
    schema: integer(1, 43_200),
    meaning: 'embedded platform: default visibility timeout of the queues',
  },
  LOCAL_QUEUE_MAX_RECEIVE_COUNT: {
    schema: integer(1, 1000),
    meaning: 'embedded platform: receives before a message moves to its dead-letter queue',
  },
  AWS_REGION: { schema: name, meaning: 'AWS region of every resource' },
  AWS_ENDPOINT_URL: { schema: httpUrl, meaning: 'endpoint override (an emulator such as moto_server)' },
  INPUT_BUCKET_NAME: {
    schema: name,
    meaning: 'bucket for uploads (`input/`) and source segments (`segments/`)',
  },
  OUTPUT_BUCKET_NAME: { schema: name, meaning: 'bucket for converted segments and finals (`jobs/`)' },
  JOBS_TABLE_NAME: { schema: name, meaning: 'DynamoDB Jobs table' },
  SEGMENT_COMPLETIONS_TABLE_NAME: { schema: name, meaning: 'DynamoDB SegmentCompletions table' },
  REASSEMBLY_TRIGGERED_TABLE_NAME: { schema: name, meaning: 'DynamoDB ReassemblyTriggered table' },
  CHUNKING_QUEUE_URL: { schema: httpUrl, meaning: 'SQS queue of upload notifications' },
  VIDEO_WORKER_QUEUE_URL: { schema: httpUrl, meaning: 'SQS queue of segment notifications' },
  REASSEMBLY_QUEUE_URL: { schema: httpUrl, meaning: 'SQS queue of `{"job_id"}` reassembly messages' },
  CHUNKING_DLQ_URL: { schema: httpUrl, meaning: 'dead-letter queue of the chunking queue (operators)' },
  VIDEO_WORKER_DLQ_URL: {
    schema: httpUrl,
    meaning: 'dead-letter queue of the video-worker queue (operators)',
  },
  REASSEMBLY_DLQ_URL: { schema: httpUrl, meaning: 'dead-letter queue of the reassembly queue (operators)' },
  SQS_LONG_POLL_WAIT_SECONDS: {
    schema: integer(0, 20),
    meaning: 'long-poll wait of every receive, 0–20 s',
  },
  QUEUE_VISIBILITY_TIMEOUT_SECONDS: {
    schema: integer(1, 43_200),
    meaning: "visibility timeout a worker asks for on receive (and extends by); default: the queue's",
  },
  SHUTDOWN_GRACE_SECONDS: {
    schema: integer(0, 120),
    meaning: 'on SIGTERM, how long running work may finish before it is aborted and its message released',
  },
  ECS_AGENT_URI: {
    schema: httpUrl,
    meaning:
      'set by ECS in every task: the workers protect their task from scale-in through it while they work on a message',
  },
  SEGMENT_DURATION_SECONDS: {
    schema: positiveSeconds(3600),
    meaning: 'target segment length for chunking (segments split at the next keyframe)',
  },
  JANITOR_INTERVAL_SECONDS: {
    schema: integer(0, 86_400),
    meaning: "media-worker: seconds between the stuck-job janitor's sweeps; 0 turns the janitor off",
  },
  JANITOR_GRACE_MINUTES: {
    schema: integer(1, 10_080),
    meaning: 'janitor: how long a job must sit untouched before it is recovered or its reassembly triggered',
  },
  JOB_MAX_AGE_HOURS: {
    schema: integer(1, 8_760),
    meaning: 'janitor: a job still unfinished this long after creation is marked failed',
  },
  INPUT_RETENTION_HOURS: {
    schema: integer(0, 8_760),
    meaning: "janitor: uploads (input/) of completed or failed jobs are deleted this long after the job finished; 0 keeps them",
  },
  MAX_VIDEO_PIXELS: {
    schema: integer(1, 1_000_000_000),
    meaning: 'chunking and previews: largest width × height of an uploaded video (the job fails, the preview is refused, above it)',
  },
  MAX_VIDEO_FRAME_RATE: {
    schema: integer(1, 10_000),
    meaning: 'chunking: highest frame rate (frames per second) of an uploaded video',
  },
  MAX_VIDEO_DURATION_SECONDS: {
    schema: integer(1, 31_536_000),
    meaning: 'chunking: longest duration of an uploaded video',
  },
  FFMPEG_IDLE_TIMEOUT_SECONDS: {
    schema: integer(0, 86_400),
    meaning: 'media-worker and previews: an ffmpeg that prints nothing (no progress) this long is killed; 0 turns it off',
  },
  PREVIEW_CONCURRENCY: {
    schema: integer(1, 64),
    meaning: 'web-ui: previews made at once; more requests wait, and beyond 8 waiting per slot get 503',
  },
  INFERENCE_BACKEND: {
    schema: z.enum(INFERENCE_BACKENDS, { error: `must be one of ${INFERENCE_BACKENDS.join(', ')}` }),
    meaning: 'how the video-worker converts a segment',
  },
  SAGEMAKER_ENDPOINT_NAME: {
    schema: name,
    meaning: 'SageMaker async endpoint (INFERENCE_BACKEND=sagemaker)',
  },
  INFERENCE_HTTP_URL: { schema: httpUrl, meaning: 'inference server base URL (INFERENCE_BACKEND=http)' },
  INFERENCE_SHARED_SECRET: {
    schema: z.string().min(32, 'must be at least 32 characters'),
    secret: true,
    meaning:
      'inference server: the secret every `/invocations` call must carry (`Authorization: Bearer`); the video-worker sends it (INFERENCE_BACKEND=http)',
  },
  INFERENCE_AUTH: {
    schema: z.enum(INFERENCE_AUTH_MODES, { error: `must be one of ${INFERENCE_AUTH_MODES.join(', ')}` }),
    meaning:
      'inference server: who authenticates callers, `shared-secret` (INFERENCE_SHARED_SECRET) or `sagemaker` (the SageMaker platform, with IAM)',
  },
  INFERENCE_ALLOWED_URL_HOSTS: {
    schema: z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((host) => host.trim().toLowerCase())
          .filter((host) => host !== ''),
      )
      .pipe(
        z.array(
          z
            .string()
            .regex(/^(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/, 'must be a comma-separated list of host[:port] or *.domain entries'),
        ),
      ),
    meaning: 'inference server: the only hosts `input_url` / `output_url` may name (none by default: S3 URIs only)',
  },
  INFERENCE_MAX_INPUT_BYTES: {
    schema: integer(1, Number.MAX_SAFE_INTEGER),
    meaning: 'inference server: largest segment it downloads; a larger input is refused (413)',
  },
  INFERENCE_TRANSFER_TIMEOUT_SECONDS: {
    schema: integer(1, 86_400),
    meaning: 'inference server: longest one download or upload may take',
  },
  BUILTIN_ENGINE_PRESET: {
    schema: z
      .string()
      .trim()
      .regex(/^[a-z]+$/, 'must be an x264 preset name such as ultrafast, veryfast, medium'),
    meaning: "builtin engine: the encoder's speed preset (default: the engine's, veryfast)",
  },
  BUILTIN_ENGINE_DEPTH_RESOLUTION: {
    schema: integer(16, 4096),
    meaning: "builtin engine: long side of the depth analysis grid (lower is faster; default: the engine's)",
  },
  BUILTIN_ENGINE_THREADS: {
    schema: integer(0, 64),
    meaning: 'builtin engine: view-synthesis worker threads (default: one per CPU, at most 8)',
  },
  MAX_UPLOAD_BYTES: {
    schema: integer(1, Number.MAX_SAFE_INTEGER),
    meaning: 'largest accepted upload, enforced on the presigned URL',
  },
  PORT: { schema: integer(0, 65_535), meaning: 'web-ui listening port (0 = any free port)' },
  HOST: { schema: name, meaning: 'web-ui listening address' },
  PUBLIC_BASE_URL: {
    schema: httpUrl,
    meaning: 'URL browsers use to reach the web-ui (embedded presigned URLs point here)',
  },
  WEB_UI_AUTH_TOKEN: {
    schema: z.string().min(16, 'must be at least 16 characters'),
    secret: true,
    meaning: 'when set, every API call needs `Authorization: Bearer <token>`',
  },
  WEB_UI_JOB_CREATIONS_PER_MINUTE: {
    schema: integer(1, 100_000),
    meaning: 'web-ui: new jobs one client may create per minute (then 429 with Retry-After)',
  },
  WEB_UI_LOGIN_FAILURES_PER_MINUTE: {
    schema: integer(1, 1000),
    meaning: 'web-ui: wrong tokens (sign-in or bearer) one client may send per minute (then 429)',
  },
  WEB_UI_MAX_EVENT_STREAMS: {
    schema: integer(1, 100_000),
    meaning: 'web-ui: progress (SSE) streams open at once in total (then 503)',
  },
  WEB_UI_MAX_EVENT_STREAMS_PER_CLIENT: {
    schema: integer(1, 10_000),
    meaning: 'web-ui: progress (SSE) streams one client may hold open (then 429)',
  },
  WEB_UI_TRUSTED_PROXY_HOPS: {
    schema: integer(0, 10),
    meaning: 'web-ui: reverse proxies in front whose X-Forwarded-For names the client (1 behind a load balancer)',
  },
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: {
    schema: integer(1, 4000),
    meaning:
      'web-ui: an idle keep-alive connection is closed after this long; behind a load balancer it must exceed the balancer\'s idle timeout, or the balancer reuses a closed connection (502)',
  },
  UPLOAD_IDLE_TIMEOUT_SECONDS: {
    schema: integer(1, 3600),
    meaning: 'embedded upload: fails after this long without a byte arriving (no limit on the total time)',
  },
  LOG_LEVEL: {
    schema: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }),
    meaning: 'pino log level',
  },
  LOG_FORMAT: {
    schema: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }),
    meaning: 'log lines on stdout: `pretty` (time, level, component, message) or `json`; unset: pretty on a terminal, JSON otherwise',
  },
} as const satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof VARIABLES;
