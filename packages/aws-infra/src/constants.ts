/**
 * Numbers and names the infrastructure commits to. Tests assert them on the synthesized JSON and
 * docs/deploy.md quotes them; change them here only. What the adapters depend on as well (queue
 * settings, table keys, the segment-output expiry tag) is in @stereo-spot/contracts.
 */
import { type QUEUE_SETTINGS } from '@stereo-spot/contracts';

/** The three long-running apps that run as ECS services, each with its own image. */
export const ECS_APPS = ['web-ui', 'media-worker', 'video-worker'] as const;
export type EcsApp = (typeof ECS_APPS)[number];

/** Every image with an ECR repository: the three ECS apps and the SageMaker inference image. */
export const IMAGES = [...ECS_APPS, 'stereocrafter-sagemaker'] as const;
export type ImageName = (typeof IMAGES)[number];

/** The pipeline's queues by name; their settings are stated in @stereo-spot/contracts. */
export type QueueRoleName = keyof typeof QUEUE_SETTINGS;

/** Prefix of the SageMaker asynchronous inference objects in the output bucket (requests,
 * responses, failures); they expire after a day. */
export const SAGEMAKER_ASYNC_PREFIX = 'sagemaker/';
export const SAGEMAKER_ASYNC_EXPIRY_DAYS = 1;

/** Asynchronous requests one SageMaker instance runs at once: iw3 uses the whole GPU. */
export const SAGEMAKER_INVOCATIONS_PER_INSTANCE = 1;

/**
 * Video-workers per SageMaker invocation slot: one whose segment converts and one whose segment
 * waits in the endpoint's queue, so the GPU never idles between segments and no request waits
 * behind more than one other (a request queued longer than the video-worker's wait is retried).
 */
export const VIDEO_WORKERS_PER_INVOCATION_SLOT = 2;

/** Application Auto Scaling of the SageMaker endpoint on its backlog. */
export const SAGEMAKER_SCALING = {
  /** Requests waiting per instance that target tracking aims for. */
  backlogPerInstance: 2,
  scaleOutCooldownSeconds: 300,
  /** GPU instances take minutes to start: do not give one back for a short lull. */
  scaleInCooldownSeconds: 900,
} as const;

/** Application Auto Scaling of the workers on queue depth. */
export const QUEUE_SCALING = {
  /** Messages (waiting + in flight) per running task that target tracking aims for. */
  messagesPerTask: 10,
  scaleOutCooldownSeconds: 60,
  scaleInCooldownSeconds: 300,
} as const;

/** The load balancer keeps an idle connection this long (long enough for the SSE progress stream). */
export const ALB_IDLE_TIMEOUT_SECONDS = 300;
/** The web UI keeps idle connections longer than the load balancer, so the balancer closes first. */
export const WEB_UI_KEEP_ALIVE_TIMEOUT_SECONDS = ALB_IDLE_TIMEOUT_SECONDS + 5;

/** The web UI listens here inside its container; the load balancer forwards to it. */
export const WEB_UI_PORT = 8080;
export const WEB_UI_HEALTH_PATH = '/healthz';

/** Fargate gives a stopping task at most 120 s after SIGTERM; the workers' grace is shorter. */
export const WORKER_STOP_TIMEOUT_SECONDS = 120;
export const WORKER_SHUTDOWN_GRACE_SECONDS = 100;

/** Where the CodeBuild project reads the repository snapshot that builds the inference image. */
export const CODEBUILD_SOURCE_KEY = 'stereo-spot-source.zip';
export const INFERENCE_BUILDSPEC = 'docker/stereocrafter-sagemaker/buildspec.yml';

/** The reassembly-trigger Lambda. */
export const LAMBDA_RUNTIME = 'nodejs22.x';
export const LAMBDA_TIMEOUT_SECONDS = 60;
export const LAMBDA_STREAM = {
  batchSize: 100,
  maximumRetryAttempts: 5,
  maximumRecordAgeInSeconds: 6 * 3600,
} as const;
