/** The inference server's environment, validated at start-up with one error naming every problem. */
import os from 'node:os';
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
}

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

const EnvSchema = z.object({
  PORT: int('PORT', 1, 8080).pipe(z.number().max(65535, 'PORT must be at most 65535')),
  HOST: text('0.0.0.0'),
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
});

export function loadServerConfig(env: Readonly<Record<string, string | undefined>>): InferenceServerConfig {
  const problems: string[] = [];
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) problems.push(...parsed.error.issues.map((issue) => issue.message));
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
  if (!parsed.success || !tuning || !readiness) {
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
  };
}
