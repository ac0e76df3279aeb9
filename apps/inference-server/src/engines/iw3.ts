/**
 * The production engine: iw3 (nagadomi/nunif) on a GPU, run as `python -m iw3.cli` from the
 * nunif checkout. One process per segment; its stderr tail explains failures.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { AbortedError, EngineFailedError, EngineTimeoutError, InferenceConfigError } from '../errors';
import type { EngineConversion, EngineResult, ConversionEngine } from './engine';
import { buildIw3Args, iw3OutputFileName, type Iw3Tuning } from './iw3-args';
import { IW3_PARTIAL_FILE_PREFIXES } from './iw3-pinned';
import {
  checkProbe,
  checkWeights,
  IW3_PROBE_SCRIPT,
  parseProbe,
  WEIGHTS_MANIFEST_FILE,
  type Iw3Probe,
  type Iw3ReadinessSettings,
  type WeightsManifest,
} from './iw3-readiness';
import { runProcess, type ProcessOutcome } from './process';

export interface Iw3EngineOptions {
  /** The Python that has nunif's requirements (IW3_PYTHON). */
  readonly python: string;
  /** The nunif checkout; `python -m iw3.cli` runs from here (NUNIF_DIR). */
  readonly nunifDir: string;
  readonly tuning: Iw3Tuning;
  /** IW3_REQUIRE_GPU and where the image build recorded the weights. */
  readonly readiness: Iw3ReadinessSettings;
  /** Per conversion (IW3_TIMEOUT_SECONDS). */
  readonly timeoutMs: number;
  /** For the start-up probe (it imports torch and iw3, which takes a while on a cold disk). */
  readonly startupTimeoutMs: number;
  /** The environment iw3 runs with (HF_TOKEN is added here when configured). */
  readonly env: NodeJS.ProcessEnv;
  readonly stderrTailLines?: number;
}

const VIDEO_EXTENSIONS = new Set(['.mp4', '.mkv', '.avi']);

export class Iw3Engine implements ConversionEngine {
  readonly name = 'iw3' as const;

  constructor(private readonly options: Iw3EngineOptions) {}

  /** What the start-up found (for the ready log line); set once `start` resolved. */
  runtime?: { readonly probe: Iw3Probe; readonly weights: WeightsManifest };

  /**
   * Ready only when a conversion can run here and now without the network: the weights the
   * settings need are on disk, the installed iw3 offers the configured depth model and method,
   * and (IW3_REQUIRE_GPU) torch sees a CUDA device.
   */
  async start(): Promise<void> {
    const { nunifDir, readiness, tuning } = this.options;
    if (!existsSync(path.join(nunifDir, 'iw3'))) {
      throw new InferenceConfigError(`NUNIF_DIR=${nunifDir} has no iw3 folder: point NUNIF_DIR at the nunif checkout`);
    }
    const weights = await checkWeights(
      readiness.weightsManifest ?? path.join(nunifDir, WEIGHTS_MANIFEST_FILE),
      nunifDir,
      tuning,
    );
    const outcome = await this.run(['-c', IW3_PROBE_SCRIPT], this.options.startupTimeoutMs, undefined, true);
    if (outcome.spawnError) {
      throw new InferenceConfigError(`cannot run ${this.options.python} (IW3_PYTHON): ${outcome.spawnError.message}`);
    }
    if (outcome.timedOut) throw new EngineTimeoutError(this.options.startupTimeoutMs / 1000, outcome.stderrTail);
    if (outcome.exitCode !== 0) {
      throw new EngineFailedError(
        `iw3 start-up probe failed (exit ${describeExit(outcome)}): Python cannot import torch and iw3 in NUNIF_DIR`,
        outcome.stderrTail,
      );
    }
    const probe = parseProbe(outcome.stdout);
    checkProbe(probe, tuning, readiness.requireGpu);
    this.runtime = { probe, weights };
  }

  async convert(conversion: EngineConversion): Promise<EngineResult> {
    const outputDir = path.join(conversion.workDir, 'iw3-output');
    await mkdir(outputDir, { recursive: true });
    const args = buildIw3Args({
      inputPath: conversion.inputPath,
      outputDir,
      sceneCacheDir: path.join(conversion.workDir, 'iw3-scene-cache'),
      mode: conversion.mode,
      stereo: conversion.stereo,
      tuning: this.options.tuning,
    });
    conversion.logger.info({ args }, 'running iw3');
    const outcome = await this.run(args, this.options.timeoutMs, conversion.signal);

    if (outcome.aborted) throw new AbortedError('the conversion was cancelled and iw3 was stopped');
    if (outcome.timedOut) throw new EngineTimeoutError(this.options.timeoutMs / 1000, outcome.stderrTail);
    if (outcome.spawnError) {
      throw new EngineFailedError(`cannot run ${this.options.python}: ${outcome.spawnError.message}`);
    }
    if (outcome.exitCode !== 0) {
      throw new EngineFailedError(`iw3 failed (exit ${describeExit(outcome)})`, outcome.stderrTail);
    }

    const expected = iw3OutputFileName(conversion.inputPath, conversion.mode, conversion.stereo.anaglyph_method);
    const outputPath = await findOutput(outputDir, expected);
    if (!outputPath) {
      throw new EngineFailedError(`iw3 exited 0 but wrote no video into ${outputDir}`, outcome.stderrTail);
    }
    if (path.basename(outputPath) !== expected) {
      conversion.logger.warn({ expected, found: path.basename(outputPath) }, 'iw3 named its output unexpectedly');
    }
    return { outputPath };
  }

  private run(args: readonly string[], timeoutMs: number, signal?: AbortSignal, captureStdout = false): Promise<ProcessOutcome> {
    return runProcess({
      command: this.options.python,
      args,
      cwd: this.options.nunifDir,
      env: this.options.env,
      timeoutMs,
      captureStdout,
      ...(signal ? { signal } : {}),
      ...(this.options.stderrTailLines !== undefined ? { tailLines: this.options.stderrTailLines } : {}),
    });
  }
}

function describeExit(outcome: ProcessOutcome): string {
  return outcome.exitSignal ? `signal ${outcome.exitSignal}` : String(outcome.exitCode);
}

/**
 * iw3 picks the file name itself. Take the name it is expected to use; otherwise the only (or
 * newest) non-empty video file in the folder, so a renamed suffix in a newer iw3 still works.
 * iw3's unfinished (`_tmp_`) and failed (`_error_`) files are never taken.
 */
export async function findOutput(outputDir: string, expectedName: string): Promise<string | undefined> {
  const entries = await readdir(outputDir, { withFileTypes: true });
  const candidates: { file: string; mtimeMs: number }[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !VIDEO_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) continue;
    if (IW3_PARTIAL_FILE_PREFIXES.some((prefix) => entry.name.startsWith(prefix))) continue;
    const file = path.join(outputDir, entry.name);
    const info = await stat(file);
    if (info.size === 0) continue;
    if (entry.name === expectedName) return file;
    candidates.push({ file, mtimeMs: info.mtimeMs });
  }
  candidates.sort((a, b) => b.mtimeMs - a.mtimeMs);
  return candidates[0]?.file;
}
