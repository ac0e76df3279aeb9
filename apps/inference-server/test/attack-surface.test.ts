/**
 * The attacks of issue 14 on `/invocations`, reproduced over real HTTP: a loopback "secret"
 * service stands for anything the inference machine can reach (a local admin port, the cloud
 * metadata endpoint), S3 is moto_server, the engine is the real builtin one. Each test shows the
 * refusal, its readable reason, and that no byte of the secret reaches the reply or the logs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { MotoServer } from '@stereo-spot/aws-emulator';
import { inputKey, segmentKey, segmentOutputKey, finalKey, toJobId } from '@stereo-spot/shared-types';
import { loadServerConfig } from '../src/config';
import { InferenceConfigError } from '../src/errors';
import { startInferenceServer, type StartedInferenceServer } from '../src/start';
import { captureLogger } from '@stereo-spot/logging/testing';
import { makeClip } from './support/media';
import { exists, putBytes, putFile } from './support/s3';
import { startS3TestBed, startTestServer, type S3TestBed } from './support/server';

const JOB = toJobId('5d0c2b9e-8f1a-4e3b-9c7d-2a6b4f8e1d30');
const INPUT_BUCKET = 'attack-input';
const OUTPUT_BUCKET = 'attack-output';
const OTHER_BUCKET = 'attack-other';
const SEGMENT = segmentKey({ jobId: JOB, segmentIndex: 0, totalSegments: 1, mode: 'anaglyph' });
const SHARED_SECRET = 'attack-test-shared-secret-0123456789abcdef';
/** What the loopback service guards; it must never come back. */
const LOOPBACK_SECRET = 'loopback-admin-token-7f3a9c1e5b';
const MAX_INPUT_BYTES = 64 * 1024;

/** A loopback HTTP service that records what reaches it; routes are the attacks' stand-ins. */
interface Recorder {
  readonly server: Server;
  readonly host: string;
  readonly requests: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
  /** Requests to `/hold` wait here until released. */
  readonly held: ServerResponse[];
  /** Where `/redirect` points. */
  setRedirectTarget(origin: string): void;
}

async function startRecorder(): Promise<Recorder> {
  const requests: Recorder['requests'] = [];
  const held: ServerResponse[] = [];
  let target = '';
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    const route = (req.url ?? '').split('?')[0];
    if (route === '/secret' || route === '/put-secret') {
      res.writeHead(route === '/secret' ? 400 : 403, { 'content-type': 'text/plain' });
      return res.end(`denied; by the way the token is ${LOOPBACK_SECRET}`);
    }
    if (route === '/big-announced' || route === '/big-chunked') {
      const body = Buffer.alloc(MAX_INPUT_BYTES * 4, 0x41);
      res.writeHead(200, route === '/big-announced' ? { 'content-length': body.length } : {});
      return res.end(body);
    }
    if (route === '/redirect') {
      res.writeHead(302, { location: `${target}/secret` });
      return res.end();
    }
    if (route === '/hang') return; // never answers
    if (route === '/hold') return void held.push(res);
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, host: `127.0.0.1:${port}`, requests, held, setRedirectTarget: (origin) => (target = origin) };
}

let bed: S3TestBed;
let moto: MotoServer;
let s3: S3Client;
let dir: string;
let workRoot: string;
/** Allowlisted in INFERENCE_ALLOWED_URL_HOSTS. */
let allowed: Recorder;
/** Reachable from the server, but not allowlisted. */
let forbidden: Recorder;
let started: StartedInferenceServer;
let baseUrl: string;
const logs = captureLogger();

beforeAll(async () => {
  bed = await startS3TestBed('inference-attack-test', [INPUT_BUCKET, OUTPUT_BUCKET, OTHER_BUCKET]);
  ({ moto, s3, dir } = bed);
  workRoot = await mkdtemp(path.join(os.tmpdir(), 'inference-attack-work-'));
  await putFile(s3, INPUT_BUCKET, SEGMENT, makeClip(dir));
  await putBytes(s3, INPUT_BUCKET, inputKey(JOB), 'another job upload');
  await putBytes(s3, OTHER_BUCKET, SEGMENT, 'in a bucket this server does not serve');
  allowed = await startRecorder();
  forbidden = await startRecorder();
  allowed.setRedirectTarget(`http://${forbidden.host}`);

  ({ started, baseUrl } = await startTestServer(serverConfig(), logs.logger));
}, 60_000);

