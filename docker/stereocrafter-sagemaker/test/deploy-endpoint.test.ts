/**
 * The deployment's decisions (update vs create, waiting, rollback and failure detection) on an
 * in-memory SageMaker that plays the status sequence SageMaker reports. The SDK calls themselves
 * run against moto_server in commands.test.ts.
 */
import {
  deployEndpoint,
  type EndpointConfigView,
  type EndpointView,
  type ModelView,
  type SageMakerApi,
} from '../src/deploy';

const ENV = {
  STEREOCRAFTER_SAGEMAKER_ECR_URL: '123456789012.dkr.ecr.us-east-1.amazonaws.com/stereocrafter-sagemaker',
};

class ScriptedSageMaker implements SageMakerApi {
  readonly calls: string[] = [];
  readonly models = new Map<string, ModelView>();
  readonly configs = new Map<string, EndpointConfigView>();
  endpoint: EndpointView | undefined;
  /** What DescribeEndpoint reports after an update, one entry per call. */
  afterUpdate: Array<(newConfig: string, oldConfig: string) => EndpointView> = [];
  private pendingConfig = '';
  private oldConfig = '';

  constructor() {
    const model: ModelView = {
      name: 'ep-v1-aaaaaa',
      image: `${ENV.STEREOCRAFTER_SAGEMAKER_ECR_URL}:v1`,
      roleArn: 'arn:aws:iam::123456789012:role/sm',
      environment: { INFERENCE_ENGINE: 'iw3', PORT: '8080' },
    };
    this.models.set(model.name, model);
    this.configs.set('ep-v1-config', {
      name: 'ep-v1-config',
      modelName: model.name,
      instanceType: 'ml.g5.xlarge',
      instanceCount: 1,
      asyncOutputPath: 's3://out/async/',
      asyncFailurePath: 's3://out/failed/',
      maxConcurrentInvocationsPerInstance: 1,
    });
    this.endpoint = { name: 'ep', status: 'InService', configName: 'ep-v1-config' };
  }

  async describeEndpoint() {
    if (this.endpoint?.status === 'Updating' && this.afterUpdate.length > 0) {
      this.endpoint = this.afterUpdate.shift()!(this.pendingConfig, this.oldConfig);
    }
    return this.endpoint;
  }
  async describeEndpointConfig(name: string) {
    return this.configs.get(name);
  }
  async describeModel(name: string) {
    return this.models.get(name);
  }
  async createModel(model: ModelView) {
    this.calls.push(`createModel ${model.name}`);
    this.models.set(model.name, model);
  }
  async createEndpointConfig(config: EndpointConfigView) {
    this.calls.push(`createEndpointConfig ${config.modelName}`);
    this.configs.set(config.name, config);
  }
  async createEndpoint(name: string, configName: string) {
    this.calls.push('createEndpoint');
    this.endpoint = { name, status: 'InService', configName };
  }
  async updateEndpoint(_name: string, configName: string) {
    this.calls.push('updateEndpoint');
    this.oldConfig = this.endpoint!.configName;
    this.pendingConfig = configName;
    this.endpoint = { ...this.endpoint!, status: 'Updating' };
  }
}

const updating = (): EndpointView => ({ name: 'ep', status: 'Updating', configName: 'ep-v1-config' });
const noSleep = async () => undefined;

function deploy(api: SageMakerApi, tag = 'v2') {
  const lines: string[] = [];
  const run = deployEndpoint({
    api,
    env: ENV,
    endpointName: 'ep',
    target: { kind: 'image', tag },
    print: (line) => lines.push(line),
    sleep: noSleep,
    maxWaitMs: 5_000,
    now: new Date('2025-01-01T00:00:00Z'),
  });
  return { run, lines };
}

it('updates a running endpoint with a new model and waits until it serves the new configuration', async () => {
  // Prepare
  const api = new ScriptedSageMaker();
  api.afterUpdate = [updating, updating, (config) => ({ name: 'ep', status: 'InService', configName: config })];
  // Act
  const { run, lines } = deploy(api);
  const report = await run;
  // Assess
  expect(api.calls).toEqual([
    `createModel ${report.modelName}`,
    `createEndpointConfig ${report.modelName}`,
    'updateEndpoint',
  ]);
  expect(report).toMatchObject({ status: 'InService', image: `${ENV.STEREOCRAFTER_SAGEMAKER_ECR_URL}:v2` });
  expect(lines).toEqual(
    expect.arrayContaining(['endpoint status Updating', `endpoint ep is InService with ${report.configName}`]),
  );
});

it('reuses a model that exists with the same name', async () => {
  const api = new ScriptedSageMaker();
  api.afterUpdate = [(config) => ({ name: 'ep', status: 'InService', configName: config })];
  const first = await deploy(api).run;
  api.calls.length = 0;
  api.afterUpdate = [(config) => ({ name: 'ep', status: 'InService', configName: config })];
  const { run, lines } = deploy(api);
  await run;
  expect(api.calls[0]).toBe(`createEndpointConfig ${first.modelName}`);
  expect(lines[0]).toBe(`model ${first.modelName} exists (same image and settings): reusing it`);
});

it('reports a rolled-back update as a failure with SageMaker’s reason', async () => {
  const api = new ScriptedSageMaker();
  api.afterUpdate = [
    updating,
    (_config, old) => ({
      name: 'ep',
      status: 'InService',
      configName: old,
      failureReason: 'The primary container for production variant AllTraffic did not pass the ping health check.',
    }),
  ];
  await expect(deploy(api).run).rejects.toThrow(
    'the update of ep was rolled back to ep-v1-config: The primary container for production variant AllTraffic ' +
      'did not pass the ping health check. (container logs: /aws/sagemaker/Endpoints/ep)',
  );
});

it('reports a failed endpoint', async () => {
  const api = new ScriptedSageMaker();
  api.afterUpdate = [(config) => ({ name: 'ep', status: 'Failed', configName: config, failureReason: 'no capacity' })];
  await expect(deploy(api).run).rejects.toThrow('endpoint ep failed: no capacity');
});

it('refuses to start while the endpoint is still updating', async () => {
  const api = new ScriptedSageMaker();
  api.endpoint = { name: 'ep', status: 'Updating', configName: 'ep-v1-config' };
  await expect(deploy(api).run).rejects.toThrow('endpoint ep is Updating: wait until it is InService');
  expect(api.calls).toEqual([]);
});
