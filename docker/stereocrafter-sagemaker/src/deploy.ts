/**
 * `sagemaker-deploy`: a new model and endpoint configuration named after the image tag (async
 * inference, output and failure paths in S3), then the endpoint is updated (or created) and
 * followed until InService. Settings come from packages/aws-infra/.env; what the file does not
 * say is kept from the endpoint as it runs now, so a deploy never silently changes the instance
 * type or the async paths that the infrastructure chose.
 */
import { SageMakerOpsError } from './errors';
import type { InfraEnv } from './env-file';
import { sagemakerName, shortHash, timestampTag } from './names';

export interface EndpointView {
  readonly name: string;
  readonly status: string;
  readonly configName: string;
  readonly failureReason?: string;
}

export interface EndpointConfigView {
  readonly name: string;
  readonly modelName: string;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly asyncOutputPath: string;
  readonly asyncFailurePath: string;
  /** Conversions one instance runs at once (one GPU: 1). */
  readonly maxConcurrentInvocationsPerInstance: number;
}

export interface ModelView {
  readonly name: string;
  readonly image: string;
  readonly roleArn: string;
  readonly environment: Readonly<Record<string, string>>;
}

/** The SageMaker calls a deployment needs (implemented with the AWS SDK in sagemaker-api.ts). */
export interface SageMakerApi {
  describeEndpoint(name: string): Promise<EndpointView | undefined>;
  describeEndpointConfig(name: string): Promise<EndpointConfigView | undefined>;
  describeModel(name: string): Promise<ModelView | undefined>;
  createModel(model: ModelView): Promise<void>;
  createEndpointConfig(config: EndpointConfigView): Promise<void>;
  createEndpoint(name: string, configName: string): Promise<void>;
  updateEndpoint(name: string, configName: string): Promise<void>;
}

/** Variables of the .env that become the container's environment when present. */
export const MODEL_ENV_VARIABLES = [
  'HF_TOKEN_ARN',
  'IW3_LOW_VRAM',
  'IW3_MAX_FPS',
  'IW3_PRESET',
  'IW3_VIDEO_CODEC',
  'IW3_DISABLE_AMP',
  'IW3_DEPTH_MODEL',
  'IW3_METHOD',
  'IW3_REQUIRE_GPU',
  'IW3_TIMEOUT_SECONDS',
  'LOG_LEVEL',
  // The only buckets the server's s3:// URIs may name (docs/security.md#inference-server).
  'INPUT_BUCKET_NAME',
  'OUTPUT_BUCKET_NAME',
] as const;

export interface DeploymentPlan {
  readonly endpointName: string;
  readonly endpointExists: boolean;
  readonly model: ModelView;
  /** The model already exists with this name (same image, role and environment). */
  readonly reuseModel: boolean;
  readonly config: EndpointConfigView;
}

export interface CurrentDeployment {
  readonly endpoint: EndpointView;
  readonly config?: EndpointConfigView;
  readonly model?: ModelView;
}

export type DeployTarget =
  /** Deploy this image tag of STEREOCRAFTER_SAGEMAKER_ECR_URL. */
  | { readonly kind: 'image'; readonly tag: string }
  /** Same image and model, new instances (they read secrets such as the HF token at start). */
  | { readonly kind: 'refresh' };

