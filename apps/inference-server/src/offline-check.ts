/**
 * The image build's last step (`RUN --network=none`, docker/stereocrafter-sagemaker/Dockerfile):
 * converts a tiny generated clip through the same engine and command line the server uses, once
 * per depth model and once per method the image carries. With no network, any weight iw3 would
 * still download fails the conversion, and so the build.
 *
 * Usage: node offline-check.cjs [work folder]   (environment as for the server; INFERENCE_ENGINE=iw3)
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger, type Logger } from '@stereo-spot/logging';
import type { OutputMode } from '@stereo-spot/shared-types';
import { probeMedia, runFfmpeg } from '@stereo-spot/stereo-engine';
import { loadServerConfig, type InferenceServerConfig } from './config';
import { Iw3Engine } from './engines/iw3';
import { effectiveModels, type Iw3Tuning } from './engines/iw3-args';
import type { Iw3DepthModel, Iw3Method } from './engines/iw3-pinned';
import { InferenceConfigError } from './errors';

export interface OfflineCheckConversion {
  readonly depthModel: Iw3DepthModel;
  readonly method: Iw3Method;
  readonly mode: OutputMode;
  readonly frames: number;
}

/** One conversion per depth model (default method) and per other method (default depth model). */
export function plannedConversions(
  tuning: Iw3Tuning,
  depthModels: readonly string[],
  methods: readonly string[],
): { depthModel: Iw3DepthModel; method: Iw3Method; mode: OutputMode }[] {
  const defaults = effectiveModels(tuning);
  const plan: { depthModel: Iw3DepthModel; method: Iw3Method; mode: OutputMode }[] = [];
  for (const depthModel of depthModels) {
    plan.push({ depthModel: depthModel as Iw3DepthModel, method: defaults.method, mode: 'half-sbs' });
  }
  for (const method of methods) {
    if (method === defaults.method) continue;
    plan.push({ depthModel: defaults.depthModel, method: method as Iw3Method, mode: 'anaglyph' });
  }
  return plan;
}

/** A 1-second 320x180 clip with sound, made by ffmpeg (nothing from the network). */
async function makeClip(dir: string): Promise<string> {
  const file = path.join(dir, 'offline-check.mp4');
  await runFfmpeg([
    ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=24:duration=1'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1'],
    ...['-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-c:a', 'aac', '-shortest', '-y', file],
  ]);
  return file;
}

export async function runOfflineCheck(
  config: InferenceServerConfig,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  workRoot: string,
): Promise<OfflineCheckConversion[]> {
  if (config.engine !== 'iw3') throw new InferenceConfigError('the offline check needs INFERENCE_ENGINE=iw3');
  const dir = await mkdtemp(path.join(workRoot, 'iw3-offline-check-'));
  try {
    const clip = await makeClip(dir);
    const engineFor = (tuning: Iw3Tuning) =>
      new Iw3Engine({
        python: config.iw3.python,
        nunifDir: config.iw3.nunifDir,
        tuning,
        readiness: config.iw3.readiness,
        timeoutMs: config.iw3.timeoutSeconds * 1000,
        startupTimeoutMs: config.iw3.startupTimeoutSeconds * 1000,
        env,
      });
    // The readiness rules first, with the configured settings: the manifest says what the image has.
    const base = engineFor(config.iw3.tuning);
    await base.start();
    const manifest = base.runtime?.weights;
    if (!manifest) throw new InferenceConfigError('the iw3 engine started without reading its weights manifest');
    const done: OfflineCheckConversion[] = [];
    const plan = plannedConversions(config.iw3.tuning, manifest.depth_models, manifest.methods);
    for (const [index, step] of plan.entries()) {
      const engine = engineFor({ ...config.iw3.tuning, depthModel: step.depthModel, method: step.method });
      await engine.start();
      const workDir = path.join(dir, String(index));
      await mkdir(workDir);
      const result = await engine.convert({
        inputPath: clip,
        workDir,
        mode: step.mode,
        stereo: { divergence: 2, convergence: 0.5, anaglyph_method: 'dubois' },
        signal: new AbortController().signal,
        logger,
      });
      const probe = await probeMedia(result.outputPath);
      const frames = probe.video?.frameCount ?? 0;
      if (frames < 1) throw new InferenceConfigError(`iw3 wrote ${result.outputPath} without video frames`);
      logger.info({ ...step, frames }, `offline conversion ${index + 1}/${plan.length} ok: ${step.depthModel} + ${step.method}`);
      done.push({ ...step, frames });
    }
    return done;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const logger = createLogger({ name: 'iw3-offline-check' });
  try {
    const config = loadServerConfig(process.env);
    const done = await runOfflineCheck(config, process.env, logger, process.argv[2] ?? os.tmpdir());
    logger.info({ conversions: done.length }, `offline check passed: ${done.length} conversions with no network`);
  } catch (error) {
    const detail = (error as { detail?: string }).detail;
    logger.fatal({ err: error }, `offline check failed: ${(error as Error).message}`);
    if (detail && !(error as Error).message.includes(detail)) console.error(detail);
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
