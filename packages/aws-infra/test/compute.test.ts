import { synth, containerOf, environmentOf, type Json, type Synthesized } from './support/synth';

// Prepare: the first deploy (no image tag yet) and a later one with a tag and HTTPS.
let first: Synthesized;
let tagged: Synthesized;
beforeAll(() => {
  first = synth();
  tagged = synth({
    ecs_image_tag: 'a1b2c3d4e5f6',
    certificate_arn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
    web_ui_domain_name: '3d.example.com',
    ecs_video_worker_max_capacity: 16,
    sagemaker_max_instance_count: 8,
  });
});

const service = (stack: Synthesized, app: string) =>
  stack.one('aws_ecs_service', (body) => body.name === `stereo-spot-${app}`);

describe('ECS services', () => {
  it('runs the workers with desired count 0 and leaves the count to auto scaling', () => {
    for (const app of ['media-worker', 'video-worker']) {
      const body = service(tagged, app).body;
      expect(body.desired_count).toBe(0);
      expect(body.lifecycle).toEqual({ ignore_changes: ['desired_count'] });
      expect(body.launch_type).toBe('FARGATE');
      expect(body.network_configuration.assign_public_ip).toBe(false);
    }
  });

  it('starts no web UI task until an image tag exists, then one behind the load balancer', () => {
    expect(service(first, 'web-ui').body.desired_count).toBe(0);
    const webUi = service(tagged, 'web-ui').body;
    expect(webUi.desired_count).toBe(1);
    expect(webUi.lifecycle).toBeUndefined();
    expect(webUi.load_balancer).toEqual([
      expect.objectContaining({ container_name: 'web-ui', container_port: 8080 }),
    ]);
    expect(containerOf(first, 'web-ui').image).toMatch(/:latest$/);
    const repository = tagged.one('aws_ecr_repository', (body) => body.name === 'stereo-spot/web-ui');
    expect(containerOf(tagged, 'web-ui').image).toBe(
      `${tagged.ref(repository, 'repository_url')}:a1b2c3d4e5f6`,
    );
  });

  it.each(['web-ui', 'media-worker', 'video-worker'])('logs to /ecs/stereo-spot-<app>: %s', (app) => {
    const options = containerOf(tagged, app).logConfiguration.options as Json;
    const group = tagged.deref(options['awslogs-group'] as string).body;
    expect(group.name).toBe(`/ecs/stereo-spot-${app}`);
    expect(options['awslogs-region']).toBe('us-east-1');
  });

  it('gives the workers SQS long polling, a shutdown grace shorter than the stop timeout, and disk', () => {
    for (const app of ['media-worker', 'video-worker']) {
      const container = containerOf(tagged, app);
      const env = environmentOf(tagged, app);
      expect(env.SQS_LONG_POLL_WAIT_SECONDS).toBe('20');
      expect(Number(env.SHUTDOWN_GRACE_SECONDS)).toBeLessThan(container.stopTimeout as number);
      expect(container.stopTimeout).toBe(120);
      expect(container.linuxParameters).toEqual({ initProcessEnabled: true });
    }
    expect(environmentOf(tagged, 'media-worker').SEGMENT_DURATION_SECONDS).toBe('300');
    const media = tagged.one(
      'aws_ecs_task_definition',
      (body) => body.family === 'stereo-spot-media-worker',
    ).body;
    expect(media.ephemeral_storage).toEqual({ size_in_gib: 100 });
  });

  it('health-checks the web UI container on /healthz and exposes port 8080', () => {
    const container = containerOf(tagged, 'web-ui');
    expect(container.portMappings).toEqual([{ containerPort: 8080, protocol: 'tcp' }]);
    expect((container.healthCheck.command as string[]).join(' ')).toContain('http://127.0.0.1:8080/healthz');
    const env = environmentOf(tagged, 'web-ui');
    expect(env).toMatchObject({
      HOST: '0.0.0.0',
      PORT: '8080',
      PUBLIC_BASE_URL: 'https://3d.example.com',
      WEB_UI_TRUSTED_PROXY_HOPS: '1',
    });
  });

  it('enables Container Insights (RunningTaskCount feeds the scaling)', () => {
    expect(tagged.one('aws_ecs_cluster').body.setting).toEqual([
      { name: 'containerInsights', value: 'enabled' },
    ]);
  });
});

