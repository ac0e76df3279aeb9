/**
 * The deployment's settings (the "variables" of the stack), validated with zod. They are read at
 * synth time, so choices that add or remove resources (the inference backend, the alarm e-mail,
 * the HTTPS certificate, the SageMaker endpoint) give a plan without conditional `count` tricks.
 *
 * Sources, later wins: defaults ← a JSON file (`packages/aws-infra/settings.json`, or the path in
 * STEREO_SPOT_INFRA_SETTINGS) ← environment variables `STEREO_SPOT_<KEY IN UPPER CASE>`
 * (e.g. STEREO_SPOT_ECS_IMAGE_TAG). Without any of them, the region is AWS_REGION's.
 */
import { z } from 'zod';
import { SAGEMAKER_INVOCATIONS_PER_INSTANCE, VIDEO_WORKERS_PER_INVOCATION_SLOT } from './constants';
import { AwsInfraError } from './errors';

/** Video-workers the endpoint keeps busy without queueing requests past their wait. */
export const sagemakerVideoWorkerCapacity = (maxInstances: number): number =>
  maxInstances * SAGEMAKER_INVOCATIONS_PER_INSTANCE * VIDEO_WORKERS_PER_INVOCATION_SLOT;

/** The video-worker's maximum task count: the setting, else what the inference backend can serve. */
export const videoWorkerMaxCapacity = (settings: StackSettings): number =>
  settings.ecs_video_worker_max_capacity ??
  (settings.inference_backend === 'sagemaker' ? sagemakerVideoWorkerCapacity(settings.sagemaker_max_instance_count) : 8);

