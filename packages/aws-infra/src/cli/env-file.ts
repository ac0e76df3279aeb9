/**
 * packages/aws-infra/.env: the stack's outputs as shell-sourceable `KEY=value` lines
 * (`set -a; . packages/aws-infra/.env; set +a`), read by the runbooks, the ops commands and the
 * image targets. The format (quoting, reading with util.parseEnv) is @stereo-spot/config's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { formatEnvFile, parseEnvFile } from '@stereo-spot/config';
import { AwsInfraError } from '../errors';
import { envNameOfOutput, OPTIONAL_OUTPUT_NAMES, OUTPUT_NAMES } from '../outputs';

/** `terraform output -json`: name → { value, type, sensitive }. */
export type TerraformOutputs = Readonly<
  Record<string, { readonly value: unknown; readonly sensitive?: boolean }>
>;

const ORDER: readonly string[] = [...OUTPUT_NAMES, ...OPTIONAL_OUTPUT_NAMES];

/** The outputs in a fixed order, without sensitive and non-scalar ones. */
export function outputsEnvFile(outputs: TerraformOutputs, stack: string): string {
  const names = Object.keys(outputs).sort((a, b) => {
    const [ia, ib] = [ORDER.indexOf(a), ORDER.indexOf(b)];
    return (ia < 0 ? ORDER.length : ia) - (ib < 0 ? ORDER.length : ib) || a.localeCompare(b);
  });
  const values: [string, string][] = [];
  for (const [name, { value, sensitive }] of names.map((n) => [n, outputs[n] ?? { value: null }] as const)) {
    if (sensitive) continue;
    if (value === null || typeof value === 'object') continue;
    values.push([envNameOfOutput(name), String(value)]);
  }
  return formatEnvFile(
    [
      `stereo-spot stack "${stack}": written by \`nx run aws-infra:terraform-output\`; do not edit.`,
      'Load into a shell with: set -a; . packages/aws-infra/.env; set +a',
    ],
    values,
  );
}

export function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) {
    throw new AwsInfraError(
      'ENV_FILE_MISSING',
      `${file} does not exist: deploy first (\`nx run aws-infra:deploy\`), or write it from an existing ` +
        'deployment with `nx run aws-infra:terraform-output`',
    );
  }
  return parseEnvFile(readFileSync(file, 'utf8'), file);
}
