/** AWS SDK clients for the tooling, honouring AWS_ENDPOINT_URL (an emulator in tests). */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { InfraEnv } from './env-file';

export interface AwsSettings {
  readonly region: string;
  readonly endpoint?: string;
}

export function awsSettings(env: InfraEnv): AwsSettings {
  return {
    region: env.AWS_REGION || 'us-east-1',
    ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}),
  };
}

const config = (settings: AwsSettings) => ({
  region: settings.region,
  ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
});

export const codeBuildClient = (s: AwsSettings) => new CodeBuildClient(config(s));
export const logsClient = (s: AwsSettings) => new CloudWatchLogsClient(config(s));
export const sageMakerClient = (s: AwsSettings) => new SageMakerClient(config(s));
export const s3Client = (s: AwsSettings) =>
  new S3Client({ ...config(s), ...(s.endpoint ? { forcePathStyle: true } : {}) });
export const secretsClient = (s: AwsSettings) => new SecretsManagerClient(config(s));
