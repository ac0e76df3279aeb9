/**
 * The findings of the first real apply (docs/deploy.md#what-the-first-apply-found), each read
 * from the synthesized Terraform JSON.
 */
import {
  DLQ_RETENTION_SECONDS,
  SEGMENT_OUTPUT_EXPIRY_DAYS,
  SOURCE_SEGMENT_EXPIRY_DAYS,
} from '@stereo-spot/contracts';
import { ALB_IDLE_TIMEOUT_SECONDS } from '../src/constants';
import { INTERFACE_ENDPOINT_SERVICES } from '../src/constructs/network';
import { defaultSettings } from '../src/settings';
import { environmentOf, policiesOf, synth, type Json, type Synthesized } from './support/synth';

let plain: Synthesized;
let https: Synthesized;
let sagemaker: Synthesized;
beforeAll(() => {
  plain = synth({ ecs_image_tag: 'v1' });
  https = synth({
    ecs_image_tag: 'v1',
    certificate_arn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
  });
  sagemaker = synth({ sagemaker_image_tag: 'v1', iw3_env: { IW3_LOW_VRAM: '1' }, hf_token_secret: true });
});

const webUiService = (stack: Synthesized) =>
  stack.one('aws_ecs_service', (body) => body.name === 'stereo-spot-web-ui').body;

describe('ordering', () => {
  it.each([
    ['HTTP', () => plain],
    ['HTTPS', () => https],
  ])('the web UI service waits for every listener of the load balancer (%s)', (_, stack) => {
    const listeners = stack()
      .all('aws_lb_listener')
      .map((listener) => `aws_lb_listener.${listener.id}`);
    expect(listeners.length).toBeGreaterThan(0);
    expect(webUiService(stack()).depends_on).toEqual(expect.arrayContaining(listeners));
  });
});

describe('SageMaker names', () => {
  const names = (stack: Synthesized) => ({
    model: stack.one('aws_sagemaker_model').body.name as string,
    config: stack.one('aws_sagemaker_endpoint_configuration').body.name as string,
  });

  it('stay the same for the same settings, so an unchanged deploy replaces nothing', () => {
    const again = synth({ sagemaker_image_tag: 'v1', iw3_env: { IW3_LOW_VRAM: '1' }, hf_token_secret: true });
    expect(names(again)).toEqual(names(sagemaker));
    expect(names(sagemaker).model).toMatch(/^stereo-spot-inference-v1-[0-9a-f]{8}$/);
  });

  it.each([
    ['iw3_env', { iw3_env: { IW3_LOW_VRAM: '0' } }],
    ['the Hugging Face secret', { hf_token_secret: false }],
    ['the region (role, buckets)', { region: 'eu-west-1' }],
    ['the name prefix (role)', { name_prefix: 'other' }],
  ])('change the model and the endpoint configuration when %s changes, without a new tag', (_, change) => {
    const changed = names(
      synth({ sagemaker_image_tag: 'v1', iw3_env: { IW3_LOW_VRAM: '1' }, hf_token_secret: true, ...change }),
    );
    expect(changed.model).not.toBe(names(sagemaker).model);
    expect(changed.config).not.toBe(names(sagemaker).config);
  });

  it('change the endpoint configuration alone when only the instances change', () => {
    const changed = names(
      synth({
        sagemaker_image_tag: 'v1',
        iw3_env: { IW3_LOW_VRAM: '1' },
        hf_token_secret: true,
        sagemaker_instance_type: 'ml.g5.xlarge',
      }),
    );
    expect(changed.model).toBe(names(sagemaker).model);
    expect(changed.config).not.toBe(names(sagemaker).config);
  });

  it("run on the inference AMI with the newest driver, for the image's CUDA 12.x wheels", () => {
    const [variant] = sagemaker.one('aws_sagemaker_endpoint_configuration').body
      .production_variants as Json[];
    expect(variant!.inference_ami_version).toBe('al2-ami-sagemaker-inference-gpu-3-1');
  });
});

