/**
 * The image runs the server as one esbuild bundle without the workspace's node_modules. Build
 * it, run it from a folder outside the repository with the iw3 engine (stand-in nunif), and talk
 * to it over HTTP.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const NUNIF_STANDIN = path.join(__dirname, 'fixtures', 'fake-nunif');

let dir: string;
let server: ChildProcess | undefined;
let output = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'inference-bundle-test-'));
});
afterAll(async () => {
  server?.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

it('bundles the server into one file that serves the SageMaker contract on its own', async () => {
  // Prepare: the bundle, plus the one package the image installs next to it (tsx)
  const built = spawnSync(process.execPath, [path.join(ROOT, 'apps/inference-server/scripts/bundle.mjs'), path.join(dir, 'out')], {
    encoding: 'utf8',
  });
  expect(built.stderr).toBe('');
  expect(built.status).toBe(0);
  const bundle = path.join(dir, 'out', 'main.cjs');
  expect(existsSync(bundle)).toBe(true);
  await mkdir(path.join(dir, 'out', 'node_modules'));
  await symlink(path.join(ROOT, 'node_modules', 'tsx'), path.join(dir, 'out', 'node_modules', 'tsx'));
  const port = await freePort();

  // Act
  server = spawn(process.execPath, [bundle], {
    cwd: path.join(dir, 'out'),
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      INFERENCE_ENGINE: 'iw3',
      NUNIF_DIR: NUNIF_STANDIN,
      IW3_PYTHON: 'python3',
      PYTHONDONTWRITEBYTECODE: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let ping: Response | undefined;
  for (let i = 0; i < 150 && server.exitCode === null; i++) {
    ping = await fetch(`http://127.0.0.1:${port}/ping`).catch(() => undefined);
    if (ping?.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  // Assess
  expect({ status: ping?.status, exitCode: server.exitCode, output: ping?.status === 200 ? '' : output }).toEqual({
    status: 200,
    exitCode: null,
    output: '',
  });
  expect(await ping!.json()).toMatchObject({ status: 'ready', engine: 'iw3' });
  const invalid = await fetch(`http://127.0.0.1:${port}/invocations`, { method: 'POST', body: '{"mode": "sbs"}' });
  expect(invalid.status).toBe(400);
  expect(await invalid.json()).toEqual({
    error: {
      code: 'INVALID_REQUEST',
      message: 'invalid request: give exactly one of s3_input_uri or input_url; give exactly one of s3_output_uri or output_url',
    },
  });
  const logLine = JSON.parse(output.split('\n').find((line) => line.includes('listening'))!) as Record<string, unknown>;
  expect(logLine).toMatchObject({ name: 'inference-server', port });
}, 90_000);
