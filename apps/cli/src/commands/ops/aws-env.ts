/**
 * Names the ops commands need beyond the `ops` role's configuration (log groups, ECS cluster and
 * services): from the environment, else from `packages/aws-infra/.env` (written by
 * `terraform-output`), else derived from NAME_PREFIX the way packages/aws-infra names them.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnvFile } from '@stereo-spot/config';

export const AWS_INFRA_ENV_FILE = path.resolve(__dirname, '..', '..', '..', '..', '..', 'packages', 'aws-infra', '.env');

/** The variables of a `.env` file; none when it does not exist. */
export function readEnvFile(file: string): Record<string, string> {
  return existsSync(file) ? parseEnvFile(readFileSync(file, 'utf8'), file) : {};
}

export type Lookup = (name: string) => string | undefined;

export function deploymentLookup(
  env: Readonly<Record<string, string | undefined>>,
  file = env.STEREO_SPOT_INFRA_ENV_FILE ?? AWS_INFRA_ENV_FILE,
): Lookup {
  const fromFile = readEnvFile(file);
  return (name) => env[name] || fromFile[name] || undefined;
}

const PIPELINE_APPS = ['web-ui', 'media-worker', 'video-worker'] as const;

/** The pipeline's log groups: the three ECS services and the reassembly-trigger Lambda. */
export function pipelineLogGroups(lookup: Lookup): string[] {
  const prefix = lookup('NAME_PREFIX');
  const groups = [
    ...PIPELINE_APPS.map(
      (app) =>
        lookup(`${app.toUpperCase().replace(/-/g, '_')}_LOG_GROUP`) ??
        (prefix !== undefined ? `/ecs/${prefix}-${app}` : undefined),
    ),
    lookup('REASSEMBLY_TRIGGER_LOG_GROUP') ??
      (prefix !== undefined ? `/aws/lambda/${prefix}-reassembly-trigger` : undefined),
  ];
  return groups.filter((group): group is string => group !== undefined);
}
