/**
 * The environment of each app on AWS, by variable name (the names @stereo-spot/config reads).
 * The contract test checks these against the config package's per-role schemas, so the
 * infrastructure and the apps cannot drift apart.
 */
import { WEB_UI_KEEP_ALIVE_TIMEOUT_SECONDS, WEB_UI_PORT, WORKER_SHUTDOWN_GRACE_SECONDS } from './constants';
import { type StackSettings } from './settings';

/** Names and URLs of the pipeline's resources (Terraform expressions at synth time). */
export interface PipelineResources {
  readonly INPUT_BUCKET_NAME: string;
  readonly OUTPUT_BUCKET_NAME: string;
  readonly JOBS_TABLE_NAME: string;
  readonly SEGMENT_COMPLETIONS_TABLE_NAME: string;
  readonly REASSEMBLY_TRIGGERED_TABLE_NAME: string;
  readonly CHUNKING_QUEUE_URL: string;
  readonly VIDEO_WORKER_QUEUE_URL: string;
  readonly REASSEMBLY_QUEUE_URL: string;
  readonly CHUNKING_DLQ_URL: string;
  readonly VIDEO_WORKER_DLQ_URL: string;
  readonly REASSEMBLY_DLQ_URL: string;
}

export type Environment = Record<string, string>;

const pick = <K extends keyof PipelineResources>(resources: PipelineResources, keys: readonly K[]) =>
  Object.fromEntries(keys.map((key) => [key, resources[key]])) as Pick<PipelineResources, K>;

const TABLES = [
  'JOBS_TABLE_NAME',
  'SEGMENT_COMPLETIONS_TABLE_NAME',
  'REASSEMBLY_TRIGGERED_TABLE_NAME',
] as const;
const BUCKETS = ['INPUT_BUCKET_NAME', 'OUTPUT_BUCKET_NAME'] as const;

const platform = (settings: StackSettings): Environment => ({
  STEREO_SPOT_PLATFORM: 'aws',
  AWS_REGION: settings.region,
  LOG_LEVEL: 'info',
});

const consumer = (settings: StackSettings): Environment => ({
  SQS_LONG_POLL_WAIT_SECONDS: String(settings.sqs_long_poll_wait_seconds),
  SHUTDOWN_GRACE_SECONDS: String(WORKER_SHUTDOWN_GRACE_SECONDS),
});

export function webUiEnvironment(
  settings: StackSettings,
  resources: PipelineResources,
  publicBaseUrl: string,
): Environment {
  return {
    ...platform(settings),
    ...pick(resources, [...BUCKETS, ...TABLES]),
    HOST: '0.0.0.0',
    PORT: String(WEB_UI_PORT),
    PUBLIC_BASE_URL: publicBaseUrl,
    // Behind the load balancer: per-client limits count the address it appends to X-Forwarded-For.
    WEB_UI_TRUSTED_PROXY_HOPS: '1',
    // Node closes idle connections after 5 s by default; the ALB keeps them 300 s and would reuse a closed one (502).
    HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: String(WEB_UI_KEEP_ALIVE_TIMEOUT_SECONDS),
    ...(settings.max_upload_bytes !== undefined
      ? { MAX_UPLOAD_BYTES: String(settings.max_upload_bytes) }
      : {}),
  };
}

export function mediaWorkerEnvironment(settings: StackSettings, resources: PipelineResources): Environment {
  return {
    ...platform(settings),
    ...consumer(settings),
    ...pick(resources, [...BUCKETS, ...TABLES, 'CHUNKING_QUEUE_URL', 'REASSEMBLY_QUEUE_URL']),
    SEGMENT_DURATION_SECONDS: String(settings.segment_duration_seconds),
  };
}

export function videoWorkerEnvironment(
  settings: StackSettings,
  resources: PipelineResources,
  sagemakerEndpointName: string,
): Environment {
  return {
    ...platform(settings),
    ...consumer(settings),
    ...pick(resources, [
      ...BUCKETS,
      'JOBS_TABLE_NAME',
      'SEGMENT_COMPLETIONS_TABLE_NAME',
      'VIDEO_WORKER_QUEUE_URL',
    ]),
    INFERENCE_BACKEND: settings.inference_backend,
    ...(settings.inference_backend === 'sagemaker'
      ? { SAGEMAKER_ENDPOINT_NAME: sagemakerEndpointName }
      : { INFERENCE_HTTP_URL: settings.inference_http_url ?? '' }),
  };
}

/** AWS_REGION is reserved in Lambda: the runtime sets it. */
export function reassemblyTriggerEnvironment(resources: PipelineResources): Environment {
  return {
    STEREO_SPOT_PLATFORM: 'aws',
    LOG_LEVEL: 'info',
    NODE_OPTIONS: '--enable-source-maps',
    ...pick(resources, [...TABLES, 'REASSEMBLY_QUEUE_URL']),
  };
}
