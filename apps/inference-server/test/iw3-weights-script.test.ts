/**
 * The image build's weights script (docker/stereocrafter-sagemaker/iw3_weights.py) writes the
 * manifest the server reads at start-up: run it in a stand-in nunif whose factories "download"
 * (IW3_STANDIN_ONLINE=1) the files iw3's would, then start the engine on the result and convert
 * with no network. Proves the two sides agree on the manifest and that the offline check fails
 * when a conversion needs a weight the build did not fetch.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadServerConfig } from '../src/config';
import { Iw3Engine } from '../src/engines/iw3';
import { parseIw3Tuning } from '../src/engines/iw3-args';
import { NUNIF_COMMIT } from '../src/engines/iw3-pinned';
import { runOfflineCheck } from '../src/offline-check';
import { captureLogger } from '@stereo-spot/logging/testing';
import { copyStandin } from './support/standin';

// Several Python processes per test on a shared machine: generous, never asserted on.
jest.setTimeout(60_000);

const SCRIPT = path.resolve(__dirname, '..', '..', '..', 'docker', 'stereocrafter-sagemaker', 'iw3_weights.py');
let dir: string;
let nunifDir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'iw3-weights-script-test-'));
  nunifDir = await copyStandin(dir);
  // An unprepared checkout: no weights, no manifest.
  await rm(path.join(nunifDir, 'iw3', 'pretrained_models'), { recursive: true });
  await rm(path.join(nunifDir, 'stereo-spot-weights.json'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const runScript = (depthModels: string, methods: string) =>
  spawnSync('python3', [SCRIPT, '--commit', NUNIF_COMMIT, '--depth-models', depthModels, '--methods', methods], {
    cwd: nunifDir,
    encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', IW3_STANDIN_ONLINE: '1' },
  });

function engine(env: Record<string, string> = {}): Iw3Engine {
  return new Iw3Engine({
    python: 'python3',
    nunifDir,
    tuning: parseIw3Tuning(env),
    readiness: { requireGpu: false },
    timeoutMs: 30_000,
    startupTimeoutMs: 30_000,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
}

it('downloads the listed models, TransNetV2, and writes a manifest the server accepts', async () => {
  // Act
  const run = runScript('ZoeD_Any_N Any_V2_S', 'row_flow row_flow_v3');
  // Assess
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  expect(run.stdout).toContain('iw3_weights: TransNetV2 (--scene-detect)');
  const manifest = JSON.parse(await readFile(path.join(nunifDir, 'stereo-spot-weights.json'), 'utf8')) as {
    files: { path: string }[];
  };
  expect(manifest.files.map((file) => path.basename(file.path)).sort()).toEqual([
    'depth_anything_metric_depth_indoor.pt',
    'depth_anything_v2_vits.pth',
    'iw3_row_flow_v3_20250627.pth',
    'transnetv2-pytorch-weights.pth',
  ]);
  await expect(engine({ IW3_DEPTH_MODEL: 'Any_V2_S', IW3_METHOD: 'row_flow_v3' }).start()).resolves.toBeUndefined();
});

it('then converts with no network, once per depth model and method', async () => {
  // Prepare
  expect(runScript('ZoeD_Any_N Any_V2_S', 'row_flow row_flow_v3').status).toBe(0);
  const config = loadServerConfig({ INFERENCE_ENGINE: 'iw3', NUNIF_DIR: nunifDir });
  // Act (the stand-in has no network without IW3_STANDIN_ONLINE)
  const done = await runOfflineCheck(config, { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, captureLogger().logger, dir);
  // Assess
  expect(done.map((step) => `${step.depthModel} + ${step.method}`)).toEqual([
    'ZoeD_Any_N + row_flow',
    'Any_V2_S + row_flow',
    'ZoeD_Any_N + row_flow_v3',
  ]);
});

it('fails the offline check when a conversion needs a weight the build did not download', async () => {
  // Prepare: weights for ZoeD_Any_N only, but a manifest claiming Any_V2_S as well
  expect(runScript('ZoeD_Any_N', 'row_flow').status).toBe(0);
  const manifestPath = path.join(nunifDir, 'stereo-spot-weights.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { depth_models: string[] };
  manifest.depth_models.push('Any_V2_S');
  await writeFile(manifestPath, JSON.stringify(manifest));
  const config = loadServerConfig({ INFERENCE_ENGINE: 'iw3', NUNIF_DIR: nunifDir });
  // Act
  const check = runOfflineCheck(config, { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, captureLogger().logger, dir);
  // Assess: iw3 tried to fetch the model and had no network
  await expect(check).rejects.toThrow(/iw3 failed \(exit 1\)[\s\S]*Temporary failure in name resolution> \(depth_anything_v2_vits\.pth\)/);
});

it.each([
  ['ZoeD_AnyN', 'row_flow', "unknown to this iw3: ['ZoeD_AnyN']"],
  ['ZoeD_Any_N', 'mlbw_l2', "methods the image cannot prepare: ['mlbw_l2']"],
])('refuses depth models %s / methods %s before downloading anything', (depthModels, methods, message) => {
  const run = runScript(depthModels, methods);
  expect(run.status).toBe(1);
  expect(run.stderr).toContain(message);
  expect(existsSync(path.join(nunifDir, 'iw3', 'pretrained_models'))).toBe(false);
});