describe('secrets', () => {
  it('the inference role may see whether the Hugging Face secret holds a value yet (start-up does not need one)', () => {
    const policy = policiesOf(sagemaker).find((p) => p.source.startsWith('aws_iam_role_policy.sagemaker_role'));
    const statement = (policy!.document.Statement as Json[]).find((s) => s.Sid === 'HuggingFaceToken');
    expect(statement).toMatchObject({
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      Resource: [sagemaker.ref(sagemaker.one('aws_secretsmanager_secret'), 'arn')],
    });
  });

  it('the Hugging Face secret is deleted at once on destroy by default (no 7-day name lock)', () => {
    expect(sagemaker.one('aws_secretsmanager_secret').body.recovery_window_in_days).toBe(0);
    expect(
      synth({ hf_token_secret: true, secret_recovery_window_days: 7 }).one('aws_secretsmanager_secret').body
        .recovery_window_in_days,
    ).toBe(7);
  });
});

describe('scale-in protection', () => {
  it.each(['media-worker', 'video-worker'])(
    "the %s task role may protect the cluster's tasks, nothing wider",
    (app) => {
      const policy = policiesOf(plain).find((p) => p.source.includes(`${app}_task-role`));
      expect(policy).toBeDefined();
      const statement = (policy!.document.Statement as Json[]).find((s) => s.Sid === 'ScaleInProtection');
      expect(statement).toMatchObject({
        Effect: 'Allow',
        Action: ['ecs:UpdateTaskProtection', 'ecs:GetTaskProtection'],
      });
      expect(statement!.Resource).toEqual([
        expect.stringMatching(/:ecs:us-east-1:\$\{data\.aws_caller_identity\.[^}]+\}:task\/stereo-spot\/\*$/),
      ]);
    },
  );
});

describe('SageMaker endpoint autoscaling', () => {
  it('scales the variant between 0 and sagemaker_max_instance_count on the backlog per instance', () => {
    const target = sagemaker.one(
      'aws_appautoscaling_target',
      (body) => body.service_namespace === 'sagemaker',
    );
    expect(target.body).toMatchObject({
      resource_id: 'endpoint/stereo-spot-inference/variant/AllTraffic',
      scalable_dimension: 'sagemaker:variant:DesiredInstanceCount',
      min_capacity: 0,
      max_capacity: 2,
    });
    expect(target.body.depends_on).toEqual([expect.stringMatching(/^aws_sagemaker_endpoint\./)]);
    const tracking = sagemaker.one(
      'aws_appautoscaling_policy',
      (body) =>
        body.policy_type === 'TargetTrackingScaling' && String(body.name).startsWith('stereo-spot-inference'),
    );
    expect(
      tracking.body.target_tracking_scaling_policy_configuration.customized_metric_specification,
    ).toMatchObject({
      metric_name: 'ApproximateBacklogSizePerInstance',
      namespace: 'AWS/SageMaker',
      dimensions: [{ name: 'EndpointName', value: 'stereo-spot-inference' }],
    });
  });

  it('starts the first instance from zero when requests wait (HasBacklogWithoutCapacity)', () => {
    const alarm = sagemaker.one(
      'aws_cloudwatch_metric_alarm',
      (body) => body.metric_name === 'HasBacklogWithoutCapacity',
    );
    expect(alarm.body).toMatchObject({
      namespace: 'AWS/SageMaker',
      dimensions: { EndpointName: 'stereo-spot-inference' },
      threshold: 1,
    });
    const step = sagemaker.deref((alarm.body.alarm_actions as string[])[0]!);
    expect(step.body.policy_type).toBe('StepScaling');
    expect(step.body.step_scaling_policy_configuration.step_adjustment).toEqual([
      { metric_interval_lower_bound: '0', scaling_adjustment: 1 },
    ]);
  });

  it('limits the video-workers to what the endpoint serves, and refuses more', () => {
    const videoTarget = sagemaker.one(
      'aws_appautoscaling_target',
      (body) => body.resource_id === 'service/stereo-spot/stereo-spot-video-worker',
    );
    expect(videoTarget.body.max_capacity).toBe(4); // 2 instances × 1 invocation × 2
    expect(() => defaultSettings({ ecs_video_worker_max_capacity: 5 })).toThrow(
      /ecs_video_worker_max_capacity: must be at most 4/,
    );
    expect(
      synth({
        inference_backend: 'http',
        inference_http_url: 'http://10.0.0.1:8081',
        inference_shared_secret_arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf',
      }).one(
        'aws_appautoscaling_target',
        (body) => body.resource_id === 'service/stereo-spot/stereo-spot-video-worker',
      ).body.max_capacity,
    ).toBe(8);
  });
});

