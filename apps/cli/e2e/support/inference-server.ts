/** An inference server process (apps/inference-server, builtin engine) for INFERENCE_BACKEND=http. */
import path from 'node:path';
import { freePort } from '@stereo-spot/testing';
import { REPO_ROOT, startTypeScriptProcess, type StereoSpotProcess } from './processes';
import { e2eDeployment, type E2eDeployment } from './deployment';

const INFERENCE_SERVER_MAIN = path.join(REPO_ROOT, 'apps', 'inference-server', 'src', 'main.ts');

export interface InferenceServerProcess {
  readonly url: string;
  /** Its JSON log lines are in `process.logs`; stopped by `stopAll()` like the other processes. */
  readonly process: StereoSpotProcess;
}

/** Starts the inference server with its builtin engine on a free loopback port and waits until it is ready. */
export async function startInferenceServer(
  env: Record<string, string> = {},
  port?: number,
): Promise<InferenceServerProcess> {
  port ??= await freePort();
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

const SHARED_SECRET = 'e2e-inference-shared-secret-0123456789';

/**
 * An embedded deployment whose video-workers use INFERENCE_BACKEND=http, and its inference server set
 * up as docs/security.md says: a shared secret, and URLs allowed only on the web UI's host (the
 * embedded presigned URLs). The deployment comes first, as the server needs the web UI's address.
 */
export async function httpBackendDeployment(env: Record<string, string> = {}): Promise<{
  deployment: E2eDeployment;
  inference: InferenceServerProcess;
}> {
  const port = await freePort();
  const deployment = await e2eDeployment({
    INFERENCE_BACKEND: 'http',
    INFERENCE_HTTP_URL: `http://127.0.0.1:${port}`,
    INFERENCE_SHARED_SECRET: SHARED_SECRET,
    ...env,
  });
  const inference = await startInferenceServer(
    { INFERENCE_SHARED_SECRET: SHARED_SECRET, INFERENCE_ALLOWED_URL_HOSTS: new URL(deployment.url).host },
    port,
  );
  return { deployment, inference };
}
