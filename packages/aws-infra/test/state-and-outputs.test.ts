import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultSettings } from '../src/settings';
import { synthesize } from '../src/synth';
import { OPTIONAL_OUTPUT_NAMES, OUTPUT_NAMES } from '../src/outputs';
import { FIXTURE_HANDLER, synth, type Synthesized } from './support/synth';

let local: Synthesized;
let remote: Synthesized;
beforeAll(() => {
  local = synth();
  remote = synth({
    state_backend: 's3',
    state_bucket: 'acme-terraform-state',
    state_key: 'stereo-spot/prod.tfstate',
    state_region: 'eu-central-1',
    state_dynamodb_table: 'terraform-locks',
    region: 'eu-west-1',
  });
});

describe('state', () => {
  it('keeps local state next to the package by default', () => {
    expect(local.json.terraform.backend).toEqual({
      local: { path: '../../../terraform.stereo-spot.tfstate' },
    });
  });

  it('uses encrypted S3 state with a lock file (and the DynamoDB lock table when given)', () => {
    expect(remote.json.terraform.backend).toEqual({
      s3: {
        bucket: 'acme-terraform-state',
        key: 'stereo-spot/prod.tfstate',
        region: 'eu-central-1',
        encrypt: true,
        dynamodb_table: 'terraform-locks',
        use_lockfile: true,
      },
    });
  });

  it('pins the AWS provider that @cdktf/provider-aws 21.22.1 was generated for, in the configured region', () => {
    expect(local.json.terraform.required_providers.aws).toEqual({ source: 'aws', version: '6.25.0' });
    expect(remote.json.provider.aws[0].region).toBe('eu-west-1');
  });
});

describe('outputs', () => {
  it('has every output the runbooks read, and the SageMaker ones with that backend', () => {
    const names = Object.keys(local.json.output as object).sort();
    const sagemakerOutputs = OPTIONAL_OUTPUT_NAMES.filter((name) => name.startsWith('sagemaker_'));
    expect(names).toEqual([...OUTPUT_NAMES, ...sagemakerOutputs].sort());
  });

  it('points each output at the right resource', () => {
    const value = (name: string) => local.json.output[name].value as string;
    expect(local.deref(value('chunking_queue_url')).body.name).toBe('stereo-spot-chunking');
    expect(local.deref(value('video_worker_dlq_url')).body.name).toBe('stereo-spot-video-worker-dlq');
    expect(local.deref(value('jobs_table_name')).body.name).toBe('stereo-spot-jobs');
    expect(local.deref(value('web_ui_log_group')).body.name).toBe('/ecs/stereo-spot-web-ui');
    expect(local.deref(value('media_worker_service_name')).body.name).toBe('stereo-spot-media-worker');
    expect(local.deref(value('codebuild_project_name')).body.name).toBe(
      'stereo-spot-stereocrafter-sagemaker',
    );
    expect(local.deref(value('stereocrafter_sagemaker_ecr_url')).body.name).toBe(
      'stereo-spot/stereocrafter-sagemaker',
    );
    expect(value('web_ui_url')).toBe(`http://${local.ref(local.one('aws_lb'), 'dns_name')}`);
    expect(local.json.output.aws_region.value).toBe('us-east-1');
  });
});

describe('exit route to plain Terraform', () => {
  it('writes the same stack as HCL (synth --hcl)', () => {
    // Act
    const outdir = mkdtempSync(path.join(tmpdir(), 'stereo-spot-hcl-'));
    const result = synthesize({
      settings: defaultSettings({ allow_public_http_without_auth: true }),
      outdir,
      hcl: true,
      lambdaEntry: FIXTURE_HANDLER,
    });

    // Assess
    const hcl = readFileSync(path.join(result.stackDir, 'cdk.tf'), 'utf8');
    expect(hcl).toMatch(/^resource "aws_sqs_queue" "chunking-queue_[0-9A-F]+" \{$/m);
    expect(hcl).toContain('visibility_timeout_seconds = 900');
    expect(hcl).toMatch(/^output "input_bucket_name" \{$/m);
    // JSON documents with references come out as valid HCL strings (quotes escaped).
    expect(hcl).toMatch(
      /^redrive_policy = "\{\\"deadLetterTargetArn\\":\\"\$\{aws_sqs_queue\.chunking-queue_dlq_[0-9A-F]+\.arn\}\\",\\"maxReceiveCount\\":3\}"$/m,
    );
    expect(existsSync(path.join(result.stackDir, 'cdk.tf.json'))).toBe(false);
    expect(process.env.SYNTH_HCL_OUTPUT).toBeUndefined();
  });
});