describe('keep-alive', () => {
  it('the web UI keeps idle connections longer than the load balancer does', () => {
    const idle = plain.one('aws_lb').body.idle_timeout as number;
    expect(idle).toBe(ALB_IDLE_TIMEOUT_SECONDS);
    expect(Number(environmentOf(plain, 'web-ui').HTTP_KEEP_ALIVE_TIMEOUT_SECONDS)).toBeGreaterThan(idle);
  });
});

describe('lifetimes', () => {
  const dlqDays = DLQ_RETENTION_SECONDS / 86_400;
  const rule = (stack: Synthesized, bucket: 'input' | 'output', id: string) => {
    const lifecycle = stack.one('aws_s3_bucket_lifecycle_configuration', (body) =>
      String(body.bucket).includes(`storage_${bucket}_bucket`),
    );
    return (lifecycle.body.rule as Json[]).find((r) => r.id === id)!;
  };

  it("segments (source and converted) outlive a message's stay in a dead-letter queue", () => {
    expect(SEGMENT_OUTPUT_EXPIRY_DAYS).toBeGreaterThan(dlqDays);
    expect(SOURCE_SEGMENT_EXPIRY_DAYS).toBeGreaterThan(dlqDays);
    expect(rule(plain, 'output', 'expire-segment-outputs').expiration).toEqual([
      { days: SEGMENT_OUTPUT_EXPIRY_DAYS },
    ]);
    expect(rule(plain, 'input', 'expire-source-segments').expiration).toEqual([
      { days: SOURCE_SEGMENT_EXPIRY_DAYS },
    ]);
    for (const queue of plain.all('aws_sqs_queue').filter((q) => String(q.body.name).endsWith('-dlq'))) {
      expect(queue.body.message_retention_seconds).toBeLessThanOrEqual(DLQ_RETENTION_SECONDS);
    }
  });
});

describe('where data lives', () => {
  it('tables have deletion protection and point-in-time recovery', () => {
    for (const table of plain.all('aws_dynamodb_table')) {
      expect(table.body.deletion_protection_enabled).toBe(true);
      expect(table.body.point_in_time_recovery).toEqual({ enabled: true });
    }
    for (const table of synth({ deletion_protection: false }).all('aws_dynamodb_table')) {
      expect(table.body.deletion_protection_enabled).toBe(false);
    }
  });

  it('the output bucket is versioned and its noncurrent versions expire', () => {
    const versioning = plain.one('aws_s3_bucket_versioning');
    expect(String(versioning.body.bucket)).toContain('storage_output_bucket');
    expect(versioning.body.versioning_configuration).toEqual({ status: 'Enabled' });
    const lifecycle = plain.one('aws_s3_bucket_lifecycle_configuration', (body) =>
      String(body.bucket).includes('storage_output_bucket'),
    );
    expect(lifecycle.body.depends_on).toContain(`aws_s3_bucket_versioning.${versioning.id}`);
    expect(
      (lifecycle.body.rule as Json[]).find((r) => r.id === 'expire-noncurrent-versions')!
        .noncurrent_version_expiration,
    ).toEqual([{ noncurrent_days: 30 }]);
  });
});

describe('network', () => {
  it('one NAT gateway by default; one per zone, each zone routed through its own, when asked', () => {
    expect(plain.all('aws_nat_gateway')).toHaveLength(1);
    const perZone = synth({ nat_gateway_per_zone: true });
    const nats = perZone.all('aws_nat_gateway');
    expect(nats).toHaveLength(2);
    const privateAssociations = perZone
      .all('aws_route_table_association')
      .filter((a) => a.id.includes('private'));
    expect(new Set(privateAssociations.map((a) => a.body.route_table_id)).size).toBe(2);
  });

  it('interface endpoints only when asked, in the private subnets', () => {
    expect(
      plain.all('aws_vpc_endpoint').filter((e) => e.body.vpc_endpoint_type === 'Interface'),
    ).toHaveLength(0);
    const endpoints = synth({ interface_endpoints: true })
      .all('aws_vpc_endpoint')
      .filter((e) => e.body.vpc_endpoint_type === 'Interface');
    expect(
      endpoints.map((e) => String(e.body.service_name).replace('com.amazonaws.us-east-1.', '')).sort(),
    ).toEqual([...INTERFACE_ENDPOINT_SERVICES].sort());
    for (const endpoint of endpoints) expect(endpoint.body.private_dns_enabled).toBe(true);
  });
});
