import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SEGMENT_OUTPUT_EXPIRY_TAG } from '@stereo-spot/contracts';
import { finalKey, segmentOutputKey, toJobId } from '@stereo-spot/shared-types';
import { synth, type Json, type Synthesized } from './support/synth';

// Prepare: the default deployment with an alarm e-mail, synthesized once for the whole file.
let stack: Synthesized;
beforeAll(() => {
  stack = synth({ alarm_email: 'ops@example.com' }, { full: true });
});

const queueNamed = (name: string) => stack.one('aws_sqs_queue', (body) => body.name === name);

describe('buckets', () => {
  const bucketId = (kind: string) =>
    stack.one('aws_s3_bucket', (body) => (body.bucket as string).startsWith(`stereo-spot-${kind}-`));

  it('names the input, output and build-source buckets after the prefix, account and region', () => {
    for (const kind of ['input', 'output', 'build-sources']) {
      expect(bucketId(kind).body.bucket).toBe(
        `stereo-spot-${kind}-\${data.aws_caller_identity.identity.account_id}-us-east-1`,
      );
    }
  });

  it('sends input/*.mp4 to the chunking queue and segments/*.mp4 to the video-worker queue', () => {
    // Act
    const notification = stack.one('aws_s3_bucket_notification');
    const rules = notification.body.queue as Json[];

    // Assess
    expect(stack.deref(notification.body.bucket as string).body.bucket).toMatch(/^stereo-spot-input-/);
    const route = (prefix: string) => rules.find((rule) => rule.filter_prefix === prefix)!;
    expect(route('input/')).toMatchObject({ filter_suffix: '.mp4', events: ['s3:ObjectCreated:*'] });
    expect(route('segments/')).toMatchObject({ filter_suffix: '.mp4', events: ['s3:ObjectCreated:*'] });
    expect(stack.deref(route('input/').queue_arn as string).body.name).toBe('stereo-spot-chunking');
    expect(stack.deref(route('segments/').queue_arn as string).body.name).toBe('stereo-spot-video-worker');
    expect(rules).toHaveLength(2);
  });

  it('lets S3 send to those two queues only from the input bucket, and waits for those policies', () => {
    const notification = stack.one('aws_s3_bucket_notification');
    for (const queueName of ['stereo-spot-chunking', 'stereo-spot-video-worker']) {
      const queue = queueNamed(queueName);
      const policy = stack.one('aws_sqs_queue_policy', (body) => body.queue_url === stack.ref(queue, 'url'));
      const statement = (JSON.parse(policy.body.policy as string).Statement as Json[]).find(
        (s) => s.Sid === 'AllowS3EventNotifications',
      )!;
      expect(statement).toMatchObject({
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: ['sqs:SendMessage'],
        Resource: [stack.ref(queue, 'arn')],
      });
      expect(statement.Condition.ArnEquals['aws:SourceArn']).toBe(stack.ref(bucketId('input'), 'arn'));
      expect(notification.body.depends_on).toContain(`aws_sqs_queue_policy.${policy.id}`);
    }
    const reassemblyPolicy = stack.one(
      'aws_sqs_queue_policy',
      (body) => body.queue_url === stack.ref(queueNamed('stereo-spot-reassembly'), 'url'),
    );
    expect(reassemblyPolicy.body.policy).not.toContain('s3.amazonaws.com');
  });

  it('expires converted segments after 15 days (past the DLQ retention) and keeps final.mp4 (tag filter, since no prefix singles segments out)', () => {
    // Prepare: the output bucket's lifecycle and a tiny evaluator of S3 lifecycle filters.
    const output = bucketId('output');
    const lifecycle = stack.one(
      'aws_s3_bucket_lifecycle_configuration',
      (body) => body.bucket === stack.ref(output, 'id'),
    );
    const rules = lifecycle.body.rule as Json[];
    const expiryDays = (key: string, tags: Record<string, string>): number | undefined => {
      const matching = rules.filter((rule) => {
        // (The delete-marker rule expires no current object: it has no days.)
        if (rule.status !== 'Enabled' || (rule.expiration as Json[] | undefined)?.[0]?.days === undefined) return false;
        const filter = (rule.filter as Json[])[0]!;
        const condition = (filter.and as Json[] | undefined)?.[0] ?? filter;
        const prefixOk = key.startsWith((condition.prefix as string | undefined) ?? '');
        const wanted =
          (condition.tags as Record<string, string> | undefined) ??
          Object.fromEntries(((condition.tag as Json[] | undefined) ?? []).map((t) => [t.key, t.value]));
        return prefixOk && Object.entries(wanted).every(([k, v]) => tags[k] === v);
      });
      const days = matching.map((rule) => (rule.expiration as Json[])[0]!.days as number);
      return days.length > 0 ? Math.min(...days) : undefined;
    };
    const jobId = toJobId('0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d');
    const tag = { [SEGMENT_OUTPUT_EXPIRY_TAG.key]: SEGMENT_OUTPUT_EXPIRY_TAG.value };

    // Assess: what the video-worker writes (tagged) goes once no DLQ message can need it; the final never does.
    expect(expiryDays(segmentOutputKey(jobId, 0), tag)).toBe(15);
    expect(expiryDays(segmentOutputKey(jobId, 41), tag)).toBe(15);
    expect(expiryDays(finalKey(jobId), {})).toBeUndefined();
    expect(expiryDays('sagemaker/responses/abc.out', {})).toBe(1);
    expect(rules.find((rule) => rule.id === 'abort-incomplete-multipart-uploads')).toMatchObject({
      abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
    });
  });

  it('keeps source segments long enough for a DLQ replay (longer than the DLQ retention)', () => {
    const input = bucketId('input');
    const lifecycle = stack.one(
      'aws_s3_bucket_lifecycle_configuration',
      (body) => body.bucket === stack.ref(input, 'id'),
    );
    const rule = (lifecycle.body.rule as Json[]).find((r) => r.id === 'expire-source-segments')!;
    expect(rule.filter).toEqual([{ prefix: 'segments/' }]);
    expect((rule.expiration as Json[])[0]!.days * 86400).toBeGreaterThan(
      queueNamed('stereo-spot-video-worker-dlq').body.message_retention_seconds,
    );
  });

  it('expires uploads (input/) after input_expiry_days, 7 by default', () => {
    // Prepare
    const rulesOf = (synthesized: Synthesized) =>
      synthesized
        .all('aws_s3_bucket_lifecycle_configuration')
        .flatMap((lifecycle) => lifecycle.body.rule as Json[])
        .filter((rule) => rule.id === 'expire-uploads');
    // Act
    const byDefault = rulesOf(stack);
    const configured = rulesOf(synth({ input_expiry_days: 2 }));
    // Assess
    expect(byDefault).toEqual([
      expect.objectContaining({ status: 'Enabled', filter: [{ prefix: 'input/' }], expiration: [{ days: 7 }] }),
    ]);
    expect(configured[0]?.expiration).toEqual([{ days: 2 }]);
  });

  it('allows the web UI origin to PUT uploads and to GET results (CORS)', () => {
    const cors = (kind: string) =>
      stack.one('aws_s3_bucket_cors_configuration', (body) => body.bucket === stack.ref(bucketId(kind), 'id'))
        .body.cors_rule[0] as Json;
    const origin = `http://${stack.ref(stack.one('aws_lb'), 'dns_name')}`;
    expect(cors('input')).toMatchObject({ allowed_methods: ['PUT'], allowed_origins: [origin] });
    expect(cors('output')).toMatchObject({ allowed_methods: ['GET', 'HEAD'], allowed_origins: [origin] });
    expect(cors('output').expose_headers).toEqual(expect.arrayContaining(['Content-Range', 'Accept-Ranges']));
  });
});

