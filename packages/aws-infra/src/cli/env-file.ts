/**
 * packages/aws-infra/.env: the stack's outputs as shell-sourceable `KEY=value` lines
 * (`set -a; . packages/aws-infra/.env; set +a`), read by the runbooks, the ops commands and the
 * image targets.
 */
import { existsSync, readFileSync } from 'node:fs';
import { AwsInfraError } from '../errors';
import { envNameOfOutput, OPTIONAL_OUTPUT_NAMES, OUTPUT_NAMES } from '../outputs';

/** `terraform output -json`: name → { value, type, sensitive }. */
export type TerraformOutputs = Readonly<
  Record<string, { readonly value: unknown; readonly sensitive?: boolean }>
>;

const SAFE = /^[A-Za-z0-9_./:@%+,=-]*$/;

/** Quotes for POSIX sh only when needed: 'it'\''s'. */
export function shellQuote(value: string): string {
  return SAFE.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

const ORDER: readonly string[] = [...OUTPUT_NAMES, ...OPTIONAL_OUTPUT_NAMES];

export function formatEnvFile(outputs: TerraformOutputs, stack: string): string {
  const names = Object.keys(outputs).sort((a, b) => {
    const [ia, ib] = [ORDER.indexOf(a), ORDER.indexOf(b)];
    return (ia < 0 ? ORDER.length : ia) - (ib < 0 ? ORDER.length : ib) || a.localeCompare(b);
  });
  const lines = [
    `# stereo-spot stack "${stack}": written by \`nx run aws-infra:terraform-output\`; do not edit.`,
    '# Load into a shell with: set -a; . packages/aws-infra/.env; set +a',
  ];
  for (const [name, { value, sensitive }] of names.map((n) => [n, outputs[n] ?? { value: null }] as const)) {
    if (sensitive) continue;
    if (value === null || typeof value === 'object') continue;
    lines.push(`${envNameOfOutput(name)}=${shellQuote(String(value))}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Reads `KEY=value` lines back (the image targets and the tests use this). */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const [, key, raw] = /^([A-Z0-9_]+)=(.*)$/.exec(line) ?? [];
    if (key === undefined || raw === undefined) continue;
    values[key] = raw.startsWith("'") ? raw.slice(1, -1).replace(/'\\''/g, "'") : raw;
  }
  return values;
}

export function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) {
    throw new AwsInfraError(
      'ENV_FILE_MISSING',
      `${file} does not exist: deploy first (\`nx run aws-infra:deploy\`), or write it from an existing ` +
        'deployment with `nx run aws-infra:terraform-output`',
    );
  }
  return parseEnvFile(readFileSync(file, 'utf8'));
}