/** CloudWatch Logs accepts only these retention periods. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653,
] as const;

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const imageTag = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be a Docker image tag ([A-Za-z0-9_.-], up to 128)');
const httpUrl = z.string().regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an http(s) URL');
const arnOf = (service: string) =>
  z.string().regex(new RegExp(`^arn:aws[a-z-]*:${service}:`), `must be an ${service} ARN`);

export const SettingsSchema = z
  .object({
    /** AWS region of every resource. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1')
      .default('us-east-1'),
    /** Prefix of every resource name; log groups are `/ecs/<prefix>-web-ui` and so on. */
    name_prefix: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,18}[a-z0-9]$/, 'must be 2–20 lowercase letters, digits or dashes')
      .default('stereo-spot'),
    /** How the video-worker converts segments on AWS. */
    inference_backend: z.enum(['sagemaker', 'http']).default('sagemaker'),
    /** Base URL of an inference server (required when inference_backend=http). */
    inference_http_url: httpUrl.optional(),
    /**
     * Secrets Manager secret whose value becomes the video-worker's INFERENCE_SHARED_SECRET
     * (required when inference_backend=http: the server refuses to listen beyond loopback without one).
     */
    inference_shared_secret_arn: arnOf('secretsmanager').optional(),
    /**
     * Tag of the web-ui, media-worker and video-worker images. Unset on the first deploy (the
     * repositories are empty): the web-ui service then runs 0 tasks until a tag is given.
     */
    ecs_image_tag: imageTag.optional(),
    ecs_media_worker_max_capacity: int(1, 200).default(10),
    /**
     * Most video-worker tasks. Unset: with inference_backend=sagemaker, what the endpoint can serve
     * (sagemaker_max_instance_count × invocations per instance × 2: one converting, one queued);
     * with http, 8. A larger value with sagemaker is refused: its requests would wait in the
     * endpoint's queue past the video-worker's wait and end in the DLQ.
     */
    ecs_video_worker_max_capacity: int(1, 200).optional(),
    web_ui_desired_count: int(1, 20).default(1),
    /** Target length of a segment (the runbooks' ~5 minutes). */
    segment_duration_seconds: z.number().positive().max(3600).default(300),
    sqs_long_poll_wait_seconds: int(0, 20).default(20),
    /** Largest upload the web UI accepts; unset: the app's default. */
    max_upload_bytes: z.number().int().positive().optional(),
    /**
     * Tag of the inference image in ECR. Unset: no SageMaker model, endpoint configuration or
     * endpoint is created (the first-apply problem: the image does not exist yet).
     */
    sagemaker_image_tag: imageTag.optional(),
    sagemaker_instance_type: z
      .string()
      .regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/, 'must be a SageMaker instance type such as ml.g4dn.xlarge')
      .default('ml.g4dn.xlarge'),
    /** Instances the endpoint starts with; auto scaling then follows the backlog between 0 and the maximum. */
    sagemaker_instance_count: int(1, 20).default(1),
    /** Most instances the backlog may scale the endpoint to (it scales to 0 when idle). */
    sagemaker_max_instance_count: int(1, 20).default(2),
    /**
     * The SageMaker host image (NVIDIA driver + CUDA) of the endpoint's instances. The inference
     * image's PyTorch wheels are CUDA 12.x (12.8 at nunif's pin; they carry their CUDA libraries),
     * which the host's driver runs through CUDA's minor-version compatibility: the newest driver
     * SageMaker offers is the safest, al2-ami-sagemaker-inference-gpu-3-1 (driver 550).
     */
    sagemaker_inference_ami_version: z
      .string()
      .regex(/^al2-ami-sagemaker-inference-gpu-[0-9-]+$/, 'must be a SageMaker inference AMI version such as al2-ami-sagemaker-inference-gpu-3-1')
      .default('al2-ami-sagemaker-inference-gpu-3-1'),
    /** iw3 tuning passed to the inference container (IW3_LOW_VRAM, IW3_MAX_FPS, ...). */
    iw3_env: z
      .record(z.string(), z.string())
      .refine((env) => Object.keys(env).every((key) => /^IW3_[A-Z0-9_]+$/.test(key)), {
        message: 'keys must be iw3 variables such as IW3_LOW_VRAM',
      })
      .default({}),
    /** E-mail that receives the DLQ alarms (through SNS). */
    alarm_email: z.email().optional(),
    /** ACM certificate for HTTPS on the load balancer; HTTP redirects to HTTPS when set. */
    certificate_arn: arnOf('acm').optional(),
    /** Domain the web UI is served under (CNAME to the load balancer), for CORS and links. */
    web_ui_domain_name: z
      .string()
      .regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'must be a DNS name such as 3d.example.com')
      .optional(),
    /** Existing Secrets Manager secret whose value becomes WEB_UI_AUTH_TOKEN. */
    web_ui_auth_secret_arn: arnOf('secretsmanager').optional(),
    /**
     * The web UI is public (internet-facing load balancer); without `certificate_arn` and
     * `web_ui_auth_secret_arn` anyone could list, download and delete every job over plain HTTP.
     * Synth refuses that unless this says, explicitly, that it is meant (a throw-away test stack).
     */
    allow_public_http_without_auth: z.boolean().default(false),
    /** Days after which uploads (`input/` in the input bucket) expire; chunking needs them only briefly. */
    input_expiry_days: int(1, 3650).default(7),
    /** Create the secret for a Hugging Face token (HF_TOKEN_ARN) the inference image may use. */
    hf_token_secret: z.boolean().default(false),
    /**
     * Days a deleted secret (the Hugging Face token's) can be restored. 0 deletes it at once, so a
     * destroy followed by a deploy with the same name_prefix does not fail on a secret "scheduled
     * for deletion"; 7–30 keep it restorable for that long.
     */
    secret_recovery_window_days: z
      .number()
      .int()
      .refine((days) => days === 0 || (days >= 7 && days <= 30), { message: 'must be 0 or 7–30' })
      .default(0),
    log_retention_days: z
      .number()
      .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
        message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(30),
    /** Concurrent invocations of the reassembly trigger; -1 = unreserved (small accounts). */
    lambda_reserved_concurrency: int(-1, 100).default(5),
    /** Days a deleted or overwritten object of the output bucket (versioned) stays restorable. */
    noncurrent_version_retention_days: int(1, 3650).default(30),
    /**
     * DynamoDB deletion protection on the tables (the jobs and their progress). `destroy` fails
     * while it is on: turn it off with a deploy first when the stack is really to go.
     */
    deletion_protection: z.boolean().default(true),
    /** One NAT gateway per availability zone (survives the loss of a zone; costs one NAT gateway per zone). */
    nat_gateway_per_zone: z.boolean().default(false),
    /**
     * PrivateLink endpoints for ECR, CloudWatch Logs and metrics, SQS, the SageMaker runtime and
     * Secrets Manager, so that traffic does not cross the NAT gateway (each endpoint is billed per zone and hour).
     */
    interface_endpoints: z.boolean().default(false),
    /** Let `destroy` delete non-empty buckets and repositories. */
    force_destroy: z.boolean().default(false),
    /** Where Terraform keeps its state. */
    state_backend: z.enum(['local', 's3']).default('local'),
    state_bucket: z.string().min(3).optional(),
    state_key: z.string().min(1).default('stereo-spot/terraform.tfstate'),
    /** Defaults to `region`. */
    state_region: z.string().optional(),
    /** S3-native locking (Terraform ≥ 1.10). */
    state_lockfile: z.boolean().default(true),
    /** DynamoDB lock table, for Terraform versions before 1.10 or existing setups. */
    state_dynamodb_table: z.string().min(3).optional(),
  })
  .strict()
  .superRefine((settings, ctx) => {
    if (settings.inference_backend === 'http' && settings.inference_http_url === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['inference_http_url'],
        message: 'is required when inference_backend is http',
      });
    }
    if (settings.inference_backend === 'http' && settings.inference_shared_secret_arn === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['inference_shared_secret_arn'],
        message:
          'is required when inference_backend is http (the inference server takes only callers with INFERENCE_SHARED_SECRET)',
      });
    }
    if (
      settings.inference_backend === 'sagemaker' &&
      settings.ecs_video_worker_max_capacity !== undefined &&
      settings.ecs_video_worker_max_capacity > sagemakerVideoWorkerCapacity(settings.sagemaker_max_instance_count)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['ecs_video_worker_max_capacity'],
        message:
          `must be at most ${sagemakerVideoWorkerCapacity(settings.sagemaker_max_instance_count)} with ` +
          `sagemaker_max_instance_count=${settings.sagemaker_max_instance_count} (the endpoint serves ` +
          `${SAGEMAKER_INVOCATIONS_PER_INSTANCE} request per instance; more video-workers only queue requests until they time out)`,
      });
    }
    if (settings.sagemaker_instance_count > settings.sagemaker_max_instance_count) {
      ctx.addIssue({
        code: 'custom',
        path: ['sagemaker_instance_count'],
        message: 'must not exceed sagemaker_max_instance_count',
      });
    }
    if (settings.state_backend === 's3' && settings.state_bucket === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['state_bucket'],
        message: 'is required when state_backend is s3',
      });
    }
  });

