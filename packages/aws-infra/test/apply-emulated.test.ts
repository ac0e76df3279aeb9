/**
 * `nx run aws-infra:apply-emulated` for real: the synthesized stack applied with Terraform and
 * the locally mirrored hashicorp/aws provider on moto_server, then destroyed. Needs terraform on
 * PATH and a provider mirror (/opt/tf-plugins here); without either the run fails and says which.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEnvFile } from '@stereo-spot/config';
import { emulatorConfiguration, EMULATED_SERVICES, referencesOf } from '../src/emulator/emulator-config';
import {
  classifyApply,
  MOTO_LIMITS,
  parseApplyEvents,
  type ResourceOutcome,
} from '../src/emulator/moto-limits';
import { findProviderMirror } from '../src/emulator/provider-mirror';
import { type ApplyEmulatedReport } from '../src/emulator/apply-emulated';

const MAIN = path.join(__dirname, '..', 'src', 'main.ts');
const work = mkdtempSync(path.join(tmpdir(), 'aws-infra-emulated-'));
const settingsFile = path.join(work, 'settings.json');
// Every optional resource on: alarms (SNS), the Hugging Face secret, SageMaker (the command adds image tags).
writeFileSync(
  settingsFile,
  JSON.stringify({
    name_prefix: 'ss-emulated',
    allow_public_http_without_auth: true,
    hf_token_secret: true,
    alarm_email: 'ops@example.com',
  }),
);

function runApplyEmulated(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'apply-emulated', ...args], {
      cwd: path.join(__dirname, '..'),
      env: { ...process.env, STEREO_SPOT_INFRA_SETTINGS: settingsFile, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the emulated configuration', () => {
  it('pins the mirrored provider, points every service at the emulator and needs no AWS account', () => {
    // Prepare
    const stack = {
      terraform: {
        backend: { s3: { bucket: 'real-state' } },
        required_providers: { aws: { source: 'aws', version: '6.25.0' } },
      },
      provider: { aws: [{ region: 'eu-west-1', default_tags: [{ tags: { Project: 'stereo-spot' } }] }] },
      resource: { aws_sqs_queue: { q: { name: 'q' } } },
    };

    // Act
    const json = emulatorConfiguration(stack, {
      endpoint: 'http://127.0.0.1:5999',
      providerVersion: '5.100.0',
      statePath: 'terraform.tfstate',
    });

    // Assess
    expect(json.terraform).toEqual({
      backend: { local: { path: 'terraform.tfstate' } },
      required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } },
    });
    const [provider] = json.provider.aws;
    expect(provider).toMatchObject({
      region: 'eu-west-1',
      default_tags: [{ tags: { Project: 'stereo-spot' } }],
      access_key: 'testing',
      secret_key: 'testing',
      skip_credentials_validation: true,
      skip_metadata_api_check: true,
      skip_requesting_account_id: true,
      s3_use_path_style: true,
    });
    expect(Object.keys(provider.endpoints[0]).sort()).toEqual([...EMULATED_SERVICES].sort());
    expect(new Set(Object.values(provider.endpoints[0]))).toEqual(new Set(['http://127.0.0.1:5999']));
    expect(json.resource).toEqual(stack.resource);
    expect(stack.terraform.backend).toEqual({ s3: { bucket: 'real-state' } }); // the input is not changed
  });

  it('follows references and depends_on to say what a failed resource blocked', () => {
    // Prepare
    const json = {
      resource: {
        aws_appautoscaling_target: { t: { resource_id: 'service/c/s' } },
        aws_appautoscaling_policy: { p: { resource_id: '${aws_appautoscaling_target.t.resource_id}' } },
        aws_cloudwatch_metric_alarm: { a: { alarm_actions: ['${aws_appautoscaling_policy.p.arn}'] } },
        aws_sqs_queue: { q: { name: 'q', depends_on: ['aws_appautoscaling_policy.p'] } },
        aws_sns_topic: { lone: { name: 'x' } },
      },
    };
    const events = parseApplyEvents([
      JSON.stringify({
        type: 'apply_complete',
        hook: { action: 'create', resource: { addr: 'aws_sns_topic.lone' } },
      }),
      JSON.stringify({
        type: 'diagnostic',
        diagnostic: {
          severity: 'error',
          address: 'aws_appautoscaling_target.t',
          summary: 'listing tags',
          detail: 'ListTagsForResource: 500',
        },
      }),
    ]);

    // Act
    const outcomes = classifyApply(json, events);

    // Assess
    expect(referencesOf(json, 'aws_sqs_queue.q')).toEqual(['aws_appautoscaling_policy.p']);
    const byAddress = Object.fromEntries(outcomes.map((o) => [o.address, o]));
    expect(byAddress['aws_sns_topic.lone']!.outcome).toBe('created');
    expect(byAddress['aws_appautoscaling_target.t']).toMatchObject({ outcome: 'moto-limit' });
    expect(byAddress['aws_appautoscaling_policy.p']).toMatchObject({
      outcome: 'blocked',
      by: 'aws_appautoscaling_target.t',
    });
    expect(byAddress['aws_cloudwatch_metric_alarm.a']).toMatchObject({
      outcome: 'blocked',
      by: 'aws_appautoscaling_policy.p',
    });
    expect(byAddress['aws_sqs_queue.q']).toMatchObject({
      outcome: 'blocked',
      by: 'aws_appautoscaling_policy.p',
    });
  });

  it("calls a failure no moto limit explains unexplained, with Terraform's words", () => {
    const json = { resource: { aws_sqs_queue: { q: { name: 'q' } } } };
    const events = parseApplyEvents([
      JSON.stringify({
        type: 'diagnostic',
        diagnostic: {
          severity: 'error',
          address: 'aws_sqs_queue.q',
          summary: 'creating SQS Queue',
          detail: 'InvalidParameterValue',
        },
      }),
    ]);
    expect(classifyApply(json, events)).toEqual([
      {
        address: 'aws_sqs_queue.q',
        outcome: 'unexplained',
        reason: 'creating SQS Queue: InvalidParameterValue',
      },
    ]);
  });
});

describe('the provider mirror', () => {
  it('finds the newest hashicorp/aws for this platform, and says where it looked when there is none', () => {
    // Prepare
    const empty = mkdtempSync(path.join(work, 'no-plugins-'));
    const mirror = mkdtempSync(path.join(work, 'plugins-'));
    for (const version of ['5.9.0', '5.100.0']) {
      const dir = path.join(mirror, 'registry.terraform.io', 'hashicorp', 'aws', version, 'linux_amd64');
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `terraform-provider-aws_v${version}_x5`), '');
    }

    // Act + Assess
    expect(findProviderMirror([empty, mirror], 'linux_amd64')).toEqual({
      pluginDir: mirror,
      version: '5.100.0',
    });
    expect(() => findProviderMirror([empty], 'linux_amd64')).toThrow(
      expect.objectContaining({ code: 'PROVIDER_NOT_FOUND', message: expect.stringContaining(empty) }),
    );
  });
});

describe('nx run aws-infra:apply-emulated', () => {
  it('fails with one clear line when the provider mirror has no hashicorp/aws', async () => {
    // Prepare + Act
    const empty = mkdtempSync(path.join(work, 'empty-mirror-'));
    const result = await runApplyEmulated([
      '--plugin-dir',
      empty,
      '--workdir',
      path.join(work, 'no-provider'),
    ]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no hashicorp/aws provider');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('fails with one clear line when terraform is not on PATH', () => {
    // Prepare: a PATH with node alone.
    const bin = mkdtempSync(path.join(work, 'bin-'));
    symlinkSync(process.execPath, path.join(bin, 'node'));

    // Act
    const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'apply-emulated'], {
      cwd: path.join(__dirname, '..'),
      encoding: 'utf8',
      env: { PATH: bin, HOME: work, STEREO_SPOT_INFRA_SETTINGS: settingsFile },
    });

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('terraform was not found on PATH');
  });

  it(
    'applies the stack on moto_server, creates every resource moto supports, names each limit, and destroys it',
    async () => {
      // Prepare
      const workdir = path.join(work, 'apply');

      // Act
      const result = await runApplyEmulated(['--workdir', workdir]);

      // Assess: the run succeeded (an unexplained failure exits 1) and said what it did.
      expect({ code: result.code, stderr: result.stderr.slice(-3000) }).toEqual({
        code: 0,
        stderr: expect.any(String),
      });
      const report = JSON.parse(
        readFileSync(path.join(workdir, 'report.json'), 'utf8'),
      ) as ApplyEmulatedReport;
      const outcomes = (kind: ResourceOutcome['outcome']) =>
        report.outcomes.filter((o) => o.outcome === kind);
      expect(outcomes('unexplained')).toEqual([]);
      expect(report.destroyErrors).toEqual([]);
      expect(result.stdout).toContain(
        `created on moto_server: ${outcomes('created').length} of ${report.outcomes.length} resources`,
      );
      expect(result.stdout).toContain('destroyed on moto_server');

      // What moto supports is created: the whole pipeline shape.
      const createdTypes = new Set(outcomes('created').map((o) => o.address.split('.')[0]));
      for (const type of [
        'aws_vpc',
        'aws_subnet',
        'aws_nat_gateway',
        'aws_vpc_endpoint',
        'aws_s3_bucket',
        'aws_s3_bucket_notification',
        'aws_s3_bucket_policy',
        'aws_sqs_queue',
        'aws_sqs_queue_policy',
        'aws_dynamodb_table',
        'aws_lambda_function',
        'aws_lambda_event_source_mapping',
        'aws_security_group',
        'aws_lb',
        'aws_lb_listener',
        'aws_ecs_cluster',
        'aws_ecs_task_definition',
        'aws_ecs_service',
        'aws_sagemaker_model',
        'aws_sagemaker_endpoint_configuration',
        'aws_sagemaker_endpoint',
        'aws_secretsmanager_secret',
        'aws_sns_topic',
        'aws_iam_role',
        'aws_codebuild_project',
      ]) {
        expect(createdTypes).toContain(type);
      }
      // Each resource not created is a known moto limit, or waits for one.
      for (const outcome of outcomes('moto-limit')) {
        expect(MOTO_LIMITS.map((limit) => limit.resourceType)).toContain(outcome.address.split('.')[0]);
      }
      const limited = new Set(outcomes('moto-limit').map((o) => o.address));
      for (const outcome of outcomes('blocked')) {
        if (outcome.outcome !== 'blocked') continue;
        expect(limited.has(outcome.by) || outcomes('blocked').some((o) => o.address === outcome.by)).toBe(
          true,
        );
      }
      for (const outcome of [...outcomes('moto-limit'), ...outcomes('blocked')]) {
        expect(result.stdout).toContain(outcome.address);
      }

      // The outputs became the .env `terraform-output` writes, naming what Terraform created.
      const env = parseEnvFile(readFileSync(path.join(workdir, '.env'), 'utf8'));
      expect(env).toMatchObject({
        NAME_PREFIX: 'ss-emulated',
        JOBS_TABLE_NAME: 'ss-emulated-jobs',
        SAGEMAKER_ENDPOINT_NAME: 'ss-emulated-inference',
      });
      expect(env.CHUNKING_QUEUE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\d+\/ss-emulated-chunking$/);
    },
    8 * 60_000,
  );
});
