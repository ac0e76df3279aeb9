/**
 * The process entry point (`serve` in the SageMaker image, `node --import tsx` locally). Exits
 * non-zero when the engine cannot start, so a broken image fails its deployment quickly and
 * the reason is the last line in the logs.
 */
import { createLogger } from '@stereo-spot/logging';
import { loadServerConfig } from './config';
import { startInferenceServer } from './start';

async function main(): Promise<void> {
  const logger = createLogger({ name: 'inference-server' });
  let config;
  try {
    config = loadServerConfig(process.env);
  } catch (error) {
    logger.fatal({ err: error }, (error as Error).message);
    process.exitCode = 1;
    return;
  }
  const started = await startInferenceServer(config, logger);
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    void started.server.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  try {
    await started.ready;
  } catch (error) {
    logger.fatal({ err: error }, `engine ${config.engine} cannot start: ${(error as Error).message}`);
    await started.server.close();
    process.exit(1);
  }
}

void main();