export type SettingsInput = z.input<typeof SettingsSchema>;
export type StackSettings = z.output<typeof SettingsSchema>;
export type SettingKey = keyof StackSettings;

/** How an environment variable's text becomes the setting's value. */
const NON_STRING_KEYS: ReadonlySet<string> = new Set([
  'ecs_media_worker_max_capacity',
  'ecs_video_worker_max_capacity',
  'web_ui_desired_count',
  'segment_duration_seconds',
  'sqs_long_poll_wait_seconds',
  'max_upload_bytes',
  'sagemaker_instance_count',
  'sagemaker_max_instance_count',
  'iw3_env',
  'hf_token_secret',
  'secret_recovery_window_days',
  'log_retention_days',
  'lambda_reserved_concurrency',
  'force_destroy',
  'nat_gateway_per_zone',
  'interface_endpoints',
  'noncurrent_version_retention_days',
  'deletion_protection',
  'state_lockfile',
  'allow_public_http_without_auth',
  'input_expiry_days',
]);

export const SETTING_KEYS = Object.keys(SettingsSchema.shape) as SettingKey[];

/** The environment variable that overrides a setting. */
export const settingEnvName = (key: SettingKey): string => `STEREO_SPOT_${key.toUpperCase()}`;

function fromEnv(env: Readonly<Record<string, string | undefined>>): {
  values: Record<string, unknown>;
  problems: string[];
} {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const key of SETTING_KEYS) {
    const name = settingEnvName(key);
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    if (!NON_STRING_KEYS.has(key)) {
      values[key] = raw.trim();
      continue;
    }
    try {
      values[key] = JSON.parse(raw);
    } catch {
      problems.push(`${name}: ${JSON.stringify(raw)} is not a number, true/false or JSON`);
    }
  }
  return { values, problems };
}

export interface SettingsSources {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Parsed settings file (already JSON-decoded). */
  readonly file?: unknown;
  /** Where the file came from, for messages. */
  readonly fileName?: string;
}

/** Merges the sources and validates; every problem is listed in one AwsInfraError. */
export function resolveSettings(sources: SettingsSources): StackSettings {
  const file = sources.file ?? {};
  if (typeof file !== 'object' || file === null || Array.isArray(file)) {
    throw new AwsInfraError('INVALID_SETTINGS', `${sources.fileName ?? 'settings'} must hold a JSON object`);
  }
  const env = fromEnv(sources.env ?? {});
  // The region: STEREO_SPOT_REGION, else the file, else the AWS CLI's own variables.
  const awsRegion = sources.env?.AWS_REGION ?? sources.env?.AWS_DEFAULT_REGION;
  const fallback = awsRegion ? { region: awsRegion } : {};
  const parsed = SettingsSchema.safeParse({ ...fallback, ...withoutComments(file), ...env.values });
  const problems = [
    ...env.problems,
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => {
          const key = issue.path.join('.') || '(settings)';
          return `${key}: ${issue.message}`;
        })),
  ];
  if (problems.length > 0 || !parsed.success) {
    const from = sources.fileName ? ` (file ${sources.fileName} and STEREO_SPOT_* variables)` : '';
    throw new AwsInfraError(
      'INVALID_SETTINGS',
      `invalid aws-infra settings${from}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return parsed.data;
}

/** JSON has no comments: keys starting with `//` explain the settings next to them and are ignored. */
function withoutComments(file: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(file).filter(([key]) => !key.startsWith('//')));
}

/**
 * Synth refuses a web UI open to the internet over plain HTTP with no authentication, unless the
 * settings accept it explicitly. HTTPS alone is accepted (the operator chose who learns the URL).
 */
export function assertWebUiExposureAccepted(settings: StackSettings): void {
  if (settings.certificate_arn || settings.web_ui_auth_secret_arn || settings.allow_public_http_without_auth) return;
  throw new AwsInfraError(
    'INVALID_SETTINGS',
    'refusing to synth: the web UI would be served over plain HTTP to 0.0.0.0/0 with no authentication ' +
      '(anyone could list, download and delete every job and spend GPU time). Set certificate_arn (HTTPS) ' +
      'and/or web_ui_auth_secret_arn (WEB_UI_AUTH_TOKEN), or set allow_public_http_without_auth: true to accept it ' +
      '(see docs/security.md#aws-deployment)',
  );
}

/** Settings with every default applied, plus overrides (tests and examples). */
export const defaultSettings = (overrides: SettingsInput = {}): StackSettings =>
  resolveSettings({ file: overrides });
