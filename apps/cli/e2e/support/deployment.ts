/** One embedded STEREO_SPOT_HOME per test, and the environment every process of the test shares. */
import { createLocalPlatform, type LocalPlatform } from '@stereo-spot/local-adapters';
import { QUICK_PIPELINE_ENV, freePort, makeTempDir, type TempDir } from '@stereo-spot/testing';
import { startStereoSpot, type StereoSpotProcess } from './processes';

export interface E2eDeployment {
  readonly home: TempDir;
  readonly url: string;
  readonly env: Record<string, string>;
  /** Starts `stereo-spot <args>` with this deployment's environment (plus `extra`). */
  start(name: string, args: readonly string[], extra?: Record<string, string>): StereoSpotProcess;
  /** Starts `stereo-spot worker ...roles` (or `up` when roles is `up`) and waits until it is ready. */
  startReady(
    name: string,
    args: readonly string[],
    extra?: Record<string, string>,
  ): Promise<StereoSpotProcess>;
  /** The same SQLite database and folders, opened from the test (queues, DLQs, records). */
  open(): LocalPlatform;
  remove(): Promise<void>;
}

/** What every stereo-spot process of an e2e test runs with, on either platform: loopback on `port`, quick settings. */
export function quickProcessEnv(port: number): Record<string, string> {
  return { PORT: String(port), HOST: '127.0.0.1', ...QUICK_PIPELINE_ENV, SQS_LONG_POLL_WAIT_SECONDS: '2', LOG_LEVEL: 'info' };
}

/**
 * Small and fast settings for a 2-core machine: 1 s segments, the engine's fastest settings, short
 * visibility timeouts (so a killed worker's message comes back quickly), no shutdown grace.
 */
export async function e2eDeployment(overrides: Record<string, string> = {}): Promise<E2eDeployment> {
  const home = await makeTempDir('e2e');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    STEREO_SPOT_PLATFORM: 'local',
    STEREO_SPOT_HOME: home.path,
    ...quickProcessEnv(port),
    LOCAL_QUEUE_VISIBILITY_TIMEOUT_SECONDS: '10',
    ...overrides,
  };
  const opened: LocalPlatform[] = [];
  const start = (name: string, args: readonly string[], extra: Record<string, string> = {}) =>
    startStereoSpot(name, args, { ...env, ...extra });
  return {
    home,
    url,
    env,
    start,
    async startReady(name, args, extra = {}) {
      const proc = start(name, args, extra);
      await proc.waitForLog((line) => line.msg === 'stereo-spot started', 60_000);
      return proc;
    },
    open() {
      const platform = createLocalPlatform({ home: home.path, publicBaseUrl: url, pollIntervalMs: 50 });
      opened.push(platform);
      return platform;
    },
    async remove() {
      await Promise.all(opened.map((platform) => platform.close()));
      await home.remove();
    },
  };
}
