/**
 * The platform a process runs on, opened once from the roles' configuration: a discriminated
 * union, so what only one platform has (the embedded presigned-URL handler and change feeds, the
 * AWS clients) is reached by checking `kind`, never by a cast.
 */
import os from 'node:os';
import path from 'node:path';
import type { AwsPlatformConfig, PlatformConfig } from '@stereo-spot/config';
import type { AwsPortSource } from '@stereo-spot/aws-adapters';
import { createLocalPlatform, type LocalPlatform } from '@stereo-spot/local-adapters';
import { portSourceOf, type PortSource } from '@stereo-spot/pipeline';

export interface OpenedLocalPlatform {
  readonly kind: 'local';
  readonly local: LocalPlatform;
  /** Builds each role's ports (see pipeline's `portsForRole`). */
  readonly ports: PortSource;
  /** Temporary media files: `<home>/work`. */
  readonly scratchDir: string;
  close(): Promise<void>;
}

export interface OpenedAwsPlatform {
  readonly kind: 'aws';
  readonly config: AwsPlatformConfig;
  /** Builds each role's ports; a resource this process was not given fails its role at start. */
  readonly ports: AwsPortSource;
  /** Temporary media files: `<tmp>/stereo-spot`. */
  readonly scratchDir: string;
  close(): Promise<void>;
}

export type OpenedPlatform = OpenedLocalPlatform | OpenedAwsPlatform;

/**
 * Opens the platform. `publicBaseUrl` is where embedded presigned URLs point (the web UI), asked
 * for each URL because the web UI's address is known only once it listens.
 */
export async function openPlatform(config: PlatformConfig, publicBaseUrl: () => string): Promise<OpenedPlatform> {
  if (config.kind === 'local') {
    const local = createLocalPlatform({
      home: config.home,
      publicBaseUrl,
      maxReceiveCount: config.maxReceiveCount,
      visibilityTimeoutSeconds: config.queueVisibilityTimeoutSeconds,
    });
    return {
      kind: 'local',
      local,
      ports: portSourceOf(local),
      scratchDir: path.join(local.home, 'work'),
      close: () => local.close(),
    };
  }
  // Loaded only on AWS: the SDK clients take a while to load and the embedded platform never needs them.
  const { openAwsPortSource } = await import('@stereo-spot/aws-adapters');
  const ports = openAwsPortSource(config);
  return {
    kind: 'aws',
    config,
    ports,
    scratchDir: path.join(os.tmpdir(), 'stereo-spot'),
    close: () => ports.close(),
  };
}
