/**
 * `nx run aws-infra:apply-emulated`: the first check before a real deploy. Synthesizes the stack,
 * rewrites the provider for moto_server (emulator-config.ts), runs `terraform init` against the
 * local provider mirror (no download), `terraform apply`, then `terraform destroy`, and prints
 * which resources were created and, for each one that was not, the moto limit that stopped it
 * (moto-limits.ts). Any failure moto does not explain fails the command.
 *
 * `--hold`: after the apply, write the stack's outputs as the `.env` that `terraform-output`
 * writes, print `EMULATED STACK READY`, and wait for SIGTERM/SIGINT before destroying, so the
 * workers can run a job on the resources Terraform created. moto hands DynamoDB stream records to
 * a mapped Lambda it can only run in Docker and drops them when that fails, so while held the
 * Lambda's event source mapping is not yet applied (the caller stands in for it by reading the
 * stream); it is applied after the hold, before the destroy.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startMotoServer } from '@stereo-spot/aws-emulator';
import { outputsEnvFile, type TerraformOutputs } from '../cli/env-file';
import { capture, requireTerraform, run } from '../cli/tools';
import { AwsInfraError } from '../errors';
import { type StackSettings } from '../settings';
import { DEFAULT_OUTDIR, loadSettings } from '../settings-file';
import { emulatorConfiguration, resourceAddresses, type TerraformJson } from './emulator-config';
import { classifyApply, formatReport, parseApplyEvents, type ResourceOutcome } from './moto-limits';
import { findProviderMirror, DEFAULT_PLUGIN_DIRS } from './provider-mirror';

export const READY_LINE = 'EMULATED STACK READY';
const HELD_BACK_TYPES = ['aws_lambda_event_source_mapping'];

/** The settings applied on the emulator: the operator's, with every optional resource switched on. */
export function emulatedSettings(settings: StackSettings): StackSettings {
  return {
    ...settings,
    state_backend: 'local',
    force_destroy: true,
    deletion_protection: false,
    // Without tags the web UI runs no task and no SageMaker endpoint exists: apply all of it.
    ecs_image_tag: settings.ecs_image_tag ?? 'emulated',
    sagemaker_image_tag: settings.sagemaker_image_tag ?? 'emulated',
  };
}

export interface ApplyEmulatedReport {
  readonly providerVersion: string;
  readonly outcomes: readonly ResourceOutcome[];
  readonly destroyErrors: readonly string[];
}

/** Runs terraform with the `-json` UI, echoing nothing, and returns its lines and exit code. */
function terraformJson(
  terraform: string,
  args: readonly string[],
  cwd: string,
): Promise<{ lines: string[]; code: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(terraform, [...args, '-json'], {
      cwd,
      env: { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = out.split('\n').filter(Boolean);
      if (err.trim()) lines.push(JSON.stringify({ type: 'stderr', text: err.trim() }));
      resolve({ lines, code: code ?? 1 });
    });
  });
}

const waitForSignal = () =>
  new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });

export async function applyEmulatedCommand(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      'plugin-dir': { type: 'string' },
      workdir: { type: 'string' },
      hold: { type: 'boolean', default: false },
    },
  });
  const terraform = requireTerraform(process.env);
  const mirror = findProviderMirror(
    values['plugin-dir'] ? [path.resolve(values['plugin-dir'])] : DEFAULT_PLUGIN_DIRS,
  );
  const workdir = path.resolve(values.workdir ?? path.join(DEFAULT_OUTDIR, 'emulated'));
  const settings = emulatedSettings(loadSettings());
  console.log(`hashicorp/aws ${mirror.version} from the local mirror ${mirror.pluginDir}`);

  // Synthesize, then write the emulated configuration next to the stack's assets (the Lambda zip).
  rmSync(workdir, { recursive: true, force: true });
  const { synthesize } = await import('../synth');
  const { stackDir } = synthesize({ settings, outdir: path.join(workdir, 'synth') });
  const runDir = path.join(workdir, 'terraform');
  mkdirSync(runDir, { recursive: true });
  if (existsSync(path.join(stackDir, 'assets')))
    cpSync(path.join(stackDir, 'assets'), path.join(runDir, 'assets'), { recursive: true });
  const stack = JSON.parse(readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as TerraformJson;

  const moto = await startMotoServer({ region: settings.region });
  console.log(`moto_server on ${moto.endpoint}`);
  try {
    const json = emulatorConfiguration(stack, {
      endpoint: moto.endpoint,
      providerVersion: mirror.version,
      statePath: 'terraform.tfstate',
    });
    writeFileSync(path.join(runDir, 'cdk.tf.json'), `${JSON.stringify(json, null, 2)}\n`);
    run(terraform, ['init', '-input=false', `-plugin-dir=${mirror.pluginDir}`], {
      cwd: runDir,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
      what: 'terraform init (offline, from the provider mirror)',
    });
    run(terraform, ['validate', '-no-color'], {
      cwd: runDir,
      stdio: ['ignore', 'ignore', 'inherit'],
      what: 'terraform validate',
    });

    const apply = (extra: readonly string[] = []) =>
      terraformJson(
        terraform,
        ['apply', '-input=false', '-auto-approve', '-parallelism=10', ...extra],
        runDir,
      );
    const addresses = resourceAddresses(json);
    const heldBack = (address: string) => HELD_BACK_TYPES.some((type) => address.startsWith(`${type}.`));
    const targets = (selected: readonly string[]) => selected.map((address) => `-target=${address}`);
    const lines: string[] = [];
    if (values.hold) {
      lines.push(...(await apply(targets(addresses.filter((address) => !heldBack(address))))).lines);
      writeEnv(terraform, runDir, workdir, settings, moto.env);
      console.log(
        `${READY_LINE}: ${path.join(workdir, '.env')} (Terraform's outputs), ` +
          `${path.join(workdir, 'emulator.env')} (moto_server on ${moto.endpoint})`,
      );
      await waitForSignal();
      // Only what was held back: the rest was attempted already, and a second try would only wait again.
      lines.push(...(await apply(targets(addresses.filter(heldBack)))).lines);
    } else {
      lines.push(...(await apply()).lines);
      writeEnv(terraform, runDir, workdir, settings, moto.env);
    }

    const outcomes = classifyApply(json, parseApplyEvents(lines));
    const report = formatReport(outcomes);
    console.log(report);

    const destroy = await terraformJson(
      terraform, // No refresh: reading back what moto cannot describe (see moto-limits.ts) would stop the destroy.
      ['destroy', '-input=false', '-auto-approve', '-refresh=false', '-parallelism=10'],
      runDir,
    );
    const destroyErrors = [...parseApplyEvents(destroy.lines).errors.entries()].map(
      ([address, error]) => `${address}: ${error}`,
    );
    console.log(
      destroyErrors.length === 0
        ? 'destroyed on moto_server'
        : `destroy errors:\n  ${destroyErrors.join('\n  ')}`,
    );

    const result: ApplyEmulatedReport = { providerVersion: mirror.version, outcomes, destroyErrors };
    writeFileSync(path.join(workdir, 'report.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(path.join(workdir, 'report.txt'), `${report}\n`);
    const unexplained = outcomes.filter((outcome) => outcome.outcome === 'unexplained');
    if (unexplained.length > 0) {
      throw new AwsInfraError(
        'EMULATOR_FAILED',
        `${unexplained.length} resource(s) failed for a reason that is not a known moto limit: ` +
          unexplained.map((outcome) => outcome.address).join(', '),
      );
    }
  } finally {
    await moto.stop();
  }
}

/** The same `.env` `terraform-output` writes, and `emulator.env`: how the workers reach moto_server. */
function writeEnv(
  terraform: string,
  runDir: string,
  workdir: string,
  settings: StackSettings,
  emulator: Readonly<Record<string, string>>,
): void {
  const outputs = JSON.parse(capture(terraform, ['output', '-json'], { cwd: runDir })) as TerraformOutputs;
  writeFileSync(path.join(workdir, '.env'), outputsEnvFile(outputs, settings.name_prefix));
  const lines = Object.entries(emulator).map(([name, value]) => `${name}=${value}`);
  writeFileSync(path.join(workdir, 'emulator.env'), `${lines.join('\n')}\n`);
}