describe('queues', () => {
  it.each([
    ['chunking', 900, 3],
    ['video-worker', 1800, 5],
    ['reassembly', 600, 3],
  ])(
    '%s: visibility %i s, redrive to its DLQ after %i receives, encrypted',
    (role, visibility, maxReceiveCount) => {
      // Act
      const queue = queueNamed(`stereo-spot-${role}`);
      const dlq = queueNamed(`stereo-spot-${role}-dlq`);
      const redrive = JSON.parse(queue.body.redrive_policy as string) as Json;

      // Assess
      expect(queue.body.visibility_timeout_seconds).toBe(visibility);
      expect(queue.body.receive_wait_time_seconds).toBe(20);
      expect(redrive).toEqual({ deadLetterTargetArn: stack.ref(dlq, 'arn'), maxReceiveCount });
      expect(maxReceiveCount).toBeGreaterThanOrEqual(3);
      expect(maxReceiveCount).toBeLessThanOrEqual(5);
      expect(queue.body.sqs_managed_sse_enabled).toBe(true);
      expect(dlq.body.sqs_managed_sse_enabled).toBe(true);
      expect(dlq.body.message_retention_seconds).toBe(14 * 86400);
    },
  );

  it('alarms on every DLQ (and the trigger failure queue) as soon as one message is visible, to SNS', () => {
    const topic = stack.one('aws_sns_topic');
    const dlqs = [
      'stereo-spot-chunking-dlq',
      'stereo-spot-video-worker-dlq',
      'stereo-spot-reassembly-dlq',
      'stereo-spot-reassembly-trigger-failures',
    ];
    for (const dlq of dlqs) {
      const alarm = stack.one('aws_cloudwatch_metric_alarm', (body) => body.dimensions?.QueueName === dlq);
      expect(alarm.body).toMatchObject({
        namespace: 'AWS/SQS',
        metric_name: 'ApproximateNumberOfMessagesVisible',
        comparison_operator: 'GreaterThanThreshold',
        threshold: 0,
        period: 60,
        evaluation_periods: 1,
        alarm_actions: [stack.ref(topic, 'arn')],
      });
    }
    expect(stack.one('aws_sns_topic_subscription').body).toMatchObject({
      protocol: 'email',
      endpoint: 'ops@example.com',
      topic_arn: stack.ref(topic, 'arn'),
    });
  });
});

