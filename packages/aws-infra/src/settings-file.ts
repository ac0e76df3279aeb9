/**
 * Where the deploy commands find their settings and write their files. Kept apart from the stack
 * so the commands check tools and settings before loading CDKTF (seconds) at all.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AwsInfraError } from './errors';
import { resolveSettings, type StackSettings } from './settings';

export const PACKAGE_ROOT = path.resolve(__dirname, '..');
export const DEFAULT_SETTINGS_FILE = path.join(PACKAGE_ROOT, 'settings.json');
export const DEFAULT_OUTDIR = path.join(PACKAGE_ROOT, 'cdktf.out');

/** Settings from STEREO_SPOT_INFRA_SETTINGS (or packages/aws-infra/settings.json) and STEREO_SPOT_* variables. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): StackSettings {
  const fileName = env.STEREO_SPOT_INFRA_SETTINGS ?? DEFAULT_SETTINGS_FILE;
  let file: unknown;
  if (existsSync(fileName)) {
    try {
      file = JSON.parse(readFileSync(fileName, 'utf8'));
    } catch (error) {
      throw new AwsInfraError(
        'INVALID_SETTINGS',
        `${fileName} is not valid JSON: ${(error as Error).message}`,
      );
    }
  } else if (env.STEREO_SPOT_INFRA_SETTINGS) {
    throw new AwsInfraError(
      'INVALID_SETTINGS',
      `settings file ${fileName} (STEREO_SPOT_INFRA_SETTINGS) does not exist`,
    );
  }
  return resolveSettings({ env, file, fileName });
}
