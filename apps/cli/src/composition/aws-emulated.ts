/**
 * The composition root of `stereo-spot up-aws-emulated`: the production path on this machine. Starts moto_server (the AWS
 * emulator), creates the whole AWS shape on it (buckets with event notifications, queues with
 * DLQs and redrive policies, the three tables with the SegmentCompletions and Jobs streams), runs the web-ui
 * and the workers with STEREO_SPOT_PLATFORM=aws against it, and stands in for Lambda's event
 * source mappings: the SegmentCompletions and Jobs streams are polled and their records handed to
 * the reassembly trigger's Lambda handler.
 */
import type { AwsPortSource } from '@stereo-spot/aws-adapters';
import { AWS_RESOURCE_VARIABLES, loadConfig, type Env } from '@stereo-spot/config';
import { createLogger } from '@stereo-spot/logging';
import { portsForRole } from '@stereo-spot/pipeline';
import { createChangeHandler } from '@stereo-spot/reassembly-trigger';
import { startMotoServer, type MotoServer } from '@stereo-spot/aws-emulator';
import type { PipelineRole } from './roles';
import { startRoles } from './start-roles';

/** Every role but the trigger, which on AWS is a Lambda (here: the stream poller below). */
const WORKER_ROLES: readonly PipelineRole[] = ['web-ui', 'chunking', 'video-worker', 'reassembly'];

/** Settings for a laptop demo unless the environment chooses others. */
const EMULATED_DEFAULTS: Readonly<Record<string, string>> = {
  SEGMENT_DURATION_SECONDS: '10',
  INFERENCE_BACKEND: 'builtin',
  SQS_LONG_POLL_WAIT_SECONDS: '5',
  SHUTDOWN_GRACE_SECONDS: '5',
  HOST: '127.0.0.1',
};

export interface AwsEmulatedOptions {
  readonly env: Env;
  readonly signal: AbortSignal;
  /** Prefix of every bucket, queue and table name. Default `stereo-spot`. */
  readonly prefix?: string;
  /** Receives before a message moves to its DLQ. Default 3. */
  readonly maxReceiveCount?: number;
  /** Queue visibility timeouts (seconds) for all three queues; defaults per queue otherwise. */
  readonly visibilityTimeoutSeconds?: number;
}

export interface RunningAwsEmulated {
  /** The web-ui's address. */
  readonly url?: string;
  /** moto_server's address (AWS_ENDPOINT_URL). */
  readonly endpoint: string;
  /** The environment the roles run with: point `stereo-spot worker ...` or the AWS CLI at it. */
  readonly env: Readonly<Record<string, string>>;
  /** What an operator's shell needs (ops, the AWS CLI, extra workers): see `operatorEnv`. */
  readonly operatorEnv: Readonly<Record<string, string>>;
  readonly done: Promise<void>;
}

export async function startAwsEmulated(
  options: AwsEmulatedOptions,
): Promise<RunningAwsEmulated> {
  const moto = await startMotoServer();
  // The roles build their SDK clients with the default credential chain, which reads this
  // process's environment: give it the emulator's (dummy) keys.
  process.env.AWS_ACCESS_KEY_ID = moto.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = moto.credentials.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  const cleanups: (() => Promise<void>)[] = [() => moto.stop()];
  try {
    const env = await provision(moto, options);
    const workers = await startRoles({ roles: WORKER_ROLES, env, signal: options.signal });
    const trigger = await startStreamTrigger(env, options.signal);
    cleanups.unshift(() => trigger.platform.close());
    const logger = createLogger({ name: 'stereo-spot', level: env.LOG_LEVEL ?? 'info' });
    logger.info(
      { endpoint: moto.endpoint, url: workers.url, resources: env.INPUT_BUCKET_NAME?.replace(/-input$/, '-*') },
      'AWS emulator ready: the pipeline runs on S3, SQS and DynamoDB (moto_server)',
    );
    const done = (async () => {
      await Promise.all([workers.done, trigger.polling]);
      for (const cleanup of cleanups) await cleanup();
    })();
    return {
      ...(workers.url !== undefined ? { url: workers.url } : {}),
      endpoint: moto.endpoint,
      env,
      operatorEnv: operatorEnv(env, options.prefix ?? 'stereo-spot', workers.url),
      done,
    };
  } catch (error) {
    for (const cleanup of cleanups) await cleanup();
    throw error;
  }
}

