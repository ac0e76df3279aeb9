/** The SageMakerApi of deploy.ts over the AWS SDK. */
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  UpdateEndpointCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { EndpointConfigView, EndpointView, ModelView, SageMakerApi } from './deploy';

/** SageMaker answers ValidationException "Could not find ..." for a missing resource. */
function isMissing(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e?.name === 'ValidationException' && /could not find/i.test(e.message ?? '');
}

async function orUndefined<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

export function sdkSageMakerApi(client: SageMakerClient): SageMakerApi {
  return {
    describeEndpoint: (name) =>
      orUndefined(async (): Promise<EndpointView> => {
        const e = await client.send(new DescribeEndpointCommand({ EndpointName: name }));
        return {
          name,
          status: e.EndpointStatus ?? 'Unknown',
          configName: e.EndpointConfigName ?? '',
          ...(e.FailureReason ? { failureReason: e.FailureReason } : {}),
        };
      }),
    describeEndpointConfig: (name) =>
      orUndefined(async (): Promise<EndpointConfigView> => {
        const c = await client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name }));
        const variant = c.ProductionVariants?.[0];
        return {
          name,
          modelName: variant?.ModelName ?? '',
          instanceType: variant?.InstanceType ?? '',
          instanceCount: variant?.InitialInstanceCount ?? 1,
          asyncOutputPath: c.AsyncInferenceConfig?.OutputConfig?.S3OutputPath ?? '',
          asyncFailurePath: c.AsyncInferenceConfig?.OutputConfig?.S3FailurePath ?? '',
          maxConcurrentInvocationsPerInstance:
            c.AsyncInferenceConfig?.ClientConfig?.MaxConcurrentInvocationsPerInstance ?? 1,
        };
      }),
    describeModel: (name) =>
      orUndefined(async (): Promise<ModelView> => {
        const m = await client.send(new DescribeModelCommand({ ModelName: name }));
        const container = m.PrimaryContainer ?? m.Containers?.[0];
        return {
          name,
          image: container?.Image ?? '',
          roleArn: m.ExecutionRoleArn ?? '',
          environment: container?.Environment ?? {},
        };
      }),
    async createModel(model) {
      await client.send(
        new CreateModelCommand({
          ModelName: model.name,
          ExecutionRoleArn: model.roleArn,
          PrimaryContainer: { Image: model.image, Environment: { ...model.environment } },
        }),
      );
    },
    async createEndpointConfig(config) {
      await client.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: config.name,
          ProductionVariants: [
            {
              VariantName: 'AllTraffic',
              ModelName: config.modelName,
              InstanceType: config.instanceType as never,
              InitialInstanceCount: config.instanceCount,
            },
          ],
          AsyncInferenceConfig: {
            OutputConfig: { S3OutputPath: config.asyncOutputPath, S3FailurePath: config.asyncFailurePath },
            ClientConfig: { MaxConcurrentInvocationsPerInstance: config.maxConcurrentInvocationsPerInstance },
          },
        }),
      );
    },
    async createEndpoint(name, configName) {
      await client.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: configName }));
    },
    async updateEndpoint(name, configName) {
      await client.send(new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: configName }));
    },
  };
}
