import { synth, environmentOf, type Json, type Synthesized } from './support/synth';

// Prepare: the three inference shapes, synthesized once each.
let firstApply: Synthesized; // sagemaker, image not built yet
let sagemaker: Synthesized; // sagemaker, image tag known
let http: Synthesized;
beforeAll(() => {
  firstApply = synth();
  sagemaker = synth({
    sagemaker_image_tag: 'v1.2_rc',
    sagemaker_instance_type: 'ml.g5.xlarge',
    sagemaker_instance_count: 2,
    iw3_env: { IW3_LOW_VRAM: '1', IW3_MAX_FPS: '30' },
    hf_token_secret: true,
  });
  http = synth({ inference_backend: 'http', inference_http_url: 'http://10.1.2.3:8081' , inference_shared_secret_arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:inference-secret-AbCdEf' });
});

const sagemakerResources = (stack: Synthesized) =>
  Object.keys(stack.json.resource as Json).filter((type) => type.startsWith('aws_sagemaker_'));

describe('inference_backend=sagemaker', () => {
  it('creates the model, the async endpoint configuration and the endpoint from the ECR image tag', () => {
    const repository = sagemaker.one(
      'aws_ecr_repository',
      (body) => body.name === 'stereo-spot/stereocrafter-sagemaker',
    );
    const model = sagemaker.one('aws_sagemaker_model').body;
    expect(model.name).toMatch(/^stereo-spot-inference-v1-2-rc-[0-9a-f]{8}$/);
    expect(model.primary_container.image).toBe(`${sagemaker.ref(repository, 'repository_url')}:v1.2_rc`);
    const input = sagemaker.one('aws_s3_bucket', (body) => (body.bucket as string).startsWith('stereo-spot-input-'));
    const outputBucket = sagemaker.one('aws_s3_bucket', (body) => (body.bucket as string).startsWith('stereo-spot-output-'));
    expect(model.primary_container.environment).toMatchObject({
      INFERENCE_ENGINE: 'iw3',
      // listens where SageMaker reaches it, authenticated by SageMaker, on the deployment's buckets only
      HOST: '0.0.0.0',
      INFERENCE_AUTH: 'sagemaker',
      INPUT_BUCKET_NAME: sagemaker.ref(input, 'bucket'),
      OUTPUT_BUCKET_NAME: sagemaker.ref(outputBucket, 'bucket'),
      IW3_LOW_VRAM: '1',
      IW3_MAX_FPS: '30',
      HF_TOKEN_ARN: sagemaker.ref(sagemaker.one('aws_secretsmanager_secret'), 'arn'),
    });

    const config = sagemaker.one('aws_sagemaker_endpoint_configuration').body;
    expect(config.production_variants).toEqual([
      expect.objectContaining({ instance_type: 'ml.g5.xlarge', initial_instance_count: 2 }),
    ]);
    const output = sagemaker.one('aws_s3_bucket', (body) =>
      (body.bucket as string).startsWith('stereo-spot-output-'),
    );
    expect(config.async_inference_config.output_config).toEqual({
      s3_output_path: `s3://${sagemaker.ref(output, 'bucket')}/sagemaker/responses/`,
      s3_failure_path: `s3://${sagemaker.ref(output, 'bucket')}/sagemaker/failures/`,
    });
    expect(config.async_inference_config.client_config).toEqual({
      max_concurrent_invocations_per_instance: 1,
    });

    const endpoint = sagemaker.one('aws_sagemaker_endpoint').body;
    expect(endpoint.name).toBe('stereo-spot-inference');
    // sagemaker-deploy rolls out later images; Terraform must not roll them back.
    expect(endpoint.lifecycle).toEqual({ ignore_changes: ['endpoint_config_name'] });
    expect(
      sagemaker.one(
        'aws_cloudwatch_log_group',
        (body) => body.name === '/aws/sagemaker/Endpoints/stereo-spot-inference',
      ),
    ).toBeDefined();
  });

  it('first apply: no endpoint until the image exists, but the role, log group, ECR and CodeBuild are there', () => {
    expect(sagemakerResources(firstApply)).toEqual([]);
    expect(firstApply.one('aws_iam_role', (body) => body.name === 'stereo-spot-inference')).toBeDefined();
    expect(firstApply.one('aws_codebuild_project')).toBeDefined();
    expect(firstApply.json.output.sagemaker_endpoint_name.value).toBe('stereo-spot-inference');
    expect(environmentOf(firstApply, 'video-worker')).toMatchObject({
      INFERENCE_BACKEND: 'sagemaker',
      SAGEMAKER_ENDPOINT_NAME: 'stereo-spot-inference',
    });
  });

  it('lets the video-worker invoke exactly that endpoint', () => {
    const role = sagemaker.one('aws_iam_role', (body) => body.name === 'stereo-spot-video-worker-task');
    const policy = sagemaker.one('aws_iam_role_policy', (body) => body.role === sagemaker.ref(role, 'id'));
    const invoke = (JSON.parse(policy.body.policy as string).Statement as Json[]).find((s) =>
      (s.Action as string[]).includes('sagemaker:InvokeEndpointAsync'),
    )!;
    expect(invoke.Resource).toEqual([
      'arn:${data.aws_partition.partition.partition}:sagemaker:us-east-1:${data.aws_caller_identity.identity.account_id}:endpoint/stereo-spot-inference',
    ]);
  });
});

describe('inference_backend=http', () => {
  it('creates no SageMaker resource and no SageMaker role', () => {
    expect(sagemakerResources(http)).toEqual([]);
    expect(http.all('aws_iam_role').map((r) => r.body.name)).not.toContain('stereo-spot-inference');
    expect(http.json.output.sagemaker_endpoint_name).toBeUndefined();
    expect(http.json.output.inference_http_url.value).toBe('http://10.1.2.3:8081');
  });

  it('gives the video-worker INFERENCE_HTTP_URL instead of an endpoint name, and lets it reach that port', () => {
    const env = environmentOf(http, 'video-worker');
    expect(env).toMatchObject({ INFERENCE_BACKEND: 'http', INFERENCE_HTTP_URL: 'http://10.1.2.3:8081' });
    expect(env.SAGEMAKER_ENDPOINT_NAME).toBeUndefined();
    const egress = http
      .all('aws_vpc_security_group_egress_rule')
      .map((r) => r.body)
      .filter((r) => http.deref(r.security_group_id).body.name === 'stereo-spot-video-worker');
    expect(egress.map((r) => r.from_port).sort()).toEqual([443, 8081]);
    const role = http.one('aws_iam_role', (body) => body.name === 'stereo-spot-video-worker-task');
    const policy = http.one('aws_iam_role_policy', (body) => body.role === http.ref(role, 'id'));
    expect(policy.body.policy).not.toContain('sagemaker:');
  });
});

describe('images and the inference build', () => {
  it('has one scanned, encrypted ECR repository per image', () => {
    const repositories = sagemaker.all('aws_ecr_repository').map((r) => r.body);
    expect(repositories.map((r) => r.name).sort()).toEqual([
      'stereo-spot/media-worker',
      'stereo-spot/stereocrafter-sagemaker',
      'stereo-spot/video-worker',
      'stereo-spot/web-ui',
    ]);
    for (const repository of repositories) {
      expect(repository.image_scanning_configuration).toEqual({ scan_on_push: true });
      expect(repository.encryption_configuration).toEqual([{ encryption_type: 'AES256' }]);
    }
    expect(sagemaker.all('aws_ecr_lifecycle_policy')).toHaveLength(4);
  });

  it('builds the inference image in CodeBuild from the buildspec in docker/stereocrafter-sagemaker', () => {
    const project = sagemaker.one('aws_codebuild_project').body;
    const repository = sagemaker.one(
      'aws_ecr_repository',
      (body) => body.name === 'stereo-spot/stereocrafter-sagemaker',
    );
    expect(project.name).toBe('stereo-spot-stereocrafter-sagemaker');
    expect(project.source).toMatchObject({
      type: 'S3',
      buildspec: 'docker/stereocrafter-sagemaker/buildspec.yml',
    });
    expect(project.source.location).toMatch(/\/stereo-spot-source\.zip$/);
    expect(project.environment.privileged_mode).toBe(true);
    expect(project.environment.environment_variable).toEqual(
      expect.arrayContaining([
        { name: 'ECR_REPOSITORY_URI', value: sagemaker.ref(repository, 'repository_url') },
      ]),
    );
    const logs = project.logs_config.cloudwatch_logs;
    expect(sagemaker.deref(logs.group_name as string).body.name).toBe(
      '/aws/codebuild/stereo-spot-stereocrafter-sagemaker',
    );
  });

  it('creates the Hugging Face token secret only when asked', () => {
    expect(sagemaker.one('aws_secretsmanager_secret').body.name).toBe('stereo-spot/hf-token');
    expect(sagemaker.json.output.hf_token_arn).toBeDefined();
    expect(firstApply.all('aws_secretsmanager_secret')).toEqual([]);
  });
});
