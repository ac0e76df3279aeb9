/**
 * The server with the iw3 engine (stand-in nunif) and the optional Hugging Face token from
 * Secrets Manager, on moto_server: the token is read once at start-up and handed to iw3.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { S3Client } from '@aws-sdk/client-s3';
import { loadServerConfig } from '../src/config';
import { parseHfTokenSecret } from '../src/hf-token';
import { startInferenceServer, type StartedInferenceServer } from '../src/start';
import { captureLogger } from '@stereo-spot/logging/testing';
import { makeClip } from './support/media';
import { startMotoServer, type MotoServer } from '@stereo-spot/aws-emulator';
import { createBucket, exists, putFile, s3Client } from './support/s3';
import { NUNIF_STANDIN } from './support/standin';
import { segmentKey, segmentOutputKey, toJobId } from '@stereo-spot/shared-types';

const JOB = toJobId('7a1e3c5b-2d4f-4a6b-8c9d-0e1f2a3b4c5d');
const SEGMENT = segmentKey({ jobId: JOB, segmentIndex: 0, totalSegments: 1, mode: 'tb' });
const OUTPUT = segmentOutputKey(JOB, 0);

let moto: MotoServer;
let s3: S3Client;
let dir: string;
const servers: StartedInferenceServer[] = [];

beforeAll(async () => {
  moto = await startMotoServer();
  Object.assign(process.env, moto.env, { PYTHONDONTWRITEBYTECODE: '1' });
  s3 = s3Client(moto.endpoint);
  dir = await mkdtemp(path.join(os.tmpdir(), 'iw3-server-test-'));
  await createBucket(s3, 'iw3-in');
  await createBucket(s3, 'iw3-out');
  await putFile(s3, 'iw3-in', SEGMENT, makeClip(dir));
}, 60_000);

afterAll(async () => {
  for (const started of servers) await started.server.close();
  await moto?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string>, engineEnv: Record<string, string> = {}): Promise<StartedInferenceServer> {
  const config = loadServerConfig({
    INFERENCE_ENGINE: 'iw3',
    NUNIF_DIR: NUNIF_STANDIN,
    IW3_PYTHON: 'python3',
    INFERENCE_WORK_DIR: dir,
    INPUT_BUCKET_NAME: 'iw3-in',
    OUTPUT_BUCKET_NAME: 'iw3-out',
    ...env,
  });
  const started = await startInferenceServer({ ...config, port: 0, host: '127.0.0.1' }, captureLogger().logger, {
    ...process.env,
    IW3_STANDIN_RECORD: path.join(dir, 'record.json'),
    ...engineEnv,
  });
  servers.push(started);
  return started;
}

it('reads the token at start-up and hands it to iw3 as HF_TOKEN', async () => {
  // Prepare
  const secret = await new SecretsManagerClient({ region: 'us-east-1', endpoint: moto.endpoint }).send(
    new CreateSecretCommand({ Name: 'stereo-spot/hf-token', SecretString: JSON.stringify({ token: 'hf_secret_value' }) }),
  );
  const started = await start({ ...moto.env, HF_TOKEN_ARN: secret.ARN!, IW3_LOW_VRAM: '1' });
  await started.ready;
  // Act
  const response = await fetch(`http://127.0.0.1:${started.address.port}/invocations`, {
    method: 'POST',
    body: JSON.stringify({ s3_input_uri: `s3://iw3-in/${SEGMENT}`, s3_output_uri: `s3://iw3-out/${OUTPUT}`, mode: 'tb' }),
  });
  // Assess
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ engine: 'iw3', frames: 5, output: `s3://iw3-out/${OUTPUT}` });
  const record = JSON.parse(await readFile(path.join(dir, 'record.json'), 'utf8')) as { argv: string[]; hf_token: string };
  expect(record.hf_token).toBe('hf_secret_value');
  expect(record.argv).toEqual(
    expect.arrayContaining(['--tb', '--low-vram', '--scene-detect', '--disable-scene-cache', '--scene-cache-dir', '--ema-normalize']),
  );
  expect(await exists(s3, 'iw3-out', OUTPUT)).toBe(true);
});

it('starts without a token while the secret holds no value yet (as the stack creates it)', async () => {
  // Prepare: a secret without any value.
  const secret = await new SecretsManagerClient({ region: 'us-east-1', endpoint: moto.endpoint }).send(
    new CreateSecretCommand({ Name: 'stereo-spot/hf-token-empty' }),
  );

  // Act
  const started = await start({ ...moto.env, HF_TOKEN_ARN: secret.ARN! });

  // Assess: ready (SageMaker's /ping answers 200), so the endpoint can be created.
  await expect(started.ready).resolves.toBeUndefined();
  const ping = await fetch(`http://127.0.0.1:${started.address.port}/ping`);
  expect(ping.status).toBe(200);
});

it('never calls Secrets Manager without HF_TOKEN_ARN', async () => {
  // An endpoint where nothing listens: any AWS call at start-up would fail the start.
  const started = await start({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1' });
  await expect(started.ready).resolves.toBeUndefined();
  const ping = await fetch(`http://127.0.0.1:${started.address.port}/ping`);
  expect(ping.status).toBe(200);
});

it('stays unready with the reason when the secret cannot be read', async () => {
  const started = await start({
    ...moto.env,
    HF_TOKEN_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf',
  });
  await expect(started.ready).rejects.toThrow(/^cannot read HF_TOKEN_ARN=arn:aws:secretsmanager:.*missing-AbCdEf: /);
  const ping = await fetch(`http://127.0.0.1:${started.address.port}/ping`);
  expect(ping.status).toBe(503);
  expect(await ping.json()).toMatchObject({ status: 'failed' });
});

describe('readiness with IW3_REQUIRE_GPU=1 (as in the image)', () => {
  it('keeps /ping at 503 with the reason when torch sees no CUDA device', async () => {
    // Act
    const started = await start({ IW3_REQUIRE_GPU: '1' }, { IW3_STANDIN_CUDA: '0' });
    // Assess
    await expect(started.ready).rejects.toThrow(/IW3_REQUIRE_GPU=1 but torch .* sees no CUDA device/);
    const ping = await fetch(`http://127.0.0.1:${started.address.port}/ping`);
    expect(ping.status).toBe(503);
    expect(await ping.json()).toMatchObject({ status: 'failed', reason: expect.stringContaining('set IW3_REQUIRE_GPU=0') });
  });

  it('answers /ping 200 once torch sees a CUDA device and the weights are there', async () => {
    const started = await start({ IW3_REQUIRE_GPU: '1' }, { IW3_STANDIN_CUDA: '1' });
    await started.ready;
    const ping = await fetch(`http://127.0.0.1:${started.address.port}/ping`);
    expect(ping.status).toBe(200);
  });

  it('keeps /ping at 503 when the configured depth model has no weights in the image', async () => {
    const started = await start({ IW3_REQUIRE_GPU: '1', IW3_DEPTH_MODEL: 'DepthPro' }, { IW3_STANDIN_CUDA: '1' });
    await expect(started.ready).rejects.toThrow('depth model DepthPro (IW3_DEPTH_MODEL) has no weights in the image');
    expect((await fetch(`http://127.0.0.1:${started.address.port}/ping`)).status).toBe(503);
  });
});

describe('the secret value', () => {
  it('must be {"token": "..."}; errors never show the value', () => {
    expect(parseHfTokenSecret('{"token":"hf_x"}', 'arn')).toBe('hf_x');
    expect(() => parseHfTokenSecret('hf_plain_token', 'arn')).toThrow('secret arn is not JSON: expected {"token": "..."}');
    expect(() => parseHfTokenSecret('{"value":"hf_y"}', 'arn')).toThrow('secret arn must be {"token": "<non-empty string>"}');
    expect(() => parseHfTokenSecret('{"value":"hf_y"}', 'arn')).not.toThrow(/hf_y/);
  });
});
