/**
 * Synthesis outside any test: reads the settings (file + environment), writes the Terraform JSON
 * to packages/aws-infra/cdktf.out/stacks/<name_prefix>/, and optionally the same stack as HCL
 * (the exit route to plain Terraform, docs/adr/0002-cdktf.md).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'cdktf';
import { fixHclQuoting } from './hcl-fix';
import { type StackSettings } from './settings';
import { DEFAULT_OUTDIR } from './settings-file';
import { StereoSpotStack } from './stack';

export interface SynthResult {
  readonly settings: StackSettings;
  /** Directory holding cdk.tf.json (or main.tf with hcl): where terraform runs. */
  readonly stackDir: string;
  readonly milliseconds: number;
  /** The module the Lambda zip was bundled from. */
  readonly lambdaEntry: string;
}

export function synthesize(options: {
  settings: StackSettings;
  outdir?: string;
  hcl?: boolean;
  /** The Lambda handler module to bundle instead of the app's (tests). */
  lambdaEntry?: string;
}): SynthResult {
  const started = Date.now();
  const outdir = options.outdir ?? DEFAULT_OUTDIR;
  mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir, hclOutput: options.hcl ?? false, skipValidation: false });
  // cdktf 0.21's stacks read SYNTH_HCL_OUTPUT, not the App's hclOutput, when they are created.
  const previous = process.env.SYNTH_HCL_OUTPUT;
  process.env.SYNTH_HCL_OUTPUT = options.hcl ? 'true' : 'false';
  let stack: StereoSpotStack;
  try {
    stack = new StereoSpotStack(
      app,
      options.settings,
      options.lambdaEntry ? { lambdaEntry: options.lambdaEntry } : {},
    );
  } finally {
    if (previous === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = previous;
  }
  app.synth();
  const stackDir = path.join(outdir, 'stacks', options.settings.name_prefix);
  if (options.hcl) {
    const file = path.join(stackDir, 'cdk.tf');
    writeFileSync(file, fixHclQuoting(readFileSync(file, 'utf8')));
  }
  return {
    lambdaEntry: stack.lambdaEntry,
    settings: options.settings,
    stackDir,
    milliseconds: Date.now() - started,
  };
}