describe('auto scaling on queue depth', () => {
  const target = (stack: Synthesized, app: string) =>
    stack.one('aws_appautoscaling_target', (body) =>
      (body.resource_id as string).includes(`stereo-spot-${app}`),
    );
  const policy = (stack: Synthesized, app: string, kind: string) =>
    stack.one('aws_appautoscaling_policy', (body) => body.name === `stereo-spot-${app}-${kind}`).body;
  const queuesIn = (metrics: Json[]) =>
    [
      ...new Set(
        metrics
          .flatMap((m) => (m.metric_stat?.metric.dimensions ?? []) as Json[])
          .filter((d) => d.name === 'QueueName')
          .map((d) => d.value),
      ),
    ].sort();

  it('scales between 0 and the configured maximum (media-worker 10; video-worker 4 by default, what 2 SageMaker instances serve)', () => {
    expect(target(first, 'media-worker').body).toMatchObject({
      min_capacity: 0,
      max_capacity: 10,
      scalable_dimension: 'ecs:service:DesiredCount',
      service_namespace: 'ecs',
    });
    expect(target(first, 'video-worker').body).toMatchObject({ min_capacity: 0, max_capacity: 4 });
    expect(target(tagged, 'video-worker').body.max_capacity).toBe(16);
  });

  it('tracks 10 messages per task with a 60 s scale-out cooldown, on the right queues', () => {
    for (const [app, queues] of [
      ['media-worker', ['stereo-spot-chunking', 'stereo-spot-reassembly']],
      ['video-worker', ['stereo-spot-video-worker']],
    ] as const) {
      const config = policy(first, app, 'messages-per-task')
        .target_tracking_scaling_policy_configuration as Json;
      expect(config).toMatchObject({ target_value: 10, scale_out_cooldown: 60 });
      const metrics = config.customized_metric_specification.metrics as Json[];
      expect(queuesIn(metrics)).toEqual([...queues].sort());
      const returned = metrics.filter((m) => m.return_data === true);
      expect(returned).toHaveLength(1);
      expect(returned[0]!.expression).toMatch(/^\(.+\) \/ tasks$/);
      const tasks = metrics.find((m) => m.id === 'tasks')!.metric_stat.metric;
      expect(tasks).toMatchObject({ namespace: 'ECS/ContainerInsights', metric_name: 'RunningTaskCount' });
    }
  });

  it('starts the first task with a step policy when messages wait and no task runs', () => {
    const step = first.one(
      'aws_appautoscaling_policy',
      (body) => body.name === 'stereo-spot-video-worker-start-from-zero',
    );
    expect(step.body.step_scaling_policy_configuration).toMatchObject({
      adjustment_type: 'ChangeInCapacity',
      step_adjustment: [{ metric_interval_lower_bound: '0', scaling_adjustment: 1 }],
    });
    const alarm = first.one(
      'aws_cloudwatch_metric_alarm',
      (body) => body.alarm_name === 'stereo-spot-video-worker-work-without-tasks',
    ).body;
    expect(alarm.alarm_actions).toEqual([first.ref(step, 'arn')]);
    expect(alarm.threshold).toBe(1);
    const expression = (alarm.metric_query as Json[]).find((q) => q.return_data === true)!
      .expression as string;
    expect(expression).toBe('IF((visible0) > 0 AND FILL(tasks, 0) == 0, 1, 0)');
  });
});

describe('load balancer and network', () => {
  it('serves HTTP on 80 without a certificate', () => {
    const listeners = first.all('aws_lb_listener').map((l) => l.body);
    expect(listeners).toHaveLength(1);
    expect(listeners[0]).toMatchObject({ port: 80, protocol: 'HTTP', default_action: [{ type: 'forward' }] });
  });

  it('serves HTTPS with the certificate and redirects HTTP to it', () => {
    const listeners = tagged.all('aws_lb_listener').map((l) => l.body);
    const https = listeners.find((l) => l.port === 443)!;
    expect(https).toMatchObject({
      protocol: 'HTTPS',
      certificate_arn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
    });
    expect(https.ssl_policy).toMatch(/TLS13/);
    expect(listeners.find((l) => l.port === 80)!.default_action[0]).toMatchObject({
      type: 'redirect',
      redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' },
    });
  });

  it('health-checks the target group on /healthz and keeps SSE connections open', () => {
    expect(first.one('aws_lb_target_group').body).toMatchObject({
      port: 8080,
      target_type: 'ip',
      health_check: { path: '/healthz' },
    });
    expect(first.one('aws_lb').body).toMatchObject({
      internal: false,
      drop_invalid_header_fields: true,
      idle_timeout: 300,
    });
  });

  it('puts the ALB in public subnets, tasks in private ones, with S3 and DynamoDB gateway endpoints', () => {
    const subnetsOf = (refs: string[]) => refs.map((ref) => first.deref(ref).body.tags.Name as string);
    expect(subnetsOf(first.one('aws_lb').body.subnets)).toEqual([
      'stereo-spot-public-0',
      'stereo-spot-public-1',
    ]);
    for (const app of ['web-ui', 'media-worker', 'video-worker']) {
      expect(subnetsOf(service(first, app).body.network_configuration.subnets)).toEqual([
        'stereo-spot-private-0',
        'stereo-spot-private-1',
      ]);
    }
    const endpoints = first.all('aws_vpc_endpoint').map((e) => e.body);
    expect(endpoints.map((e) => e.service_name).sort()).toEqual([
      'com.amazonaws.us-east-1.dynamodb',
      'com.amazonaws.us-east-1.s3',
    ]);
    expect(endpoints.every((e) => e.vpc_endpoint_type === 'Gateway')).toBe(true);
  });

  it('opens the internet only to the load balancer, and the load balancer only to the web UI port', () => {
    const ingress = first.all('aws_vpc_security_group_ingress_rule').map((r) => r.body);
    const fromInternet = ingress.filter((r) => r.cidr_ipv4 === '0.0.0.0/0' || r.cidr_ipv6 === '::/0');
    expect(fromInternet.map((r) => first.deref(r.security_group_id).body.name)).toEqual([
      'stereo-spot-load-balancer',
      'stereo-spot-load-balancer',
    ]);
    const toWebUi = ingress.find((r) => first.deref(r.security_group_id).body.name === 'stereo-spot-web-ui')!;
    expect(toWebUi).toMatchObject({ from_port: 8080, to_port: 8080 });
    expect(first.deref(toWebUi.referenced_security_group_id).body.name).toBe('stereo-spot-load-balancer');
    expect(ingress).toHaveLength(3);
  });
});
