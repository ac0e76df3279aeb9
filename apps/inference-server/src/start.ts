/**
 * Composition: configuration → transfer, media checks, engine → listening server. The server
 * listens at once (so `/ping` answers 503 while iw3 loads) and turns ready when the engine is.
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from '@stereo-spot/logging';
import { unsafeBindProblem, type InferenceServerConfig } from './config';
import { InferenceConfigError } from './errors';
import type { ConversionEngine } from './engines/engine';
import { Iw3Engine } from './engines/iw3';
import { effectiveModels } from './engines/iw3-args';
import { readHfToken } from './hf-token';
import { FfprobeMediaInspector } from './media';
import { InferenceServer } from './server';
import { Transfer, createS3Client } from './transfer';

export interface StartedInferenceServer {
  readonly server: InferenceServer;
  readonly address: AddressInfo;
  /** Resolves when the engine is ready; rejects with the reason it never will be. */
  readonly ready: Promise<void>;
}

export async function startInferenceServer(
  config: InferenceServerConfig,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StartedInferenceServer> {
  const { security } = config;
  const bindProblem = unsafeBindProblem(config.host, security);
  if (bindProblem) throw new InferenceConfigError(`refusing to start: ${bindProblem}`);
  const server = new InferenceServer({
    logger,
    transfer: new Transfer(createS3Client(config.aws), {
      maxInputBytes: security.maxInputBytes,
      timeoutMs: security.transferTimeoutSeconds * 1000,
    }),
    media: new FfprobeMediaInspector(),
    workRoot: config.workRoot,
    concurrency: config.concurrency,
    maxWaiting: config.maxWaiting,
    ...(security.sharedSecret !== undefined ? { sharedSecret: security.sharedSecret } : {}),
    accessPolicy: {
      allowedUrlHosts: security.allowedUrlHosts,
      ...(security.inputBucket !== undefined ? { inputBucket: security.inputBucket } : {}),
      ...(security.outputBucket !== undefined ? { outputBucket: security.outputBucket } : {}),
    },
  });
  const address = await server.listen(config.port, config.host);
  logger.info(
    { host: config.host, port: address.port, engine: config.engine, auth: security.sharedSecret ? 'shared-secret' : security.auth },
    `inference server listening on ${config.host}:${address.port}`,
  );

  const ready = (async () => {
    let engine: ConversionEngine;
    try {
      engine = await createEngine(config, env, logger);
    } catch (error) {
      server.markFailed(error);
      throw error;
    }
    await server.startEngine(engine);
    if (engine instanceof Iw3Engine && engine.runtime) {
      const { probe, weights } = engine.runtime;
      logger.info(
        { torch: probe.torch, cuda: probe.cuda, device: probe.device, nunif: weights.nunif_commit, ...effectiveModels(config.iw3.tuning) },
        `iw3 runs on ${probe.device ?? 'the CPU'} with torch ${probe.torch}`,
      );
    }
  })();
  ready.catch(() => undefined);
  return { server, address, ready };
}

async function createEngine(config: InferenceServerConfig, env: NodeJS.ProcessEnv, logger: Logger): Promise<ConversionEngine> {
  if (config.engine === 'builtin') {
    // Loaded only when chosen: the iw3 image never needs the CPU engine's worker threads.
    const { BuiltinEngine } = await import('./engines/builtin');
    return new BuiltinEngine(config.builtinThreads !== undefined ? { threads: config.builtinThreads } : {});
  }
  const engineEnv: NodeJS.ProcessEnv = { ...env };
  if (config.hfTokenArn) {
    const token = await readHfToken(config.hfTokenArn, config.aws);
    if (token === undefined) {
      logger.warn(
        { secret: config.hfTokenArn },
        'the Hugging Face secret holds no token yet: starting without one (gated models fail until `stereo-spot ops hf-token rotate` stores it)',
      );
    } else {
      engineEnv.HF_TOKEN = token;
      logger.info({ secret: config.hfTokenArn }, 'Hugging Face token read from Secrets Manager');
    }
  }
  return new Iw3Engine({
    python: config.iw3.python,
    nunifDir: config.iw3.nunifDir,
    tuning: config.iw3.tuning,
    readiness: config.iw3.readiness,
    timeoutMs: config.iw3.timeoutSeconds * 1000,
    startupTimeoutMs: config.iw3.startupTimeoutSeconds * 1000,
    env: engineEnv,
  });
}
