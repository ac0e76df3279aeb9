/**
 * Synthesis outside any test: reads the settings (file + environment), writes the Terraform JSON
 * to packages/aws-infra/cdktf.out/stacks/<name_prefix>/, and optionally the same stack as HCL
 * (the exit route to plain Terraform, docs/adr/0002-cdktf.md).
 */
import path from 'node:path';
import { App } from 'cdktf';
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
}): SynthResult {
  const started = Date.now();
  const outdir = options.outdir ?? DEFAULT_OUTDIR;
  const app = new App({ outdir, hclOutput: options.hcl ?? false, skipValidation: false });
  const stack = new StereoSpotStack(app, options.settings);
  app.synth();
  return {
    lambdaEntry: stack.lambdaEntry,
    settings: options.settings,
    stackDir: path.join(outdir, 'stacks', options.settings.name_prefix),
    milliseconds: Date.now() - started,
  };
}
