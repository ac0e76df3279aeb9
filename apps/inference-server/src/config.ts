/** The inference server's environment, validated at start-up with one error naming every problem. */
import os from 'node:os';
import { VARIABLES, type InferenceAuthMode } from '@stereo-spot/config';
import { z } from 'zod';
import { ENGINE_NAMES, type EngineName } from './engines/engine';
import { parseIw3Tuning, type Iw3Tuning } from './engines/iw3-args';
import { parseIw3Readiness, type Iw3ReadinessSettings } from './engines/iw3-readiness';
import { InferenceConfigError } from './errors';

export interface InferenceServerConfig {
  readonly port: number;
  readonly host: string;
  readonly engine: EngineName;
  readonly concurrency: number;
  readonly maxWaiting: number;
  readonly workRoot: string;
  readonly iw3: {
    readonly python: string;
    readonly nunifDir: string;
    readonly timeoutSeconds: number;
    readonly startupTimeoutSeconds: number;
    readonly tuning: Iw3Tuning;
    readonly readiness: Iw3ReadinessSettings;
  };
  /** Worker threads of the builtin engine (stereo-engine's default when absent). */
  readonly builtinThreads?: number;
  readonly hfTokenArn?: string;
  readonly aws: { readonly region: string; readonly endpoint?: string };
  readonly security: InferenceSecurityConfig;
}

/** Who may call the server and what a request may make it touch (docs/security.md#inference-server). */
export interface InferenceSecurityConfig {
  readonly auth: InferenceAuthMode;
  /** Required in `Authorization: Bearer` when set; must be set to listen beyond loopback (unless auth is sagemaker). */
  readonly sharedSecret?: string;
  /** Hosts (`host[:port]`, or `*.domain`) `input_url` / `output_url` may name; empty: URLs refused. */
  readonly allowedUrlHosts: readonly string[];
  /** The only buckets `s3_input_uri` (source segments) and `s3_output_uri` (results) may name. */
  readonly inputBucket?: string;
  readonly outputBucket?: string;
  readonly maxInputBytes: number;
  readonly transferTimeoutSeconds: number;
}

export const DEFAULT_MAX_INPUT_BYTES = 4 * 1024 ** 3;
export const DEFAULT_TRANSFER_TIMEOUT_SECONDS = 900;

const blank = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const int = (name: string, min: number, fallback: number) =>
  z.preprocess(
    blank,
    z.coerce
      .number({ error: `${name} must be a number` })
      .int(`${name} must be a whole number`)
      .min(min, `${name} must be at least ${min}`)
      .default(fallback),
  );
const text = (fallback: string) => z.preprocess(blank, z.string().default(fallback));
/** A variable packages/config describes (so README's table and its schema stay in one place). */
const shared = <K extends keyof typeof VARIABLES>(name: K) =>
  z.preprocess(
    blank,
    (VARIABLES[name].schema as unknown as z.ZodType<z.output<(typeof VARIABLES)[K]['schema']>, string>).optional(),
  );

const EnvSchema = z.object({
  PORT: int('PORT', 1, 8080).pipe(z.number().max(65535, 'PORT must be at most 65535')),
  HOST: text('127.0.0.1'),
  INFERENCE_ENGINE: z.preprocess(
    blank,
    z.enum(ENGINE_NAMES, { error: `INFERENCE_ENGINE must be one of ${ENGINE_NAMES.join(', ')}` }).default('builtin'),
  ),
  INFERENCE_CONCURRENCY: int('INFERENCE_CONCURRENCY', 1, 1),
  INFERENCE_MAX_WAITING: int('INFERENCE_MAX_WAITING', 0, 32),
  INFERENCE_WORK_DIR: text(os.tmpdir()),
  IW3_PYTHON: text('python3'),
  NUNIF_DIR: text('/opt/nunif'),
  IW3_TIMEOUT_SECONDS: int('IW3_TIMEOUT_SECONDS', 1, 3000),
  IW3_STARTUP_TIMEOUT_SECONDS: int('IW3_STARTUP_TIMEOUT_SECONDS', 1, 300),
  BUILTIN_ENGINE_THREADS: z.preprocess(
    blank,
    z.coerce
      .number({ error: 'BUILTIN_ENGINE_THREADS must be a number' })
      .int('BUILTIN_ENGINE_THREADS must be a whole number')
      .min(0, 'BUILTIN_ENGINE_THREADS must be at least 0')
      .optional(),
  ),
  HF_TOKEN_ARN: z.preprocess(blank, z.string().startsWith('arn:', 'HF_TOKEN_ARN must be a secret ARN').optional()),
  AWS_REGION: z.preprocess(blank, z.string().optional()),
  AWS_DEFAULT_REGION: z.preprocess(blank, z.string().optional()),
  AWS_ENDPOINT_URL: z.preprocess(blank, z.url('AWS_ENDPOINT_URL must be a URL').optional()),
  INFERENCE_AUTH: shared('INFERENCE_AUTH'),
  INFERENCE_SHARED_SECRET: shared('INFERENCE_SHARED_SECRET'),
  INFERENCE_ALLOWED_URL_HOSTS: shared('INFERENCE_ALLOWED_URL_HOSTS'),
  INFERENCE_MAX_INPUT_BYTES: shared('INFERENCE_MAX_INPUT_BYTES'),
  INFERENCE_TRANSFER_TIMEOUT_SECONDS: shared('INFERENCE_TRANSFER_TIMEOUT_SECONDS'),
  INPUT_BUCKET_NAME: shared('INPUT_BUCKET_NAME'),
  OUTPUT_BUCKET_NAME: shared('OUTPUT_BUCKET_NAME'),
});

