/**
 * The Nx targets of aws-infra: synth, plan/diff, deploy, destroy, terraform-output. All but synth
 * run terraform on the synthesized stack directory (cdktf.out/stacks/<name_prefix>).
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { APP_ENTRY_CANDIDATES, REPO_ROOT } from '../bundle/bundle';
import { AwsInfraError } from '../errors';
import { type StackSettings } from '../settings';
import { loadSettings, PACKAGE_ROOT } from '../settings-file';
import { type SynthResult } from '../synth';
import { outputsEnvFile, type TerraformOutputs } from './env-file';
import { capture, requireTerraform, run } from './tools';

export const ENV_FILE = path.join(PACKAGE_ROOT, '.env');

async function requireAwsCredentials(region: string): Promise<void> {
  const credentials = await import('./credentials');
  await credentials.requireAwsCredentials(region);
}

/** Loaded on demand: CDKTF and the provider bindings take seconds to load. */
async function synthesize(options: {
  settings: StackSettings;
  outdir?: string;
  hcl?: boolean;
}): Promise<SynthResult> {
  const { synthesize: run } = await import('../synth');
  return run(options);
}

export async function synthCommand(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: { hcl: { type: 'boolean', default: false }, outdir: { type: 'string' } },
  });
  const result = await synthesize({
    settings: loadSettings(),
    hcl: values.hcl,
    ...(values.outdir ? { outdir: path.resolve(values.outdir) } : {}),
  });
  const file = values.hcl ? 'cdk.tf' : 'cdk.tf.json';
  console.log(
    `synthesized stack "${result.settings.name_prefix}" in ${result.milliseconds} ms: ${path.join(result.stackDir, file)}`,
  );
  const entry = path.relative(REPO_ROOT, result.lambdaEntry);
  console.log(`reassembly-trigger Lambda bundled from ${entry}`);
  if (entry !== APP_ENTRY_CANDIDATES['reassembly-trigger'][0]) {
    console.warn(
      `warning: ${APP_ENTRY_CANDIDATES['reassembly-trigger'][0]} does not exist yet; the Lambda runs ` +
        `\`handler\` from ${entry}, which must export it`,
    );
  }
}

interface Prepared {
  readonly terraform: string;
  readonly settings: StackSettings;
  readonly stackDir: string;
}

/** Checks the tools and the login before anything runs, then synthesizes and runs `terraform init`. */
async function prepare(options: { credentials: boolean }): Promise<Prepared> {
  const settings = loadSettings();
  const terraform = requireTerraform(process.env, {
    lockfile: settings.state_backend === 's3' && settings.state_lockfile,
  });
  if (options.credentials) await requireAwsCredentials(settings.region);
  const { stackDir, milliseconds } = await synthesize({ settings });
  console.log(`synthesized stack "${settings.name_prefix}" in ${milliseconds} ms`);
  run(terraform, ['init', '-input=false'], { cwd: stackDir, what: 'terraform init' });
  return { terraform, settings, stackDir };
}

const applyFlags = (args: readonly string[]) => {
  const { values } = parseArgs({
    args: [...args],
    options: { 'auto-approve': { type: 'boolean', default: false } },
  });
  return values['auto-approve'] ? ['-auto-approve'] : [];
};

export async function planCommand(): Promise<void> {
  const { terraform, stackDir } = await prepare({ credentials: true });
  run(terraform, ['plan', '-input=false'], { cwd: stackDir, what: 'terraform plan' });
}

export async function deployCommand(args: readonly string[]): Promise<void> {
  const { terraform, stackDir, settings } = await prepare({ credentials: true });
  run(terraform, ['apply', '-input=false', ...applyFlags(args)], { cwd: stackDir, what: 'terraform apply' });
  writeEnvFile(terraform, stackDir, settings);
  if (!settings.ecs_image_tag) {
    console.log(
      'No ecs_image_tag yet: the web UI runs 0 tasks. Push the images (`nx run aws-infra:docker-push`), ' +
        'then deploy again with STEREO_SPOT_ECS_IMAGE_TAG=<the tag it prints>.',
    );
  }
  if (settings.inference_backend === 'sagemaker' && !settings.sagemaker_image_tag) {
    console.log(
      'No sagemaker_image_tag yet: no SageMaker endpoint exists. Build the inference image ' +
        '(`nx run stereocrafter-sagemaker:sagemaker-build`), then deploy again with STEREO_SPOT_SAGEMAKER_IMAGE_TAG=<tag>.',
    );
  }
}

export async function destroyCommand(args: readonly string[]): Promise<void> {
  const { terraform, stackDir } = await prepare({ credentials: true });
  run(terraform, ['destroy', '-input=false', ...applyFlags(args)], {
    cwd: stackDir,
    what: 'terraform destroy',
  });
}

/** `terraform output -json` → packages/aws-infra/.env */
export async function outputCommand(): Promise<void> {
  const settings = loadSettings();
  const terraform = requireTerraform(process.env, {
    lockfile: settings.state_backend === 's3' && settings.state_lockfile,
  });
  // Remote state needs a login to read; local state does not.
  if (settings.state_backend === 's3') await requireAwsCredentials(settings.region);
  const { stackDir } = await synthesize({ settings });
  if (!existsSync(path.join(stackDir, '.terraform'))) {
    run(terraform, ['init', '-input=false'], { cwd: stackDir, what: 'terraform init' });
  }
  writeEnvFile(terraform, stackDir, settings);
}

function writeEnvFile(terraform: string, stackDir: string, settings: StackSettings): void {
  const outputs = JSON.parse(capture(terraform, ['output', '-json'], { cwd: stackDir })) as TerraformOutputs;
  if (Object.keys(outputs).length === 0) {
    throw new AwsInfraError(
      'NOT_SYNTHESIZED',
      `the state of stack "${settings.name_prefix}" has no outputs: deploy it first (\`nx run aws-infra:deploy\`)`,
    );
  }
  writeFileSync(ENV_FILE, outputsEnvFile(outputs, settings.name_prefix));
  console.log(`wrote ${Object.keys(outputs).length} values to ${ENV_FILE}`);
}
