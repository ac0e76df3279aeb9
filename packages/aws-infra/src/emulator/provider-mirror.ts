/**
 * The hashicorp/aws provider for an offline `terraform init`: a filesystem mirror laid out as
 * Terraform's `-plugin-dir` expects (`registry.terraform.io/hashicorp/aws/<version>/<os>_<arch>/`).
 * The emulated apply never downloads a provider.
 */
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AwsInfraError } from '../errors';

/** Where Terraform's own documentation and distribution packages put plugin mirrors. */
export const DEFAULT_PLUGIN_DIRS: readonly string[] = [
  '/opt/tf-plugins',
  path.join(os.homedir(), '.terraform.d', 'plugins'),
  path.join(os.homedir(), '.local', 'share', 'terraform', 'plugins'),
  '/usr/local/share/terraform/plugins',
  '/usr/share/terraform/plugins',
];

export interface ProviderMirror {
  /** The directory to pass as `terraform init -plugin-dir`. */
  readonly pluginDir: string;
  /** The mirrored provider version (the emulated configuration pins exactly this one). */
  readonly version: string;
}

/** Terraform's platform name for this machine, e.g. `linux_amd64`. */
export function terraformPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const archName =
    ({ x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' } as Record<string, string>)[arch] ?? arch;
  return `${platform === 'win32' ? 'windows' : platform}_${archName}`;
}

const compareVersions = (a: string, b: string): number => {
  const parts = (version: string) => version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const difference = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
};

/** The newest hashicorp/aws for this platform in the first directory that has one. */
export function findProviderMirror(
  candidates: readonly string[] = DEFAULT_PLUGIN_DIRS,
  platform: string = terraformPlatform(),
): ProviderMirror {
  for (const pluginDir of candidates) {
    const providerDir = path.join(pluginDir, 'registry.terraform.io', 'hashicorp', 'aws');
    if (!existsSync(providerDir)) continue;
    const versions = readdirSync(providerDir)
      .filter((version) => /^\d+\.\d+\.\d+$/.test(version))
      .filter(
        (version) =>
          readdirSync(path.join(providerDir, version)).includes(platform) &&
          readdirSync(path.join(providerDir, version, platform)).some((file) =>
            file.startsWith('terraform-provider-aws'),
          ),
      )
      .sort(compareVersions);
    const newest = versions.at(-1);
    if (newest) return { pluginDir, version: newest };
  }
  throw new AwsInfraError(
    'PROVIDER_NOT_FOUND',
    `no hashicorp/aws provider for ${platform} in a local mirror (looked for ` +
      `registry.terraform.io/hashicorp/aws/<version>/${platform}/terraform-provider-aws_* under ` +
      `${candidates.join(', ')}). Put one there (\`terraform providers mirror <dir>\` on a machine ` +
      'with registry access) or pass --plugin-dir <dir>',
  );
}