/** Whether an address accepts connections from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * An open `/invocations` beyond loopback lets anyone spend the GPU and use the server's S3
 * credentials; refuse to start that way. Returns the problem, or undefined.
 */
export function unsafeBindProblem(host: string, security: Pick<InferenceSecurityConfig, 'auth' | 'sharedSecret'>): string | undefined {
  if (security.auth === 'sagemaker' && security.sharedSecret !== undefined) {
    return 'INFERENCE_SHARED_SECRET cannot be combined with INFERENCE_AUTH=sagemaker (SageMaker does not forward the header): give one';
  }
  if (isLoopbackHost(host) || security.auth === 'sagemaker' || security.sharedSecret !== undefined) return undefined;
  return (
    `HOST=${host} listens beyond loopback, and nothing authenticates callers: set INFERENCE_SHARED_SECRET ` +
    '(callers send it as `Authorization: Bearer <secret>`), or INFERENCE_AUTH=sagemaker where SageMaker authenticates them'
  );
}

export function loadServerConfig(env: Readonly<Record<string, string | undefined>>): InferenceServerConfig {
  const problems: string[] = [];
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    // packages/config's messages ("must be ...") leave out the name; never the value (secrets).
    problems.push(
      ...parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '');
        return issue.message.startsWith(name) ? issue.message : `${name} ${issue.message}`;
      }),
    );
  }
  let tuning: Iw3Tuning | undefined;
  try {
    tuning = parseIw3Tuning(env);
  } catch (error) {
    problems.push((error as Error).message);
  }
  let readiness: Iw3ReadinessSettings | undefined;
  try {
    readiness = parseIw3Readiness(env);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (parsed.success) {
    const v = parsed.data;
    const problem = unsafeBindProblem(v.HOST, {
      auth: v.INFERENCE_AUTH ?? 'shared-secret',
      ...(v.INFERENCE_SHARED_SECRET !== undefined ? { sharedSecret: v.INFERENCE_SHARED_SECRET } : {}),
    });
    if (problem) problems.push(problem);
  }
  if (!parsed.success || !tuning || !readiness || problems.length > 0) {
    throw new InferenceConfigError(`invalid inference-server environment: ${problems.join('; ')}`);
  }
  const v = parsed.data;
  return {
    port: v.PORT,
    host: v.HOST,
    engine: v.INFERENCE_ENGINE,
    concurrency: v.INFERENCE_CONCURRENCY,
    maxWaiting: v.INFERENCE_MAX_WAITING,
    workRoot: v.INFERENCE_WORK_DIR,
    iw3: {
      python: v.IW3_PYTHON,
      nunifDir: v.NUNIF_DIR,
      timeoutSeconds: v.IW3_TIMEOUT_SECONDS,
      startupTimeoutSeconds: v.IW3_STARTUP_TIMEOUT_SECONDS,
      tuning,
      readiness,
    },
    ...(v.BUILTIN_ENGINE_THREADS !== undefined ? { builtinThreads: v.BUILTIN_ENGINE_THREADS } : {}),
    ...(v.HF_TOKEN_ARN ? { hfTokenArn: v.HF_TOKEN_ARN } : {}),
    aws: {
      region: v.AWS_REGION ?? v.AWS_DEFAULT_REGION ?? 'us-east-1',
      ...(v.AWS_ENDPOINT_URL ? { endpoint: v.AWS_ENDPOINT_URL } : {}),
    },
    security: {
      auth: v.INFERENCE_AUTH ?? 'shared-secret',
      ...(v.INFERENCE_SHARED_SECRET !== undefined ? { sharedSecret: v.INFERENCE_SHARED_SECRET } : {}),
      allowedUrlHosts: v.INFERENCE_ALLOWED_URL_HOSTS ?? [],
      ...(v.INPUT_BUCKET_NAME !== undefined ? { inputBucket: v.INPUT_BUCKET_NAME } : {}),
      ...(v.OUTPUT_BUCKET_NAME !== undefined ? { outputBucket: v.OUTPUT_BUCKET_NAME } : {}),
      maxInputBytes: v.INFERENCE_MAX_INPUT_BYTES ?? DEFAULT_MAX_INPUT_BYTES,
      transferTimeoutSeconds: v.INFERENCE_TRANSFER_TIMEOUT_SECONDS ?? DEFAULT_TRANSFER_TIMEOUT_SECONDS,
    },
  };
}
