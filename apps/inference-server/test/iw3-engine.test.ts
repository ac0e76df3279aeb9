/**
 * The iw3 engine's process handling, run against a stand-in `iw3.cli` (test/fixtures/fake-nunif)
 * that parses iw3's flags and then succeeds, fails, hangs or misnames its output on request.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OUTPUT_MODES } from '@stereo-spot/shared-types';
import type { EngineConversion } from '../src/engines/engine';
import { Iw3Engine, type Iw3EngineOptions } from '../src/engines/iw3';
import { buildIw3Args, type Iw3Tuning } from '../src/engines/iw3-args';
import { AbortedError, EngineFailedError, EngineTimeoutError, InferenceConfigError } from '../src/errors';
import { captureLogger } from '@stereo-spot/logging/testing';
import { copyStandin, NUNIF_STANDIN } from './support/standin';

const STEREO = { divergence: 2, convergence: 0.5, anaglyph_method: 'dubois' } as const;
const TUNING: Iw3Tuning = { lowVram: true, disableAmp: false, maxFps: 24 };

interface StandinRecord {
  argv: string[];
  cwd: string;
  hf_token: string | null;
  helper_pid?: number;
}

let workDir: string;
let recordPath: string;
let inputPath: string;

beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'iw3-engine-test-'));
  recordPath = path.join(workDir, 'record.json');
  inputPath = path.join(workDir, 'segment.mp4');
  await writeFile(inputPath, 'not really a video, the stand-in only copies bytes');
});
afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

function engine(overrides: Partial<Iw3EngineOptions> & { behavior?: string; extraEnv?: NodeJS.ProcessEnv } = {}) {
  const { behavior = 'ok', extraEnv = {}, ...options } = overrides;
  return new Iw3Engine({
    python: 'python3',
    nunifDir: NUNIF_STANDIN,
    tuning: TUNING,
    readiness: { requireGpu: false },
    timeoutMs: 30_000,
    startupTimeoutMs: 30_000,
    env: {
      ...process.env,
      PYTHONDONTWRITEBYTECODE: '1',
      IW3_STANDIN_BEHAVIOR: behavior,
      IW3_STANDIN_RECORD: recordPath,
      ...extraEnv,
    },
    ...options,
  });
}

function conversion(overrides: Partial<EngineConversion> = {}): EngineConversion {
  return {
    inputPath,
    workDir,
    mode: 'anaglyph',
    stereo: STEREO,
    signal: new AbortController().signal,
    logger: captureLogger().logger,
    ...overrides,
  };
}

const readRecord = async (): Promise<StandinRecord> => JSON.parse(await readFile(recordPath, 'utf8')) as StandinRecord;

describe('iw3 engine start-up check', () => {
  it('is ready when the weights are there and Python imports torch and iw3 in the nunif folder', async () => {
    // Act
    const started = engine();
    await started.start();
    // Assess
    expect(started.runtime?.probe).toMatchObject({ torch: '2.7.1+stand-in', cuda: false, device: null });
    expect(started.runtime?.weights.depth_models).toContain('ZoeD_Any_N');
  });

  it('names NUNIF_DIR when the folder has no iw3', async () => {
    await expect(engine({ nunifDir: workDir }).start()).rejects.toThrow(/NUNIF_DIR=.* has no iw3 folder/);
  });

  it('names IW3_PYTHON when the executable cannot be started', async () => {
    const start = engine({ python: path.join(workDir, 'no-such-python') }).start();
    await expect(start).rejects.toBeInstanceOf(InferenceConfigError);
    await expect(start).rejects.toThrow(/cannot run .*no-such-python \(IW3_PYTHON\)/);
  });

  it("reports Python's stderr when torch or iw3 cannot be imported", async () => {
    const start = engine({ behavior: 'broken-start' }).start();
    await expect(start).rejects.toBeInstanceOf(EngineFailedError);
    await expect(start).rejects.toThrow(
      /^iw3 start-up probe failed \(exit 1\): Python cannot import torch and iw3 in NUNIF_DIR\n[\s\S]*No module named 'torch'/,
    );
  });
});

describe('iw3 engine conversion', () => {
  it.each(OUTPUT_MODES)('runs iw3 with the mapped arguments and finds its %s output', async (mode) => {
    // Act
    const result = await engine().convert(conversion({ mode }));
    // Assess
    const record = await readRecord();
    const outputDir = path.join(workDir, 'iw3-output');
    expect(record.argv).toEqual(
      buildIw3Args({
        inputPath,
        outputDir,
        sceneCacheDir: path.join(workDir, 'iw3-scene-cache'),
        mode,
        stereo: STEREO,
        tuning: TUNING,
      }).slice(2),
    );
    expect(record.cwd).toBe(NUNIF_STANDIN);
    expect(path.dirname(result.outputPath)).toBe(outputDir);
    expect(await readFile(result.outputPath, 'utf8')).toBe(await readFile(inputPath, 'utf8'));
  });

  it('hands iw3 the Hugging Face token through HF_TOKEN', async () => {
    await engine({ extraEnv: { HF_TOKEN: 'hf_test_token' } }).convert(conversion());
    expect((await readRecord()).hf_token).toBe('hf_test_token');
  });

  it('takes the only video when iw3 names it differently', async () => {
    const result = await engine({ behavior: 'other-name' }).convert(conversion());
    expect(path.basename(result.outputPath)).toBe('renamed_by_a_newer_iw3.mp4');
  });

  it("fails with the tail of iw3's stderr", async () => {
    // Act
    const error = (await engine({ behavior: 'fail' })
      .convert(conversion())
      .catch((e: unknown) => e)) as EngineFailedError;
    // Assess
    expect(error).toBeInstanceOf(EngineFailedError);
    expect(error.message).toMatch(/^iw3 failed \(exit 1\)/);
    expect(error.detail).toContain('av.error.InvalidDataError');
    expect(error.detail).toContain('segment.mp4: 100%');
    expect(error.permanent).toBe(false);
  });

  it("never takes iw3's _error_ file for a result when iw3 fails", async () => {
    // Act
    const error = await engine({ behavior: 'fail' })
      .convert(conversion({ mode: 'tb' }))
      .catch((e: unknown) => e);
    // Assess: iw3 left its partial output as _error_<name>; the conversion still failed
    expect(error).toBeInstanceOf(EngineFailedError);
    expect(existsSync(path.join(workDir, 'iw3-output', '_error_segment_TBF_fulltb.mp4'))).toBe(true);
  });

  it("fails when iw3 exits 0 leaving only its unfinished _tmp_ file", async () => {
    await expect(engine({ behavior: 'stopped' }).convert(conversion({ mode: 'half-tb' }))).rejects.toThrow(
      /iw3 exited 0 but wrote no video into .*iw3-output/,
    );
    expect(existsSync(path.join(workDir, 'iw3-output', '_tmp_segment_TB.mp4'))).toBe(true);
  });

  it("keeps iw3's scene cache entry inside the request's scratch folder, out of NUNIF_DIR", async () => {
    // Prepare: a private nunif folder (iw3 caches under <nunif>/tmp/iw3_scene_cache without NUNIF_HOME)
    const nunifDir = await copyStandin(workDir);
    // Act
    await engine({ nunifDir }).convert(conversion({ mode: 'sbs' }));
    // Assess
    expect(existsSync(path.join(nunifDir, 'tmp'))).toBe(false);
    expect(await readdir(path.join(workDir, 'iw3-scene-cache'))).toEqual([expect.stringMatching(/^[0-9a-f]{32}\.json$/)]);
  });

  it('fails readably when iw3 exits 0 without writing a video', async () => {
    await expect(engine({ behavior: 'no-output' }).convert(conversion())).rejects.toThrow(
      /iw3 exited 0 but wrote no video into .*iw3-output/,
    );
  });

  it('stops iw3 and everything it started when the timeout passes', async () => {
    // Act
    const error = await engine({ behavior: 'hang', timeoutMs: 1500 })
      .convert(conversion())
      .catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(EngineTimeoutError);
    expect((error as Error).message).toContain('did not finish within 1.5 s');
    const { helper_pid: helperPid } = await readRecord();
    expect(await processGone(helperPid!)).toBe(true);
  });

  it('stops iw3 when the request is cancelled', async () => {
    const controller = new AbortController();
    const running = engine({ behavior: 'hang' }).convert(conversion({ signal: controller.signal }));
    await waitFor(() => existsSync(recordPath));
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(AbortedError);
    expect(await processGone((await readRecord()).helper_pid!)).toBe(true);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
}

/** True once the pid no longer exists (a killed orphan is reaped by init shortly after). */
async function processGone(pid: number): Promise<boolean> {
  let gone = false;
  await waitFor(() => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      gone = true;
      return true;
    }
  });
  return gone;
}
