import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseEnvFile, readInfraEnv, requireVars } from '../src/env-file';
import { SageMakerOpsError } from '../src/errors';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'infra-env-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseEnvFile', () => {
  it('reads shell-style KEY=value lines', () => {
    const values = parseEnvFile(
      [
        '# written by aws-infra:terraform-output',
        '',
        'AWS_REGION=eu-west-1',
        'export SAGEMAKER_ENDPOINT_NAME=stereo-spot-iw3',
        "STEREOCRAFTER_SAGEMAKER_ECR_URL='123456789012.dkr.ecr.eu-west-1.amazonaws.com/stereocrafter-sagemaker'",
        'SAGEMAKER_ASYNC_OUTPUT_S3_URI="s3://out/sagemaker async/"',
        'IW3_PRESET=medium # quality over speed',
        'EMPTY=',
        '  SPACED = value with spaces  ',
      ].join('\n'),
    );
    expect(values).toEqual({
      AWS_REGION: 'eu-west-1',
      SAGEMAKER_ENDPOINT_NAME: 'stereo-spot-iw3',
      STEREOCRAFTER_SAGEMAKER_ECR_URL: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/stereocrafter-sagemaker',
      SAGEMAKER_ASYNC_OUTPUT_S3_URI: 's3://out/sagemaker async/',
      IW3_PRESET: 'medium',
      EMPTY: '',
      SPACED: 'value with spaces',
    });
  });

  it('names the line it cannot read', () => {
    expect(() => parseEnvFile('A=1\nthis is not an assignment\n', 'the.env')).toThrow(
      'the.env line 2 is not KEY=value: this is not an assignment',
    );
  });
});

describe('readInfraEnv', () => {
  it('fails with the path and how to create the file when it is missing', () => {
    const read = () => readInfraEnv({ root: dir });
    expect(read).toThrow(SageMakerOpsError);
    expect(read).toThrow(`${path.join(dir, 'packages', 'aws-infra', '.env')} not found`);
    expect(read).toThrow('npx nx run aws-infra:terraform-output');
  });

  it('lets the process environment override values of the file', async () => {
    const file = path.join(dir, 'stack.env');
    await writeFile(file, 'AWS_REGION=eu-west-1\nSAGEMAKER_ENDPOINT_NAME=from-file\n');
    const env = readInfraEnv({
      root: dir,
      file,
      overrides: { SAGEMAKER_ENDPOINT_NAME: 'from-env', AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', HOME: '/root' },
    });
    expect(env).toEqual({
      AWS_REGION: 'eu-west-1',
      SAGEMAKER_ENDPOINT_NAME: 'from-env',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
    });
  });

  it('names every missing variable and the file', async () => {
    const file = path.join(dir, 'stack.env');
    await writeFile(file, 'AWS_REGION=eu-west-1\nSAGEMAKER_ENDPOINT_NAME=\n');
    const env = readInfraEnv({ root: dir, file });
    expect(() => requireVars(env, ['AWS_REGION', 'SAGEMAKER_ENDPOINT_NAME', 'CODEBUILD_PROJECT_NAME'])).toThrow(
      `${file} lacks SAGEMAKER_ENDPOINT_NAME, CODEBUILD_PROJECT_NAME`,
    );
    expect(requireVars(env, ['AWS_REGION'])).toEqual({ AWS_REGION: 'eu-west-1' });
  });
});
