/**
 * What every `stereo-spot ops` subcommand shares: the platform opened from the `ops` role's
 * configuration (embedded or AWS), a line printer, and the confirmation rule (ask on a terminal,
 * refuse without one unless `--yes`). Subcommands return an exit code: 0 done, 2 refused, 1 error.
 */
import { createInterface } from 'node:readline/promises';
import { loadConfig, type AwsPlatformConfig, type Env } from '@stereo-spot/config';
import { createLocalPlatform } from '@stereo-spot/local-adapters';
import type { PipelinePorts } from '@stereo-spot/pipeline';

export const EXIT_DONE = 0;
export const EXIT_ERROR = 1;
export const EXIT_REFUSED = 2;

export interface OpsPlatform extends PipelinePorts {
  readonly kind: 'local' | 'aws';
  /** The embedded platform's home folder (logs live under it). */
  readonly home?: string;
  /** The AWS configuration (region, endpoint), for the commands that call other AWS services. */
  readonly aws?: AwsPlatformConfig;
  close(): Promise<void>;
}

export interface OpsIo {
  out(line: string): void;
  /** True when the operator agreed (or passed --yes). */
  confirm(question: string): Promise<boolean>;
}

export async function openOpsPlatform(env: Env): Promise<OpsPlatform> {
  const config = loadConfig('ops', env);
  if (config.platform.kind === 'local') {
    const local = createLocalPlatform({
      home: config.platform.home,
      publicBaseUrl: 'http://127.0.0.1',
      maxReceiveCount: config.platform.maxReceiveCount,
      visibilityTimeoutSeconds: config.platform.queueVisibilityTimeoutSeconds,
    });
    return { ...local, kind: 'local' };
  }
  // Loaded only on AWS: the SDK clients take a while to load.
  const { createAwsPlatform } = await import('@stereo-spot/aws-adapters');
  const aws = await createAwsPlatform(config.platform);
  return { ...aws, kind: 'aws', aws: config.platform, close: () => aws.close() };
}

export function consoleIo(yes: boolean | undefined): OpsIo {
  return {
    out: (line) => console.log(line),
    async confirm(question) {
      if (yes) return true;
      if (!process.stdin.isTTY) {
        console.log('not asking for confirmation: stdin is not a terminal; pass --yes');
        return false;
      }
      const prompt = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
      } finally {
        prompt.close();
      }
    },
  };
}

/** Runs one subcommand against the configured platform and sets the process's exit code. */
export async function runOps(
  yes: boolean | undefined,
  action: (platform: OpsPlatform, io: OpsIo) => Promise<number>,
): Promise<void> {
  const platform = await openOpsPlatform(process.env);
  try {
    process.exitCode = await action(platform, consoleIo(yes));
  } finally {
    await platform.close();
  }
}
