import { planDeployment, type CurrentDeployment } from '../src/deploy';
import { sagemakerName } from '../src/names';

const NOW = new Date('2025-03-04T05:06:07Z');
const FULL_ENV = {
  STEREOCRAFTER_SAGEMAKER_ECR_URL: '123456789012.dkr.ecr.us-east-1.amazonaws.com/stereocrafter-sagemaker',
  SAGEMAKER_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/stereo-spot-sagemaker',
  SAGEMAKER_INSTANCE_TYPE: 'ml.g5.xlarge',
  SAGEMAKER_INSTANCE_COUNT: '1',
  SAGEMAKER_ASYNC_OUTPUT_S3_URI: 's3://stereo-spot-output/sagemaker/async-output/',
  SAGEMAKER_ASYNC_FAILURE_S3_URI: 's3://stereo-spot-output/sagemaker/async-failures/',
  IW3_LOW_VRAM: '1',
  HF_TOKEN_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hf-token',
  INPUT_BUCKET_NAME: 'stereo-spot-input',
  OUTPUT_BUCKET_NAME: 'stereo-spot-output',
  UNRELATED: 'not for the model',
};
const CURRENT: CurrentDeployment = {
  endpoint: { name: 'stereo-spot-iw3', status: 'InService', configName: 'stereo-spot-iw3-old' },
  config: {
    name: 'stereo-spot-iw3-old',
    modelName: 'stereo-spot-iw3-abc-000000',
    instanceType: 'ml.g4dn.xlarge',
    instanceCount: 2,
    asyncOutputPath: 's3://current/out/',
    asyncFailurePath: 's3://current/failed/',
    maxConcurrentInvocationsPerInstance: 1,
  },
  model: {
    name: 'stereo-spot-iw3-abc-000000',
    image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/stereocrafter-sagemaker:abc',
    roleArn: 'arn:aws:iam::123456789012:role/current',
    environment: { INFERENCE_ENGINE: 'iw3', PORT: '8080', HOST: '0.0.0.0', INFERENCE_AUTH: 'sagemaker', IW3_MAX_FPS: '24' },
  },
};

describe('planDeployment', () => {
  it('names the model and the configuration after the image tag', () => {
    // Act
    const plan = planDeployment(FULL_ENV, 'stereo-spot-iw3', undefined, { kind: 'image', tag: '1a2b3c4d5e6f' }, NOW);
    // Assess
    expect(plan.endpointExists).toBe(false);
    expect(plan.model.name).toMatch(/^stereo-spot-iw3-1a2b3c4d5e6f-[0-9a-f]{6}$/);
    expect(plan.model.image).toBe(`${FULL_ENV.STEREOCRAFTER_SAGEMAKER_ECR_URL}:1a2b3c4d5e6f`);
    expect(plan.model.environment).toEqual({
      INFERENCE_ENGINE: 'iw3',
      PORT: '8080',
      HOST: '0.0.0.0',
      INFERENCE_AUTH: 'sagemaker',
      IW3_LOW_VRAM: '1',
      HF_TOKEN_ARN: FULL_ENV.HF_TOKEN_ARN,
      INPUT_BUCKET_NAME: FULL_ENV.INPUT_BUCKET_NAME,
      OUTPUT_BUCKET_NAME: FULL_ENV.OUTPUT_BUCKET_NAME,
    });
    expect(plan.config).toEqual({
      name: 'stereo-spot-iw3-1a2b3c4d5e6f-20250304-050607',
      modelName: plan.model.name,
      instanceType: 'ml.g5.xlarge',
      instanceCount: 1,
      asyncOutputPath: FULL_ENV.SAGEMAKER_ASYNC_OUTPUT_S3_URI,
      asyncFailurePath: FULL_ENV.SAGEMAKER_ASYNC_FAILURE_S3_URI,
      maxConcurrentInvocationsPerInstance: 1,
    });
  });

  it('keeps what the file does not say from the running endpoint', () => {
    const plan = planDeployment(
      { STEREOCRAFTER_SAGEMAKER_ECR_URL: FULL_ENV.STEREOCRAFTER_SAGEMAKER_ECR_URL },
      'stereo-spot-iw3',
      CURRENT,
      { kind: 'image', tag: 'v2' },
      NOW,
    );
    expect(plan.endpointExists).toBe(true);
    expect(plan.model.roleArn).toBe(CURRENT.model!.roleArn);
    expect(plan.model.environment).toEqual(CURRENT.model!.environment);
    expect(plan.config).toMatchObject({
      instanceType: 'ml.g4dn.xlarge',
      instanceCount: 2,
      asyncOutputPath: 's3://current/out/',
      asyncFailurePath: 's3://current/failed/',
    });
  });

  it('names every setting it cannot find when the endpoint does not exist yet', () => {
    expect(() =>
      planDeployment({ STEREOCRAFTER_SAGEMAKER_ECR_URL: 'repo' }, 'ep', undefined, { kind: 'image', tag: 't' }, NOW),
    ).toThrow(
      'cannot deploy ep: SAGEMAKER_EXECUTION_ROLE_ARN, SAGEMAKER_INSTANCE_TYPE, SAGEMAKER_INSTANCE_COUNT, ' +
        'SAGEMAKER_ASYNC_OUTPUT_S3_URI, SAGEMAKER_ASYNC_FAILURE_S3_URI not set in packages/aws-infra/.env and endpoint ep does not exist yet',
    );
  });

  it('refreshes with the same image and model, in a new configuration', () => {
    const plan = planDeployment({}, 'stereo-spot-iw3', CURRENT, { kind: 'refresh' }, NOW);
    expect(plan.model).toEqual(CURRENT.model);
    expect(plan.config.name).toBe('stereo-spot-iw3-abc-20250304-050607');
    expect(plan.config.modelName).toBe(CURRENT.model!.name);
  });

  it('refuses to refresh an endpoint that is not deployed', () => {
    expect(() => planDeployment(FULL_ENV, 'ep', undefined, { kind: 'refresh' }, NOW)).toThrow(
      'endpoint ep is not deployed, so there is nothing to refresh',
    );
  });
});

describe('sagemakerName', () => {
  it('keeps valid names and repairs invalid characters', () => {
    expect(sagemakerName('stereo-spot-iw3', 'v1.2_3')).toBe('stereo-spot-iw3-v1-2-3');
  });

  it('shortens long names to 63 characters and keeps them distinct', () => {
    const a = sagemakerName('a'.repeat(50), 'tag-one', '20250304-050607');
    const b = sagemakerName('a'.repeat(50), 'tag-two', '20250304-050607');
    expect(a).toHaveLength(63);
    expect(a).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/);
    expect(a).not.toBe(b);
  });
});