/** The variables the AWS SDK, the AWS CLI (v1 reads AWS_DEFAULT_REGION) and `stereo-spot ops` need. */
const OPERATOR_VARIABLES = [
  'STEREO_SPOT_PLATFORM',
  'AWS_REGION',
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  ...AWS_RESOURCE_VARIABLES,
] as const;

/**
 * The emulated deployment as an operator's shell sees it: region, account, endpoint, the
 * emulator's (dummy) keys and every resource name, plus NAME_PREFIX and the web UI's address.
 */
export function operatorEnv(
  env: Readonly<Record<string, string | undefined>>,
  prefix: string,
  url: string | undefined,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of OPERATOR_VARIABLES) {
    const value = env[name];
    if (value !== undefined) values[name] = value;
  }
  if (values.AWS_REGION !== undefined) values.AWS_DEFAULT_REGION = values.AWS_REGION;
  // Queue URLs are http://host/<account>/<name>: the account the emulator runs everything in.
  const account = /\/(\d{12})\//.exec(values.CHUNKING_QUEUE_URL ?? '')?.[1];
  if (account !== undefined) values.AWS_ACCOUNT_ID = account;
  values.NAME_PREFIX = prefix;
  if (url !== undefined) values.WEB_UI_URL = url;
  return values;
}

/** Creates the resources and returns the environment every role runs with. */
async function provision(
  moto: MotoServer,
  options: AwsEmulatedOptions,
): Promise<Record<string, string>> {
  const base: Record<string, string> = { ...EMULATED_DEFAULTS };
  for (const [name, value] of Object.entries(options.env)) if (value !== undefined) base[name] = value;
  const port = base.PORT ?? '8080';
  const host = base.HOST ?? '127.0.0.1';
  // Loaded lazily as in composition/platform.ts (a library is either lazy or static for nx, everywhere).
  const { createAwsClients, provisionPipelineResources } = await import('@stereo-spot/aws-adapters');
  const clients = createAwsClients({
    region: moto.region,
    endpoint: moto.endpoint,
    credentials: moto.credentials,
  });
  try {
    const visibility = options.visibilityTimeoutSeconds;
    const provisioned = await provisionPipelineResources(clients, {
      prefix: options.prefix ?? 'stereo-spot',
      maxReceiveCount: options.maxReceiveCount ?? 3,
      ...(visibility !== undefined
        ? {
            visibilityTimeoutSeconds: {
              chunking: visibility,
              'video-worker': visibility,
              reassembly: visibility,
            },
          }
        : {}),
      // The web UI uploads and plays through presigned URLs that point at the emulator.
      corsOrigins: [base.PUBLIC_BASE_URL ?? `http://${host}:${port}`, `http://localhost:${port}`],
    });
    return { ...base, ...moto.env, ...provisioned.env, STEREO_SPOT_PLATFORM: 'aws' };
  } finally {
    clients.destroy();
  }
}

/**
 * Lambda's part: the SegmentCompletions and Jobs streams polled (the two event source mappings),
 * their records read into changes and handed to the trigger's decision, as the Lambda does.
 */
async function startStreamTrigger(
  env: Env,
  signal: AbortSignal,
): Promise<{ platform: AwsPortSource; polling: Promise<void> }> {
  const config = loadConfig('reassembly-trigger', env);
  if (config.platform.kind !== 'aws') throw new Error('the emulated deployment runs on STEREO_SPOT_PLATFORM=aws');
  const { openAwsPortSource } = await import('@stereo-spot/aws-adapters');
  const platform = openAwsPortSource(config.platform);
  const logger = createLogger({ name: 'reassembly-trigger', level: config.logLevel });
  const handler = createChangeHandler({ ...(await portsForRole('reassembly-trigger', platform)), logger });
  const pollers = await Promise.all([
    platform.createStreamPoller({ handler, logger }),
    platform.createStreamPoller({ table: 'JOBS_TABLE_NAME', handler, logger }),
  ]);
  logger.info('reassembly-trigger fed from the SegmentCompletions and Jobs streams, as by the Lambda\'s event source mappings');
  return { platform, polling: Promise.all(pollers.map((poller) => poller.run(signal))).then(() => undefined) };
}
