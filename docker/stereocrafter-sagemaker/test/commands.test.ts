/**
 * The operator commands with the real AWS SDK against moto_server: sagemaker-deploy creates
 * model, configuration and endpoint, hf-token rotate stores the new secret value. moto 5.2 has no
 * UpdateEndpoint, and its CodeBuild answers timestamps the SDK cannot read: the update path and
 * the build follower are covered in deploy-endpoint.test.ts and build.test.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DescribeEndpointConfigCommand, DescribeModelCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { hfTokenRotateCommand, sagemakerBuildCommand, sagemakerDeployCommand, type CommandContext } from '../src/commands';
import { startMotoServer, type MotoServer } from '@stereo-spot/aws-emulator';

let moto: MotoServer;
let dir: string;
let envFile: string;
let secretArn: string;
const clientConfig = () => ({
  region: 'us-east-1',
  endpoint: moto.endpoint,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});

beforeAll(async () => {
  moto = await startMotoServer();
  Object.assign(process.env, moto.env);
  dir = await mkdtemp(path.join(os.tmpdir(), 'sagemaker-commands-test-'));
  envFile = path.join(dir, 'aws-infra.env');
  const secret = await new SecretsManagerClient(clientConfig()).send(
    new CreateSecretCommand({ Name: 'stereo-spot/hf-token', SecretString: JSON.stringify({ token: 'hf_old' }) }),
  );
  secretArn = secret.ARN!;
  await writeFile(
    envFile,
    [
      'AWS_REGION=us-east-1',
      'CODEBUILD_PROJECT_NAME=stereo-spot-inference-image',
      'SAGEMAKER_ENDPOINT_NAME=stereo-spot-iw3',
      'STEREOCRAFTER_SAGEMAKER_ECR_URL=123456789012.dkr.ecr.us-east-1.amazonaws.com/stereocrafter-sagemaker',
      'SAGEMAKER_EXECUTION_ROLE_ARN=arn:aws:iam::123456789012:role/stereo-spot-sagemaker',
      'SAGEMAKER_INSTANCE_TYPE=ml.g4dn.xlarge',
      'SAGEMAKER_INSTANCE_COUNT=1',
      'SAGEMAKER_ASYNC_OUTPUT_S3_URI=s3://stereo-spot-output/sagemaker/async-output/',
      'SAGEMAKER_ASYNC_FAILURE_S3_URI=s3://stereo-spot-output/sagemaker/async-failures/',
      'IW3_LOW_VRAM=1',
      'IW3_MAX_FPS=24',
      `HF_TOKEN_ARN=${secretArn}`,
    ].join('\n'),
  );
}, 60_000);

afterAll(async () => {
  await moto?.stop();
  await rm(dir, { recursive: true, force: true });
});

function context(overrides: Partial<CommandContext> = {}): CommandContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    root: dir,
    env: { ...moto.env, STEREO_SPOT_INFRA_ENV_FILE: envFile },
    print: (line) => lines.push(line),
    pollMs: 10,
    lines,
    ...overrides,
  };
}

it('sagemaker-deploy creates the model and async endpoint configuration named after the tag', async () => {
  // Prepare
  const ctx = context();
  const sagemaker = new SageMakerClient(clientConfig());
  // Act
  const report = await sagemakerDeployCommand(['--tag', 'abc123def456'], ctx);
  // Assess
  expect(report.status).toBe('InService');
  expect(report.modelName).toMatch(/^stereo-spot-iw3-abc123def456-[0-9a-f]{6}$/);
  expect(report.configName).toMatch(/^stereo-spot-iw3-abc123def456-\d{8}-\d{6}$/);
  const model = await sagemaker.send(new DescribeModelCommand({ ModelName: report.modelName }));
  expect(model.PrimaryContainer?.Image).toBe(
    '123456789012.dkr.ecr.us-east-1.amazonaws.com/stereocrafter-sagemaker:abc123def456',
  );
  expect(model.PrimaryContainer?.Environment).toEqual({
    INFERENCE_ENGINE: 'iw3',
    PORT: '8080',
    // SageMaker reaches the container on its network and authenticates callers itself.
    HOST: '0.0.0.0',
    INFERENCE_AUTH: 'sagemaker',
    IW3_LOW_VRAM: '1',
    IW3_MAX_FPS: '24',
    HF_TOKEN_ARN: secretArn,
  });
  const config = await sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: report.configName }));
  expect(config.AsyncInferenceConfig?.OutputConfig).toEqual({
    S3OutputPath: 's3://stereo-spot-output/sagemaker/async-output/',
    S3FailurePath: 's3://stereo-spot-output/sagemaker/async-failures/',
  });
  expect(config.ProductionVariants?.[0]).toMatchObject({ InstanceType: 'ml.g4dn.xlarge', InitialInstanceCount: 1 });
  expect(ctx.lines).toEqual(
    expect.arrayContaining([
      'creating endpoint stereo-spot-iw3',
      `endpoint stereo-spot-iw3 is InService with ${report.configName}`,
      '  logs    CloudWatch Logs group /aws/sagemaker/Endpoints/stereo-spot-iw3',
    ]),
  );
});

it('hf-token rotate stores the new token as {"token": ...}', async () => {
  // Prepare
  const tokenFile = path.join(dir, 'token.txt');
  await writeFile(tokenFile, 'hf_new_token\n');
  const ctx = context();
  // Act
  const report = await hfTokenRotateCommand(['--token-file', tokenFile, '--no-redeploy'], ctx);
  // Assess
  const secret = await new SecretsManagerClient(clientConfig()).send(new GetSecretValueCommand({ SecretId: secretArn }));
  expect(JSON.parse(secret.SecretString!)).toEqual({ token: 'hf_new_token' });
  expect(report.deployment).toBeUndefined();
  expect(ctx.lines[0]).toMatch(new RegExp(`^stored a new value in ${secretArn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
});

it('hf-token rotate takes the token from an environment variable and skips a missing endpoint', async () => {
  const ctx = context();
  const report = await hfTokenRotateCommand(['--from-env', 'NEW_HF_TOKEN'], {
    ...ctx,
    env: { ...ctx.env, NEW_HF_TOKEN: 'hf_from_env', SAGEMAKER_ENDPOINT_NAME: 'no-such-endpoint' },
  });
  const secret = await new SecretsManagerClient(clientConfig()).send(new GetSecretValueCommand({ SecretId: secretArn }));
  expect(JSON.parse(secret.SecretString!)).toEqual({ token: 'hf_from_env' });
  expect(report.deployment).toBeUndefined();
  expect(ctx.lines).toContain('endpoint no-such-endpoint is not deployed: its first deployment will read the new token');
});

it('every command fails with a clear message without packages/aws-infra/.env', async () => {
  const ctx = context({ env: moto.env });
  const expected = `${path.join(dir, 'packages', 'aws-infra', '.env')} not found`;
  await expect(sagemakerBuildCommand([], ctx)).rejects.toThrow(expected);
  await expect(sagemakerDeployCommand(['--tag', 'x'], ctx)).rejects.toThrow(expected);
  await expect(hfTokenRotateCommand(['--from-env', 'HOME'], ctx)).rejects.toThrow(expected);
});

it('names the variable the file lacks', async () => {
  const partial = path.join(dir, 'partial.env');
  await writeFile(partial, 'AWS_REGION=us-east-1\n');
  const ctx = context({ env: { ...moto.env, STEREO_SPOT_INFRA_ENV_FILE: partial } });
  await expect(sagemakerBuildCommand([], ctx)).rejects.toThrow(`${partial} lacks CODEBUILD_PROJECT_NAME`);
  await expect(sagemakerDeployCommand([], ctx)).rejects.toThrow(`${partial} lacks SAGEMAKER_ENDPOINT_NAME`);
});

it('rejects unknown arguments and contradictory ones', async () => {
  await expect(sagemakerDeployCommand(['--tga', 'x'], context())).rejects.toThrow(/Unknown option '--tga'/);
  await expect(sagemakerDeployCommand(['--tag', 'x', '--refresh'], context())).rejects.toThrow(
    '--refresh redeploys the current image: give no --tag with it',
  );
});
