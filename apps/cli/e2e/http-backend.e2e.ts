/**
 * INFERENCE_BACKEND=http: the video-worker hands each segment to an inference server process
 * (here with its builtin engine) through presigned URLs of the embedded storage, and the job
 * completes exactly as with the in-process engine. The server is set up as docs/security.md
 * says: a shared secret, and URLs allowed only on the web UI's host.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort, makeTestClip } from '@stereo-spot/testing';
import { download, submitJob, waitForJob } from './support/api';
import { videoFacts } from './support/media';
import { linesContaining, REPO_ROOT, stopAll } from './support/processes';
import { e2eStack, type E2eStack } from './support/stack';

let stack: E2eStack | undefined;
let inferenceServer: ChildProcess | undefined;

afterEach(async () => {
  await stopAll();
  if (inferenceServer && inferenceServer.exitCode === null) {
    const exited = new Promise((resolve) => inferenceServer?.once('exit', resolve));
    inferenceServer.kill('SIGTERM');
    await exited;
  }
  await stack?.remove();
  stack = undefined;
});

const SHARED_SECRET = 'e2e-inference-shared-secret-0123456789';

/** The server takes URLs only on the web UI's host (the embedded presigned URLs) and callers with the secret. */
async function startInferenceServer(port: number, webUiUrl: string): Promise<string> {
  inferenceServer = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'apps', 'inference-server', 'src', 'main.ts')],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        INFERENCE_ENGINE: 'builtin',
        BUILTIN_ENGINE_THREADS: '1',
        INFERENCE_SHARED_SECRET: SHARED_SECRET,
        INFERENCE_ALLOWED_URL_HOSTS: new URL(webUiUrl).host,
      },
      stdio: 'ignore',
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ping = await fetch(`${url}/ping`).catch(() => undefined);
    if (ping?.status === 200) return url;
    if (Date.now() > deadline || inferenceServer.exitCode !== null) {
      throw new Error(`inference server did not become ready (exit code ${inferenceServer.exitCode})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('INFERENCE_BACKEND=http', () => {
  it('converts a whole job through an inference server process', async () => {
    // Prepare
    const inferencePort = await freePort();
    stack = await e2eStack({
      INFERENCE_BACKEND: 'http',
      INFERENCE_HTTP_URL: `http://127.0.0.1:${inferencePort}`,
      INFERENCE_SHARED_SECRET: SHARED_SECRET,
    });
    await startInferenceServer(inferencePort, stack.url);
    const control = await stack.startReady('control', ['worker', 'web', 'media', 'trigger', 'video']);
    const clip = await makeTestClip({ seconds: 3, width: 160, height: 90, fps: 24, dir: stack.home.path });

    // Act
    const jobId = await submitJob(stack.url, clip.path, 'sbs');
    const job = await waitForJob(stack.url, jobId);

    // Assess
    expect(job).toMatchObject({ status: 'completed', total_segments: 3 });
    expect(linesContaining([control], 'segment converted').filter((l) => l.job_id === jobId)).toHaveLength(3);
    const output = path.join(stack.home.path, 'out.mp4');
    await writeFile(output, await download(stack.url, job));
    const facts = videoFacts(output);
    expect(facts.videoFrames).toBe(clip.frames);
    expect(facts.width).toBe(320);
  });
});