/** Decides names and settings. Throws one error naming every setting it cannot find. */
export function planDeployment(
  env: InfraEnv,
  endpointName: string,
  current: CurrentDeployment | undefined,
  target: DeployTarget,
  now: Date,
): Omit<DeploymentPlan, 'reuseModel'> {
  const missing: string[] = [];
  const pick = (variable: string, fallback: string | undefined): string => {
    const value = env[variable] || fallback;
    if (!value) missing.push(variable);
    return value ?? '';
  };

  let image: string;
  let tagForNames: string;
  if (target.kind === 'refresh') {
    if (!current?.model) {
      throw new SageMakerOpsError(
        'ENDPOINT_MISSING',
        `endpoint ${endpointName} is not deployed, so there is nothing to refresh: run sagemaker-deploy first`,
      );
    }
    image = current.model.image;
    tagForNames = image.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : 'refresh';
  } else {
    const repository = pick('STEREOCRAFTER_SAGEMAKER_ECR_URL', undefined);
    image = `${repository}:${target.tag}`;
    tagForNames = target.tag;
  }

  const roleArn = pick('SAGEMAKER_EXECUTION_ROLE_ARN', current?.model?.roleArn);
  const instanceType = pick('SAGEMAKER_INSTANCE_TYPE', current?.config?.instanceType);
  const countText = pick('SAGEMAKER_INSTANCE_COUNT', current?.config ? String(current.config.instanceCount) : undefined);
  const asyncOutputPath = pick('SAGEMAKER_ASYNC_OUTPUT_S3_URI', current?.config?.asyncOutputPath);
  const asyncFailurePath = pick('SAGEMAKER_ASYNC_FAILURE_S3_URI', current?.config?.asyncFailurePath);
  if (missing.length > 0) {
    throw new SageMakerOpsError(
      'INFRA_ENV',
      `cannot deploy ${endpointName}: ${missing.join(', ')} not set in packages/aws-infra/.env` +
        (current ? '' : ` and endpoint ${endpointName} does not exist yet to take them from`),
    );
  }
  const instanceCount = Number(countText);
  if (!Number.isInteger(instanceCount) || instanceCount < 1) {
    throw new SageMakerOpsError('INFRA_ENV', `SAGEMAKER_INSTANCE_COUNT must be a whole number >= 1, got ${countText}`);
  }

  const environment: Record<string, string> = { ...(current?.model?.environment ?? {}) };
  for (const variable of MODEL_ENV_VARIABLES) if (env[variable]) environment[variable] = env[variable];
  // The image sets these too; stating them on the model keeps the deployment self-describing.
  environment.INFERENCE_ENGINE = 'iw3';
  environment.PORT = '8080';
  // SageMaker reaches the container on its own network and authenticates every caller with
  // IAM; the server refuses 0.0.0.0 without a secret unless told so.
  environment.HOST = '0.0.0.0';
  environment.INFERENCE_AUTH = 'sagemaker';

  const fingerprint = shortHash(JSON.stringify({ image, roleArn, environment: sortKeys(environment) }), 6);
  const model: ModelView = {
    name:
      target.kind === 'refresh' && current?.model && sameModel(current.model, image, roleArn, environment)
        ? current.model.name
        : sagemakerName(endpointName, tagForNames, fingerprint),
    image,
    roleArn,
    environment,
  };
  const config: EndpointConfigView = {
    name: sagemakerName(endpointName, tagForNames, timestampTag(now)),
    modelName: model.name,
    instanceType,
    instanceCount,
    asyncOutputPath,
    asyncFailurePath,
    maxConcurrentInvocationsPerInstance: current?.config?.maxConcurrentInvocationsPerInstance ?? 1,
  };
  return { endpointName, endpointExists: current !== undefined, model, config };
}

function sameModel(model: ModelView, image: string, roleArn: string, environment: Record<string, string>): boolean {
  return (
    model.image === image &&
    model.roleArn === roleArn &&
    JSON.stringify(sortKeys(model.environment)) === JSON.stringify(sortKeys(environment))
  );
}