describe('tables', () => {
  const table = (name: string) => stack.one('aws_dynamodb_table', (body) => body.name === name).body;

  it('Jobs: on demand, job_id key, GSIs status-created_at and status-completed_at, point-in-time recovery', () => {
    const jobs = table('stereo-spot-jobs');
    expect(jobs).toMatchObject({
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'job_id',
      point_in_time_recovery: { enabled: true },
    });
    expect(jobs.global_secondary_index).toEqual([
      { name: 'status-created_at', hash_key: 'status', range_key: 'created_at', projection_type: 'ALL' },
      { name: 'status-completed_at', hash_key: 'status', range_key: 'completed_at', projection_type: 'ALL' },
    ]);
    expect(jobs.attribute).toEqual(
      expect.arrayContaining([
        { name: 'status', type: 'S' },
        { name: 'created_at', type: 'N' },
        { name: 'completed_at', type: 'N' },
      ]),
    );
    expect(jobs).toMatchObject({ stream_enabled: true, stream_view_type: 'NEW_AND_OLD_IMAGES' });
  });

  it('SegmentCompletions: (job_id, segment_index) with a stream', () => {
    expect(table('stereo-spot-segment-completions')).toMatchObject({
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'job_id',
      range_key: 'segment_index',
      stream_enabled: true,
      stream_view_type: 'NEW_IMAGE',
    });
  });

  it('ReassemblyTriggered: TTL on `ttl`', () => {
    expect(table('stereo-spot-reassembly-triggered')).toMatchObject({
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'job_id',
      ttl: { attribute_name: 'ttl', enabled: true },
    });
  });
});

describe('reassembly-trigger Lambda', () => {
  it('runs the bundled zip on Node.js with a timeout of at least 30 s and low reserved concurrency', () => {
    const lambda = stack.one('aws_lambda_function').body;
    expect(lambda).toMatchObject({
      function_name: 'stereo-spot-reassembly-trigger',
      handler: 'index.handler',
      reserved_concurrent_executions: 5,
    });
    expect(lambda.runtime).toMatch(/^nodejs\d+\.x$/);
    expect(lambda.timeout).toBeGreaterThanOrEqual(30);
    const zip = path.join(stack.stackDir!, lambda.filename as string);
    expect(existsSync(zip)).toBe(true);
    // A zip whose directory lists the bundle (the name is stored uncompressed).
    const bytes = readFileSync(zip);
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    expect(bytes.includes(Buffer.from('index.js'))).toBe(true);
  });

  it('logs to /aws/lambda/<name>', () => {
    const lambda = stack.one('aws_lambda_function').body;
    const group = stack.deref(lambda.logging_config.log_group as string).body;
    expect(group.name).toBe('/aws/lambda/stereo-spot-reassembly-trigger');
    expect(group.retention_in_days).toBe(30);
  });

  it('reads the SegmentCompletions stream with batch item failures, bisect, bounded retries and an on-failure queue', () => {
    const completions = stack.one(
      'aws_dynamodb_table',
      (body) => body.name === 'stereo-spot-segment-completions',
    );
    const mapping = stack.one(
      'aws_lambda_event_source_mapping',
      (body) => body.event_source_arn === stack.ref(completions, 'stream_arn'),
    ).body;
    expect(mapping).toMatchObject({
      event_source_arn: stack.ref(completions, 'stream_arn'),
      function_response_types: ['ReportBatchItemFailures'],
      bisect_batch_on_function_error: true,
      maximum_retry_attempts: 5,
      starting_position: 'TRIM_HORIZON',
    });
    expect(mapping.maximum_record_age_in_seconds).toBeGreaterThan(0);
    const destination = stack.deref(mapping.destination_config.on_failure.destination_arn as string);
    expect(destination.body.name).toBe('stereo-spot-reassembly-trigger-failures');
  });

  it('reads the Jobs stream filtered to the job entering chunking_complete, and may read both streams', () => {
    const jobs = stack.one('aws_dynamodb_table', (body) => body.name === 'stereo-spot-jobs');
    const mapping = stack.one(
      'aws_lambda_event_source_mapping',
      (body) => body.event_source_arn === stack.ref(jobs, 'stream_arn'),
    ).body;
    expect(mapping).toMatchObject({
      function_response_types: ['ReportBatchItemFailures'],
      bisect_batch_on_function_error: true,
    });
    const filters = mapping.filter_criteria.filter as { pattern: string }[];
    expect(filters.map((filter) => JSON.parse(filter.pattern))).toEqual([
      { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { status: { S: ['chunking_complete'] } } } },
    ]);
    const lambda = stack.one('aws_lambda_function').body;
    const policy = JSON.stringify(stack.all('aws_iam_role_policy').map((resource) => resource.body));
    expect(lambda.function_name).toBe('stereo-spot-reassembly-trigger');
    expect(policy).toContain('/stream/*');
  });
});
