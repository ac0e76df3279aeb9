/**
 * The image runs the server as one esbuild bundle without the workspace's node_modules. Build
 * it, run it from a folder outside the repository with the iw3 engine (stand-in nunif), and talk
 * to it over HTTP.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { copyStandin, NUNIF_STANDIN } from './support/standin';

const ROOT = path.resolve(__dirname, '..', '..', '..');
let dir: string;
let server: ChildProcess | undefined;
let output = '';
let built: SpawnSyncReturns<string>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'inference-bundle-test-'));
  // The bundle, plus the one package the image installs next to it (tsx)
  built = spawnSync(process.execPath, [path.join(ROOT, 'apps/inference-server/scripts/bundle.mjs'), path.join(dir, 'out')], {
    encoding: 'utf8',
  });
  await mkdir(path.join(dir, 'out', 'node_modules'), { recursive: true });
  await symlink(path.join(ROOT, 'node_modules', 'tsx'), path.join(dir, 'out', 'node_modules', 'tsx'));
}, 60_000);
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
  // Prepare
  expect(built.stderr).toBe('');
  expect(built.status).toBe(0);
  const bundle = path.join(dir, 'out', 'main.cjs');
  expect(existsSync(bundle)).toBe(true);
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

it('exits 1 with the reason as its last log line when the image runs without a GPU', async () => {
  // Prepare
  const port = await freePort();
  // Act: as the image starts it (IW3_REQUIRE_GPU=1), on a machine whose torch sees no CUDA device
  const run = spawnSync(process.execPath, [path.join(dir, 'out', 'main.cjs')], {
    cwd: path.join(dir, 'out'),
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      INFERENCE_ENGINE: 'iw3',
      IW3_REQUIRE_GPU: '1',
      NUNIF_DIR: NUNIF_STANDIN,
      PYTHONDONTWRITEBYTECODE: '1',
    },
  });
  // Assess
  expect(run.status).toBe(1);
  const last = JSON.parse(run.stdout.trim().split('\n').pop()!) as { level: number; msg: string };
  expect(last.level).toBe(60);
  expect(last.msg).toMatch(/^engine iw3 cannot start: iw3 is not ready: IW3_REQUIRE_GPU=1 but torch .* sees no CUDA device/);
}, 90_000);

describe('offline-check.cjs (the image build\'s last step)', () => {
  const runCheck = (nunifDir: string, extra: Record<string, string> = {}) =>
    spawnSync(process.execPath, [path.join(dir, 'out', 'offline-check.cjs'), dir], {
      cwd: path.join(dir, 'out'),
      encoding: 'utf8',
      timeout: 120_000,
      env: { PATH: process.env.PATH, INFERENCE_ENGINE: 'iw3', NUNIF_DIR: nunifDir, PYTHONDONTWRITEBYTECODE: '1', ...extra },
    });
  const messages = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { msg: string }).msg)
      .filter((msg) => msg !== 'running iw3');

  it('converts a generated clip once per depth model and once per method the image has', async () => {
    // Prepare
    const nunifDir = await copyStandin(path.join(dir, 'ok'));
    // Act
    const run = runCheck(nunifDir);
    // Assess
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(messages(run.stdout)).toEqual([
      'offline conversion 1/3 ok: ZoeD_Any_N + row_flow',
      'offline conversion 2/3 ok: Any_V2_S + row_flow',
      'offline conversion 3/3 ok: ZoeD_Any_N + row_flow_v3',
      'offline check passed: 3 conversions with no network',
    ]);
  }, 120_000);

  it('fails (and so fails the build) when a conversion fails', async () => {
    const nunifDir = await copyStandin(path.join(dir, 'failing'));
    const run = runCheck(nunifDir, { IW3_STANDIN_BEHAVIOR: 'fail' });
    expect(run.status).toBe(1);
    expect(messages(run.stdout).pop()).toMatch(/^offline check failed: iw3 failed \(exit 1\)\n[\s\S]*InvalidDataError/);
  }, 120_000);

  it('fails when a weight the image should carry is missing', async () => {
    const nunifDir = await copyStandin(path.join(dir, 'no-weights'));
    await rm(path.join(nunifDir, 'iw3/pretrained_models/hub/checkpoints/transnetv2-pytorch-weights.pth'));
    const run = runCheck(nunifDir);
    expect(run.status).toBe(1);
    expect(messages(run.stdout).pop()).toContain('transnetv2-pytorch-weights.pth is missing');
  }, 120_000);
});