function serverConfig(overrides: Record<string, string> = {}) {
  return loadServerConfig({
    ...moto.env,
    INFERENCE_ENGINE: 'builtin',
    BUILTIN_ENGINE_THREADS: '0',
    INFERENCE_WORK_DIR: workRoot,
    INFERENCE_CONCURRENCY: '1',
    INFERENCE_MAX_WAITING: '4',
    INFERENCE_SHARED_SECRET: SHARED_SECRET,
    INFERENCE_ALLOWED_URL_HOSTS: allowed.host,
    INFERENCE_MAX_INPUT_BYTES: String(MAX_INPUT_BYTES),
    INFERENCE_TRANSFER_TIMEOUT_SECONDS: '1',
    INPUT_BUCKET_NAME: INPUT_BUCKET,
    OUTPUT_BUCKET_NAME: OUTPUT_BUCKET,
    ...overrides,
  });
}

afterAll(async () => {
  await started?.server.close();
  for (const recorder of [allowed, forbidden]) {
    recorder?.server.closeAllConnections();
    await new Promise((resolve) => recorder?.server.close(resolve));
  }
  await bed?.stop();
  await rm(workRoot, { recursive: true, force: true });
});

async function invoke(
  body: unknown,
  authorization: string | null = `Bearer ${SHARED_SECRET}`,
  server = baseUrl,
): Promise<{ status: number; text: string; error: { code: string; message: string } }> {
  const response = await fetch(`${server}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization !== null ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, error: (JSON.parse(text) as { error: { code: string; message: string } }).error };
}

const s3Uri = (bucket: string, key: string) => `s3://${bucket}/${key}`;
const outputUri = (index: number) => s3Uri(OUTPUT_BUCKET, segmentOutputKey(JOB, index));
const logText = () => JSON.stringify(logs.lines);

describe('start-up', () => {
  it('listens on loopback by default', () => {
    expect(loadServerConfig({}).host).toBe('127.0.0.1');
  });

  it('refuses to listen beyond loopback without a shared secret, naming both ways out', () => {
    // Act
    const refusal = (() => {
      try {
        loadServerConfig({ HOST: '0.0.0.0' });
      } catch (error) {
        return error;
      }
    })();
    // Assess
    expect(refusal).toBeInstanceOf(InferenceConfigError);
    expect((refusal as Error).message).toMatch(/HOST=0\.0\.0\.0 listens beyond loopback/);
    expect((refusal as Error).message).toMatch(/INFERENCE_SHARED_SECRET/);
    expect((refusal as Error).message).toMatch(/INFERENCE_AUTH=sagemaker/);
  });

  it('listens beyond loopback with a shared secret, or where SageMaker authenticates', () => {
    expect(loadServerConfig({ HOST: '0.0.0.0', INFERENCE_SHARED_SECRET: SHARED_SECRET }).security.sharedSecret).toBe(
      SHARED_SECRET,
    );
    expect(loadServerConfig({ HOST: '0.0.0.0', INFERENCE_AUTH: 'sagemaker' }).security.auth).toBe('sagemaker');
  });

  it('names a short secret without showing it', () => {
    const message = (() => {
      try {
        loadServerConfig({ HOST: '0.0.0.0', INFERENCE_SHARED_SECRET: 'short-secret-x' });
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toMatch(/INFERENCE_SHARED_SECRET must be at least 32 characters/);
    expect(message).not.toContain('short-secret-x');
  });

  it('refuses to start a server whose configuration was changed to an open address', async () => {
    const config = loadServerConfig({});
    await expect(
      startInferenceServer({ ...config, host: '0.0.0.0', port: 0 }, captureLogger().logger),
    ).rejects.toThrow(/refusing to start: HOST=0\.0\.0\.0 listens beyond loopback/);
  });
});

describe('authentication', () => {
  it.each([
    ['no Authorization header', null],
    ['another secret', `Bearer ${SHARED_SECRET}x`],
    ['the secret without the Bearer scheme', SHARED_SECRET],
  ])('answers 401 to a request with %s, before touching its input', async (_label, authorization) => {
    // Prepare
    const before = allowed.requests.length;
    // Act
    const { status, error } = await invoke(
      { input_url: `http://${allowed.host}/hang`, s3_output_uri: outputUri(0) },
      authorization,
    );
    // Assess
    expect(status).toBe(401);
    expect(error.code).toBe('UNAUTHORIZED');
    expect(allowed.requests.length).toBe(before);
    expect(logText()).not.toContain(SHARED_SECRET);
  });
});

describe('input_url and output_url', () => {
  it('refuses a host that is not allowlisted, without connecting to it', async () => {
    // Act
    const input = await invoke({ input_url: `http://${forbidden.host}/secret`, s3_output_uri: outputUri(0) });
    const output = await invoke({ s3_input_uri: s3Uri(INPUT_BUCKET, SEGMENT), output_url: `http://${forbidden.host}/put` });
    const metadata = await invoke({ input_url: 'http://169.254.169.254/latest/meta-data/', s3_output_uri: outputUri(0) });
    // Assess
    expect([input.status, output.status, metadata.status]).toEqual([400, 400, 400]);
    expect(input.error.message).toBe(`input_url: host ${forbidden.host} is not in INFERENCE_ALLOWED_URL_HOSTS`);
    expect(output.error.message).toBe(`output_url: host ${forbidden.host} is not in INFERENCE_ALLOWED_URL_HOSTS`);
    expect(metadata.error.message).toBe('input_url: host 169.254.169.254 is not in INFERENCE_ALLOWED_URL_HOSTS');
    expect(forbidden.requests).toEqual([]);
  });

  it('never echoes the body of a remote error: the status only', async () => {
    // Act
    const { status, text, error } = await invoke({ input_url: `http://${allowed.host}/secret`, s3_output_uri: outputUri(0) });
    // Assess
    expect(status).toBe(400);
    expect(error).toEqual({ code: 'INPUT_UNAVAILABLE', message: `input http://${allowed.host}/secret answered HTTP 400` });
    expect(text).not.toContain(LOOPBACK_SECRET);
    expect(logText()).not.toContain(LOOPBACK_SECRET);
  });

  it('does not follow a redirect off the allowlist', async () => {
    // Act
    const { status, text, error } = await invoke({ input_url: `http://${allowed.host}/redirect`, s3_output_uri: outputUri(0) });
    // Assess
    expect(status).toBe(400);
    expect(error.message).toBe(`input http://${allowed.host}/redirect answered HTTP 302 (a redirect, not followed)`);
    expect(forbidden.requests).toEqual([]);
    expect(text).not.toContain(LOOPBACK_SECRET);
  });

  it.each(['big-announced', 'big-chunked'])(
    'refuses an input over INFERENCE_MAX_INPUT_BYTES (%s) and keeps none of it',
    async (route) => {
      // Act
      const { status, error } = await invoke({ input_url: `http://${allowed.host}/${route}`, s3_output_uri: outputUri(0) });
      // Assess
      expect(status).toBe(413);
      expect(error).toEqual({
        code: 'INPUT_TOO_LARGE',
        message: `input http://${allowed.host}/${route} is larger than the limit of ${MAX_INPUT_BYTES} bytes`,
      });
      expect(await readdir(workRoot)).toEqual([]);
    },
  );

  it('gives up on an input that never arrives after INFERENCE_TRANSFER_TIMEOUT_SECONDS', async () => {
    // Act
    const { status, error } = await invoke({ input_url: `http://${allowed.host}/hang`, s3_output_uri: outputUri(0) });
    // Assess
    expect(status).toBe(502);
    expect(error).toEqual({ code: 'INPUT_UNAVAILABLE', message: `input http://${allowed.host}/hang did not arrive within 1 s` });
  });

  it.each([
    [{ authorization: 'AWS4-HMAC-SHA256 forged' }, 'output_headers: "authorization" is not accepted (only Content-Type)'],
    [{ 'x-amz-acl': 'public-read' }, 'output_headers: "x-amz-acl" is not accepted (only Content-Type)'],
    [{ 'Content-Type': 'text/html' }, 'output_headers: Content-Type must be one of video/mp4'],
  ])('refuses caller-chosen output headers %j', async (headers, message) => {
    // Prepare
    const before = allowed.requests.length;
    // Act
    const { status, error } = await invoke({
      s3_input_uri: s3Uri(INPUT_BUCKET, SEGMENT),
      output_url: `http://${allowed.host}/put`,
      output_headers: headers,
    });
    // Assess
    expect(status).toBe(400);
    expect(error).toEqual({ code: 'INVALID_REQUEST', message });
    expect(allowed.requests.length).toBe(before);
  });

  it('never echoes the body of a refused upload either, and sends only the fixed headers', async () => {
    // Act: a real conversion whose result goes to an allowlisted host that refuses it
    const { status, text, error } = await invoke({
      s3_input_uri: s3Uri(INPUT_BUCKET, SEGMENT),
      output_url: `http://${allowed.host}/put-secret`,
      output_headers: { 'Content-Type': 'video/mp4' },
    });
    // Assess
    expect(status).toBe(502);
    expect(error).toEqual({ code: 'OUTPUT_FAILED', message: `output http://${allowed.host}/put-secret answered HTTP 403` });
    expect(text).not.toContain(LOOPBACK_SECRET);
    expect(logText()).not.toContain(LOOPBACK_SECRET);
    const put = allowed.requests.find((request) => request.url === '/put-secret');
    expect(put?.method).toBe('PUT');
    expect(put?.headers['content-type']).toBe('video/mp4');
    expect(put?.headers.authorization).toBeUndefined();
  }, 60_000);
});

describe('s3 URIs', () => {
  it.each([
    ['another bucket', { s3_input_uri: s3Uri(OTHER_BUCKET, SEGMENT), s3_output_uri: outputUri(0) }, `s3_input_uri: bucket ${OTHER_BUCKET} is not this server's INPUT_BUCKET_NAME`],
    ['an upload instead of a segment', { s3_input_uri: s3Uri(INPUT_BUCKET, inputKey(JOB)), s3_output_uri: outputUri(0) }, /^s3_input_uri: invalid object key "input\/.+": /],
    ['a final as the output', { s3_input_uri: s3Uri(INPUT_BUCKET, SEGMENT), s3_output_uri: s3Uri(OUTPUT_BUCKET, finalKey(JOB)) }, /^s3_output_uri: invalid object key "jobs\/.+\/final\.mp4": /],
    ['the output in the input bucket', { s3_input_uri: s3Uri(INPUT_BUCKET, SEGMENT), s3_output_uri: s3Uri(INPUT_BUCKET, segmentOutputKey(JOB, 0)) }, `s3_output_uri: bucket ${INPUT_BUCKET} is not this server's OUTPUT_BUCKET_NAME`],
  ])('refuses %s', async (_label, body, message) => {
    // Act
    const { status, error } = await invoke(body);
    // Assess
    expect(status).toBe(400);
    expect(error.code).toBe('INVALID_REQUEST');
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
    expect(await exists(s3, OUTPUT_BUCKET, finalKey(JOB))).toBe(false);
  });
});

describe('the concurrency limit', () => {
  it('covers the download: a waiting request fetches nothing until a slot is free', async () => {
    // Prepare: a server with one slot and no short transfer timeout; the first request holds
    // the slot while its input is "downloading"
    const queued = await startInferenceServer({ ...serverConfig({ INFERENCE_TRANSFER_TIMEOUT_SECONDS: '600' }), port: 0 }, logs.logger);
    await queued.ready;
    const url = `http://127.0.0.1:${queued.address.port}`;
    try {
      const first = invoke({ input_url: `http://${allowed.host}/hold?first`, s3_output_uri: outputUri(1) }, `Bearer ${SHARED_SECRET}`, url);
      await until(() => allowed.held.length === 1);

      // Act: a second request arrives and waits
      const second = invoke({ input_url: `http://${allowed.host}/hold?second`, s3_output_uri: outputUri(2) }, `Bearer ${SHARED_SECRET}`, url);
      await until(async () => ((await (await fetch(`${url}/ping`)).json()) as { queue: { waiting: number } }).queue.waiting === 1);

      // Assess: only the first input was requested; the second is fetched once the slot is free
      expect(allowed.requests.filter((request) => request.url.startsWith('/hold')).map((r) => r.url)).toEqual(['/hold?first']);
      allowed.held.shift()!.writeHead(503).end();
      expect((await first).status).toBe(502);
      await until(() => allowed.held.length === 1);
      expect(allowed.requests.at(-1)?.url).toBe('/hold?second');
      allowed.held.shift()!.writeHead(404).end();
      expect((await second).status).toBe(404);
    } finally {
      await queued.server.close();
    }
  });
});

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}
