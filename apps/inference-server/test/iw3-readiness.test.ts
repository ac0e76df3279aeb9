/**
 * When the iw3 engine calls itself ready: against a private copy of the stand-in nunif (its
 * weights manifest and weight files, its stand-in torch that shows a GPU with IW3_STANDIN_CUDA=1).
 */
import { mkdtemp, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadServerConfig } from '../src/config';
import { Iw3Engine } from '../src/engines/iw3';
import { parseIw3Tuning } from '../src/engines/iw3-args';
import { checkProbe, parseIw3Readiness, type Iw3Probe, type Iw3ReadinessSettings } from '../src/engines/iw3-readiness';
import { InferenceConfigError } from '../src/errors';
import { copyStandin } from './support/standin';

// Each start runs Python; on a shared machine that can take seconds (never asserted on).
jest.setTimeout(30_000);

const MANIFEST = 'stereo-spot-weights.json';
const ROW_FLOW_WEIGHTS = 'iw3/pretrained_models/hub/checkpoints/iw3_row_flow_v3_20250627.pth';
let dir: string;
let nunifDir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'iw3-readiness-test-'));
  nunifDir = await copyStandin(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function engine(
  options: { env?: Record<string, string>; readiness?: Partial<Iw3ReadinessSettings>; cuda?: boolean } = {},
): Iw3Engine {
  return new Iw3Engine({
    python: 'python3',
    nunifDir,
    tuning: parseIw3Tuning(options.env ?? {}),
    readiness: { requireGpu: false, ...options.readiness },
    timeoutMs: 30_000,
    startupTimeoutMs: 30_000,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', IW3_STANDIN_CUDA: options.cuda ? '1' : '0' },
  });
}

async function editManifest(change: (manifest: Record<string, unknown>) => void): Promise<void> {
  const file = path.join(nunifDir, MANIFEST);
  const manifest = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  change(manifest);
  await writeFile(file, JSON.stringify(manifest));
}

describe('IW3_REQUIRE_GPU', () => {
  it('refuses to start when torch sees no CUDA device, saying what to do', async () => {
    // Act
    const start = engine({ readiness: { requireGpu: true }, cuda: false }).start();
    // Assess
    await expect(start).rejects.toBeInstanceOf(InferenceConfigError);
    await expect(start).rejects.toThrow(
      'iw3 is not ready: IW3_REQUIRE_GPU=1 but torch 2.7.1+stand-in (CUDA build none) sees no CUDA device: ' +
        'iw3 would convert on the CPU and time out; run on a GPU instance (docker run --gpus all) or set IW3_REQUIRE_GPU=0',
    );
  });

  it('starts when torch sees a CUDA device, and records which', async () => {
    const started = engine({ readiness: { requireGpu: true }, cuda: true });
    await started.start();
    expect(started.runtime?.probe).toMatchObject({ cuda: true, device: 'Stand-in GPU', cuda_build: '12.8' });
  });

  it('lets a CPU-only machine start when it is off (the default outside the image)', async () => {
    expect(parseIw3Readiness({})).toEqual({ requireGpu: false });
    await expect(engine({ cuda: false }).start()).resolves.toBeUndefined();
  });

  it.each([
    [{ IW3_REQUIRE_GPU: '1' }, { requireGpu: true }],
    [{ IW3_REQUIRE_GPU: 'true' }, { requireGpu: true }],
    [{ IW3_REQUIRE_GPU: '0' }, { requireGpu: false }],
    [{ IW3_REQUIRE_GPU: '', IW3_WEIGHTS_MANIFEST: '/w.json' }, { requireGpu: false, weightsManifest: '/w.json' }],
  ])('reads %j', (env, settings) => {
    expect(parseIw3Readiness(env)).toEqual(settings);
  });

  it('rejects a value that is not a flag, at configuration time', () => {
    expect(() => loadServerConfig({ IW3_REQUIRE_GPU: 'yes' })).toThrow(
      'invalid inference-server environment: IW3_REQUIRE_GPU must be 1 or 0',
    );
  });
});

describe('the weights on disk', () => {
  it('stays unready without the manifest the image build writes', async () => {
    await unlink(path.join(nunifDir, MANIFEST));
    await expect(engine().start()).rejects.toThrow(
      new RegExp(`^iw3 is not ready: no weights manifest at ${nunifDir}/stereo-spot-weights.json; the image build writes it`),
    );
  });

  it('reads the manifest IW3_WEIGHTS_MANIFEST names', async () => {
    const elsewhere = path.join(dir, 'weights.json');
    await writeFile(elsewhere, await readFile(path.join(nunifDir, MANIFEST)));
    await unlink(path.join(nunifDir, MANIFEST));
    await expect(engine({ readiness: { weightsManifest: elsewhere } }).start()).resolves.toBeUndefined();
  });

  it('names a weight file that is missing', async () => {
    await unlink(path.join(nunifDir, ROW_FLOW_WEIGHTS));
    await expect(engine().start()).rejects.toThrow(`${ROW_FLOW_WEIGHTS} is missing`);
  });

  it('names a weight file that is cut short', async () => {
    await truncate(path.join(nunifDir, ROW_FLOW_WEIGHTS), 3);
    await expect(engine().start()).rejects.toThrow(`${ROW_FLOW_WEIGHTS} has 3 bytes, not 47`);
  });

  it('refuses a depth model iw3 knows but the image has no weights for', async () => {
    await expect(engine({ env: { IW3_DEPTH_MODEL: 'Any_V2_L' } }).start()).rejects.toThrow(
      'depth model Any_V2_L (IW3_DEPTH_MODEL) has no weights in the image (it has ZoeD_Any_N, Any_V2_S): ' +
        'rebuild the image with it in the IW3_DEPTH_MODELS / IW3_METHODS build arguments',
    );
  });

  it('refuses a method the image has no weights for', async () => {
    await expect(engine({ env: { IW3_METHOD: 'row_flow_v2' } }).start()).rejects.toThrow(
      'method row_flow_v2 (IW3_METHOD) has no weights in the image (it has row_flow, row_flow_v3)',
    );
  });

  it('starts with a depth model and method the image has', async () => {
    await expect(engine({ env: { IW3_DEPTH_MODEL: 'Any_V2_S', IW3_METHOD: 'row_flow_v3' } }).start()).resolves.toBeUndefined();
  });

  it('refuses weights prepared for another nunif commit', async () => {
    await editManifest((manifest) => (manifest.nunif_commit = '15582031fff730bf1737c90937b7217da89fe25c'));
    await expect(engine().start()).rejects.toThrow(
      'the weights were prepared for nunif 15582031fff730bf1737c90937b7217da89fe25c, this server is written against d23721f1b5f0a4c92c3ee1be013180bf298730c5',
    );
  });

  it('refuses an image without the scene-detection weights', async () => {
    await editManifest((manifest) => (manifest.scene_detect = false));
    await expect(engine().start()).rejects.toThrow('the scene-detection weights (TransNetV2, for --scene-detect) are missing');
  });

  it('says where a malformed manifest is wrong', async () => {
    await editManifest((manifest) => delete manifest.methods);
    await expect(engine().start()).rejects.toThrow(/the weights manifest .* is malformed at methods$/);
  });
});

describe("the settings against the installed iw3's choices", () => {
  const probe: Iw3Probe = {
    torch: '2.7.1+cu128',
    cuda_build: '12.8',
    cuda: true,
    device: 'NVIDIA L4',
    choices: { depth_model: ['ZoeD_Any_N'], method: ['row_flow'], preset: ['medium'] },
  };

  it('accepts the defaults when iw3 offers them', () => {
    expect(() => checkProbe(probe, parseIw3Tuning({}), true)).not.toThrow();
  });

  it('names each setting an older or newer iw3 does not offer', () => {
    const tuning = parseIw3Tuning({ IW3_DEPTH_MODEL: 'Any_V2_S', IW3_METHOD: 'row_flow_v3', IW3_PRESET: 'p4' });
    expect(() => checkProbe(probe, tuning, false)).toThrow(
      'iw3 is not ready: the installed iw3 has no depth model Any_V2_S (IW3_DEPTH_MODEL; it offers ZoeD_Any_N); ' +
        'the installed iw3 has no method row_flow_v3 (IW3_METHOD; it offers row_flow); ' +
        'the installed iw3 has no preset p4 (IW3_PRESET)',
    );
  });
});

describe('settings validated at configuration time, before anything runs', () => {
  it("names a depth model that is not in the pinned iw3's list, with the list", () => {
    expect(() => loadServerConfig({ IW3_DEPTH_MODEL: 'ZoeD_AnyN', IW3_METHOD: 'row-flow' })).toThrow(
      /^invalid inference-server environment: IW3_DEPTH_MODEL=ZoeD_AnyN is not one of iw3's depth models: ZoeD_N, .*, NULL; IW3_METHOD=row-flow is not one of iw3's methods: grid_sample, .*, NULL$/,
    );
  });
});
