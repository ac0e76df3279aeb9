/** An inference server process (apps/inference-server, builtin engine) for INFERENCE_BACKEND=http. */
import path from 'node:path';
import { freePort } from '@stereo-spot/testing';
import { REPO_ROOT, startTypeScriptProcess, type StereoSpotProcess } from './processes';

const INFERENCE_SERVER_MAIN = path.join(REPO_ROOT, 'apps', 'inference-server', 'src', 'main.ts');

export interface InferenceServerProcess {
  readonly url: string;
  /** Its JSON log lines are in `process.logs`; stopped by `stopAll()` like the other processes. */
  readonly process: StereoSpotProcess;
}

/** Starts the inference server with its builtin engine on a free loopback port and waits until it is ready. */
export async function startInferenceServer(
  env: Record<string, string> = {},
): Promise<InferenceServerProcess> {
  const port = await freePort();
  const proc = startTypeScriptProcess('inference-server', INFERENCE_SERVER_MAIN, [], {
    PORT: String(port),
    HOST: '127.0.0.1',
    INFERENCE_ENGINE: 'builtin',
    BUILTIN_ENGINE_THREADS: '1',
    ...env,
  });
  await proc.waitForLog((line) => line.msg === 'engine builtin is ready', 60_000);
  return { url: `http://127.0.0.1:${port}`, process: proc };
}
