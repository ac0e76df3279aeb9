import { Testing } from 'cdktf';
import { defaultSettings, resolveSettings, type SettingsInput } from '../src/settings';
import { StereoSpotStack } from '../src/stack';
import { FIXTURE_HANDLER, synth, containerOf, policiesOf, type Json, type Synthesized } from './support/synth';

/**
 * The only places where IAM allows `Resource: "*"`: AWS offers no narrower resource for these
 * actions (Service Authorization Reference: no resource types).
 */
const RESOURCE_STAR_ALLOWED: Readonly<Record<string, string>> = {
  'ecr:GetAuthorizationToken': 'ECR login token: no resource-level permission exists',
  'cloudwatch:PutMetricData': 'metrics have no ARN; narrowed by the cloudwatch:namespace condition instead',
};

// Prepare: every optional feature switched on, and the http backend.
let variants: Synthesized[];
beforeAll(() => {
  variants = [
    synth({
      sagemaker_image_tag: 'v1',
      alarm_email: 'ops@example.com',
      certificate_arn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
      web_ui_auth_secret_arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:web-ui-token-AbCdEf',
      hf_token_secret: true,
      ecs_image_tag: 'v1',
    }),
    synth({ inference_backend: 'http', inference_http_url: 'https://gpu.example.com' , inference_shared_secret_arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:inference-secret-AbCdEf' }),
  ];
});

const forEachVariant = (check: (stack: Synthesized) => void) => {
  for (const stack of variants) check(stack);
};

describe('no public and no unencrypted data', () => {
  it('blocks every kind of public access on every bucket and disables ACLs', () => {
    forEachVariant((stack) => {
      const buckets = stack.all('aws_s3_bucket');
      expect(buckets).toHaveLength(3);
      for (const bucket of buckets) {
        const blocks = stack.one(
          'aws_s3_bucket_public_access_block',
          (body) => body.bucket === stack.ref(bucket, 'id'),
        );
        expect(blocks.body).toMatchObject({
          block_public_acls: true,
          block_public_policy: true,
          ignore_public_acls: true,
          restrict_public_buckets: true,
        });
        const ownership = stack.one(
          'aws_s3_bucket_ownership_controls',
          (body) => body.bucket === stack.ref(bucket, 'id'),
        );
        expect(ownership.body.rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
        expect(bucket.body.acl).toBeUndefined();
      }
      expect(stack.all('aws_s3_bucket_acl')).toEqual([]);
    });
  });

  it('encrypts every bucket at rest and refuses requests without TLS 1.2+', () => {
    forEachVariant((stack) => {
      for (const bucket of stack.all('aws_s3_bucket')) {
        const sse = stack.one(
          'aws_s3_bucket_server_side_encryption_configuration',
          (body) => body.bucket === stack.ref(bucket, 'id'),
        );
        expect(sse.body.rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe('AES256');
        const policy = stack.one('aws_s3_bucket_policy', (body) => body.bucket === stack.ref(bucket, 'id'));
        const statements = JSON.parse(policy.body.policy as string).Statement as Json[];
        expect(statements).toContainEqual({
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: ['s3:*'],
          Resource: [stack.ref(bucket, 'arn'), `${stack.ref(bucket, 'arn')}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        });
        expect(statements.find((s) => s.Sid === 'DenyOutdatedTls')?.Condition).toEqual({
          NumericLessThan: { 's3:TlsVersion': '1.2' },
        });
      }
    });
  });

  it('encrypts every queue and lets every queue refuse requests without TLS', () => {
    forEachVariant((stack) => {
      const queues = stack.all('aws_sqs_queue');
      expect(queues).toHaveLength(7);
      for (const queue of queues) {
        expect(queue.body.sqs_managed_sse_enabled).toBe(true);
        const policy = stack.one(
          'aws_sqs_queue_policy',
          (body) => body.queue_url === stack.ref(queue, 'url'),
        );
        expect(policy.body.policy).toContain('"aws:SecureTransport":"false"');
      }
    });
  });

  it('encrypts every table with server-side encryption', () => {
    forEachVariant((stack) => {
      const tables = stack.all('aws_dynamodb_table');
      expect(tables).toHaveLength(3);
      for (const table of tables) expect(table.body.server_side_encryption).toEqual({ enabled: true });
    });
  });

  it('keeps point-in-time recovery on for every table', () => {
    forEachVariant((stack) => {
      const tables = stack.all('aws_dynamodb_table');
      expect(tables.map((table) => table.body.point_in_time_recovery)).toEqual([
        { enabled: true },
        { enabled: true },
        { enabled: true },
      ]);
    });
  });

  it('keeps logs for a bounded time', () => {
    forEachVariant((stack) => {
      for (const group of stack.all('aws_cloudwatch_log_group'))
        expect(group.body.retention_in_days).toBe(30);
    });
  });
});

describe('IAM: least privilege', () => {
  const statementsOf = (stack: Synthesized) =>
    policiesOf(stack).flatMap(({ source, document }) =>
      (document.Statement as Json[]).map((statement) => ({ source, statement })),
    );
  const list = (value: unknown): string[] =>
    value === undefined ? [] : Array.isArray(value) ? value : [value as string];

  it('has no statement with Action "*" and no Allow of a whole service ("s3:*")', () => {
    forEachVariant((stack) => {
      for (const { source, statement } of statementsOf(stack)) {
        const actions = list(statement.Action);
        expect({ source, actions: actions.filter((a) => a === '*') }).toEqual({ source, actions: [] });
        if (statement.Effect === 'Allow') {
          expect({ source, actions: actions.filter((a) => a.endsWith(':*')) }).toEqual({
            source,
            actions: [],
          });
        }
      }
    });
  });

  it('allows Resource "*" only for the actions AWS offers no narrower resource for', () => {
    const found = new Set<string>();
    forEachVariant((stack) => {
      for (const { source, statement } of statementsOf(stack)) {
        if (statement.Effect !== 'Allow' || !list(statement.Resource).includes('*')) continue;
        for (const action of list(statement.Action)) {
          expect({ source, action, allowed: action in RESOURCE_STAR_ALLOWED }).toEqual({
            source,
            action,
            allowed: true,
          });
          found.add(action);
        }
      }
    });
    // The list holds nothing stale: each exception is in use.
    expect([...found].sort()).toEqual(Object.keys(RESOURCE_STAR_ALLOWED).sort());
  });

  it('never allows Principal "*" (it appears only in Deny statements)', () => {
    forEachVariant((stack) => {
      for (const { source, statement } of statementsOf(stack)) {
        if (statement.Principal === '*' || statement.Principal?.AWS === '*') {
          expect({ source, effect: statement.Effect }).toEqual({ source, effect: 'Deny' });
        }
      }
    });
  });

  it('gives each workload its own role, assumable only by its service', () => {
    const [stack] = variants;
    const trusted = Object.fromEntries(
      stack!
        .all('aws_iam_role')
        .map((role) => [
          role.body.name,
          (JSON.parse(role.body.assume_role_policy as string).Statement as Json[]).map(
            (s) => s.Principal.Service,
          ),
        ]),
    );
    expect(trusted).toEqual({
      'stereo-spot-web-ui-task': ['ecs-tasks.amazonaws.com'],
      'stereo-spot-web-ui-execution': ['ecs-tasks.amazonaws.com'],
      'stereo-spot-media-worker-task': ['ecs-tasks.amazonaws.com'],
      'stereo-spot-media-worker-execution': ['ecs-tasks.amazonaws.com'],
      'stereo-spot-video-worker-task': ['ecs-tasks.amazonaws.com'],
      'stereo-spot-video-worker-execution': ['ecs-tasks.amazonaws.com'],
      'stereo-spot-reassembly-trigger': ['lambda.amazonaws.com'],
      'stereo-spot-inference-build': ['codebuild.amazonaws.com'],
      'stereo-spot-inference': ['sagemaker.amazonaws.com'],
    });
  });

  it('lets only the web UI execution role read the auth secret, injected as WEB_UI_AUTH_TOKEN', () => {
    const [stack] = variants;
    const secret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:web-ui-token-AbCdEf';
    expect(containerOf(stack!, 'web-ui').secrets).toEqual([{ name: 'WEB_UI_AUTH_TOKEN', valueFrom: secret }]);
    const readers = policiesOf(stack!)
      .filter(({ document }) => JSON.stringify(document).includes(secret))
      .map(
        ({ source }) =>
          stack!.deref(stack!.json.resource.aws_iam_role_policy[source.split('.')[1]!].role).body.name,
      );
    expect(readers).toEqual(['stereo-spot-web-ui-execution']);
  });

  it('lets only the video-worker execution role read the inference secret, injected as INFERENCE_SHARED_SECRET', () => {
    const http = variants[1]!;
    const secret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:inference-secret-AbCdEf';
    expect(containerOf(http, 'video-worker').secrets).toEqual([{ name: 'INFERENCE_SHARED_SECRET', valueFrom: secret }]);
    const readers = policiesOf(http)
      .filter(({ document }) => JSON.stringify(document).includes(secret))
      .map(({ source }) => http.deref(http.json.resource.aws_iam_role_policy[source.split('.')[1]!].role).body.name);
    expect(readers).toEqual(['stereo-spot-video-worker-execution']);
  });

  it('scopes the workers to their own queues', () => {
    const [stack] = variants;
    const queueArnsIn = (roleName: string) => {
      const role = stack!.one('aws_iam_role', (body) => body.name === roleName);
      const policy = stack!.one('aws_iam_role_policy', (body) => body.role === stack!.ref(role, 'id'));
      return (JSON.parse(policy.body.policy as string).Statement as Json[])
        .filter((s) => list(s.Action).includes('sqs:ReceiveMessage'))
        .flatMap((s) => list(s.Resource).map((arn) => stack!.deref(arn).body.name as string))
        .sort();
    };
    expect(queueArnsIn('stereo-spot-media-worker-task')).toEqual([
      'stereo-spot-chunking',
      'stereo-spot-reassembly',
    ]);
    expect(queueArnsIn('stereo-spot-video-worker-task')).toEqual(['stereo-spot-video-worker']);
    expect(queueArnsIn('stereo-spot-web-ui-task')).toEqual([]);
  });
});

describe('the public web UI', () => {
  /** Synthesizes with exactly these settings (no test opt-in); returns the refusal, if any. */
  const refusalOf = (settings: SettingsInput): Error | undefined => {
    try {
      new StereoSpotStack(Testing.app(), defaultSettings(settings), { lambdaEntry: FIXTURE_HANDLER });
      return undefined;
    } catch (error) {
      return error as Error;
    }
  };

  it('refuses plain HTTP without authentication, naming both settings and the opt-in', () => {
    // Act
    const refusal = refusalOf({});
    // Assess
    expect(refusal).toMatchObject({ code: 'INVALID_SETTINGS' });
    expect(refusal?.message).toMatch(/^refusing to synth: the web UI would be served over plain HTTP to 0\.0\.0\.0\/0 with no authentication/);
    expect(refusal?.message).toContain('certificate_arn');
    expect(refusal?.message).toContain('web_ui_auth_secret_arn');
    expect(refusal?.message).toContain('allow_public_http_without_auth: true');
  });

  it('synthesizes with HTTPS, with authentication, or with the explicit opt-in', () => {
    expect(refusalOf({ certificate_arn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' })).toBeUndefined();
    expect(
      refusalOf({ web_ui_auth_secret_arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:web-ui-token-AbCdEf' }),
    ).toBeUndefined();
    expect(refusalOf({ allow_public_http_without_auth: true })).toBeUndefined();
  });

  it('takes the opt-in from STEREO_SPOT_ALLOW_PUBLIC_HTTP_WITHOUT_AUTH too', () => {
    expect(resolveSettings({ env: { STEREO_SPOT_ALLOW_PUBLIC_HTTP_WITHOUT_AUTH: 'true' } }).allow_public_http_without_auth).toBe(true);
  });
});
