import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readInfraEnv, requireVars } from '../src/env-file';
import { SageMakerOpsError } from '../src/errors';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'infra-env-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
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
