import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@stereo-spot/logging';
import { startMotoServer, type MotoServer } from '@stereo-spot/aws-emulator';
import type { InferenceServerConfig } from '../../src/config';
import { startInferenceServer, type StartedInferenceServer } from '../../src/start';
import { createBucket, s3Client } from './s3';

/** What the suites that run a real server stand it on: S3 on moto_server and a scratch folder. */
export interface S3TestBed {
  readonly moto: MotoServer;
  readonly s3: S3Client;
  /** A fresh folder, removed by `stop`. */
  readonly dir: string;
  stop(): Promise<void>;
}

/**
 * moto_server with `buckets` created, its credentials in process.env (the server's SDK reads them
 * there), an S3 client on it, and a scratch folder named after `label`.
 */
export async function startS3TestBed(label: string, buckets: readonly string[]): Promise<S3TestBed> {
  const moto = await startMotoServer();
  Object.assign(process.env, moto.env);
  const s3 = s3Client(moto.endpoint);
  const dir = await mkdtemp(path.join(os.tmpdir(), `${label}-`));
  for (const bucket of buckets) await createBucket(s3, bucket);
  return {
    moto,
    s3,
    dir,
    async stop() {
      s3.destroy();
      await moto.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TestServer {
  readonly started: StartedInferenceServer;
  /** `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
}

/** The server on a free loopback port, once its engine is ready. */
export async function startTestServer(config: InferenceServerConfig, logger: Logger): Promise<TestServer> {
  const started = await startInferenceServer({ ...config, port: 0, host: '127.0.0.1' }, logger);
  await started.ready;
  return { started, baseUrl: `http://127.0.0.1:${started.address.port}` };
}
