/**
 * Reads `packages/aws-infra/.env` (written by `nx run aws-infra:terraform-output`) with
 * @stereo-spot/config's `.env` reader. Variables set in the process environment win over the file
 * (handy for one-off overrides such as AWS_ENDPOINT_URL).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnvFile } from '@stereo-spot/config';
import { SageMakerOpsError } from './errors';

export const INFRA_ENV_RELATIVE_PATH = path.join('packages', 'aws-infra', '.env');

export type InfraEnv = Readonly<Record<string, string>>;

export interface ReadInfraEnvOptions {
  /** The workspace root; the file is `<root>/packages/aws-infra/.env`. */
  readonly root: string;
  /** Explicit file (overrides `root`). */
  readonly file?: string;
  /** Values that win over the file (normally `process.env`). */
  readonly overrides?: Readonly<Record<string, string | undefined>>;
}

/** Throws SageMakerOpsError naming the file and how to create it when it is missing. */
export function readInfraEnv(options: ReadInfraEnvOptions): InfraEnv {
  const file = options.file ?? path.join(options.root, INFRA_ENV_RELATIVE_PATH);
  if (!existsSync(file)) {
    throw new SageMakerOpsError(
      'INFRA_ENV',
      `${file} not found. It holds the names of the deployed AWS resources: deploy the ` +
        'infrastructure and run `npx nx run aws-infra:terraform-output` to write it.',
    );
  }
  const values = parseEnvFile(readFileSync(file, 'utf8'), file);
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined && value !== '' && key in values) values[key] = value;
  }
  for (const key of ['AWS_ENDPOINT_URL', 'AWS_REGION'] as const) {
    const value = options.overrides?.[key];
    if (value && !(key in values)) values[key] = value;
  }
  Object.defineProperty(values, SOURCE, { value: file, enumerable: false });
  return values;
}

const SOURCE = Symbol('source file');

/** The values of `names`; throws one error naming every missing variable and the file. */
export function requireVars<const K extends string>(env: InfraEnv, names: readonly K[]): Record<K, string> {
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) {
    const source = (env as { [SOURCE]?: string })[SOURCE] ?? INFRA_ENV_RELATIVE_PATH;
    throw new SageMakerOpsError(
      'INFRA_ENV',
      `${source} lacks ${missing.join(', ')}: re-run \`npx nx run aws-infra:terraform-output\` ` +
        'after deploying the infrastructure, or add the line(s) by hand.',
    );
  }
  return Object.fromEntries(names.map((name) => [name, env[name] ?? ''])) as Record<K, string>;
}