function sortKeys(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

export interface DeployOptions {
  readonly api: SageMakerApi;
  readonly env: InfraEnv;
  readonly endpointName: string;
  readonly target: DeployTarget;
  readonly print: (line: string) => void;
  readonly now?: Date;
  readonly pollMs?: number;
  /** Endpoint updates take 5–15 minutes on GPU instances. Default 60 min. */
  readonly maxWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface DeployReport {
  readonly endpointName: string;
  readonly status: string;
  readonly modelName: string;
  readonly configName: string;
  readonly image: string;
  readonly logGroup: string;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function deployEndpoint(options: DeployOptions): Promise<DeployReport> {
  const { api, endpointName, print } = options;
  const endpoint = await api.describeEndpoint(endpointName);
  let current: CurrentDeployment | undefined;
  if (endpoint) {
    const config = await api.describeEndpointConfig(endpoint.configName);
    const model = config ? await api.describeModel(config.modelName) : undefined;
    current = { endpoint, ...(config ? { config } : {}), ...(model ? { model } : {}) };
    if (endpoint.status !== 'InService' && endpoint.status !== 'Failed') {
      throw new SageMakerOpsError(
        'DEPLOY_FAILED',
        `endpoint ${endpointName} is ${endpoint.status}: wait until it is InService (or Failed) and try again`,
      );
    }
  }
  const planned = planDeployment(options.env, endpointName, current, options.target, options.now ?? new Date());
  const existingModel = await api.describeModel(planned.model.name);
  const plan: DeploymentPlan = { ...planned, reuseModel: existingModel !== undefined };

  if (plan.reuseModel) print(`model ${plan.model.name} exists (same image and settings): reusing it`);
  else {
    await api.createModel(plan.model);
    print(`created model ${plan.model.name} (${plan.model.image})`);
  }
  await api.createEndpointConfig(plan.config);
  print(
    `created endpoint configuration ${plan.config.name}: ${plan.config.instanceCount} × ${plan.config.instanceType}, ` +
      `async output ${plan.config.asyncOutputPath}, failures ${plan.config.asyncFailurePath}`,
  );
  if (current) {
    await api.updateEndpoint(endpointName, plan.config.name);
    print(`updating endpoint ${endpointName} (was ${current.endpoint.configName})`);
  } else {
    await api.createEndpoint(endpointName, plan.config.name);
    print(`creating endpoint ${endpointName}`);
  }

  const final = await waitForEndpoint(options, plan.config.name);
  const logGroup = `/aws/sagemaker/Endpoints/${endpointName}`;
  print(`endpoint ${endpointName} is InService with ${plan.config.name}`);
  print(`  model   ${plan.model.name}`);
  print(`  image   ${plan.model.image}`);
  print(`  logs    CloudWatch Logs group ${logGroup}`);
  return {
    endpointName,
    status: final.status,
    modelName: plan.model.name,
    configName: plan.config.name,
    image: plan.model.image,
    logGroup,
  };
}

/**
 * Polls until the endpoint is InService with the new configuration. SageMaker rolls a failed
 * update back (InService again, old configuration): that is a failed deployment too.
 */
async function waitForEndpoint(options: DeployOptions, configName: string): Promise<EndpointView> {
  const sleep = options.sleep ?? defaultSleep;
  const deadline = Date.now() + (options.maxWaitMs ?? 60 * 60 * 1000);
  let lastStatus: string | undefined;
  for (;;) {
    const endpoint = await options.api.describeEndpoint(options.endpointName);
    if (!endpoint) throw new SageMakerOpsError('DEPLOY_FAILED', `endpoint ${options.endpointName} disappeared`);
    if (endpoint.status !== lastStatus) {
      lastStatus = endpoint.status;
      options.print(`endpoint status ${endpoint.status}`);
    }
    if (endpoint.status === 'Failed') {
      throw new SageMakerOpsError(
        'DEPLOY_FAILED',
        `endpoint ${options.endpointName} failed: ${endpoint.failureReason ?? 'no reason given'} ` +
          `(container logs: /aws/sagemaker/Endpoints/${options.endpointName})`,
      );
    }
    if (endpoint.status === 'InService') {
      if (endpoint.configName === configName) return endpoint;
      throw new SageMakerOpsError(
        'DEPLOY_FAILED',
        `the update of ${options.endpointName} was rolled back to ${endpoint.configName}: ` +
          `${endpoint.failureReason ?? 'no reason given'} (container logs: /aws/sagemaker/Endpoints/${options.endpointName})`,
      );
    }
    if (Date.now() > deadline) {
      throw new SageMakerOpsError(
        'DEPLOY_FAILED',
        `endpoint ${options.endpointName} is still ${endpoint.status}; stopped waiting (it goes on)`,
      );
    }
    await sleep(options.pollMs ?? 30_000);
  }
}
