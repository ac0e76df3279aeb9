/**
 * The `http` backend's side of the protocol over real HTTP: a loopback server stands for the
 * inference server and answers what each test gives it; the storages are the embedded platform's,
 * so the presigned URLs are real ones. The backend against the real inference server is
 * apps/inference-server/test/http-client.test.ts (a package may not import an app).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalPlatform, type LocalPlatform } from '@stereo-spot/local-adapters';
import {
  isPermanentError,
  type SegmentConversionRequest,
  type SegmentConversionResult,
} from '@stereo-spot/pipeline';
import {
  DEFAULT_STEREO_PARAMS,
  InvocationRequestSchema,
  segmentKey,
  segmentOutputKey,
  type SegmentRef,
} from '@stereo-spot/shared-types';
import { makeTempDir, newJobId, type TempDir } from '@stereo-spot/testing';
import { createHttpInference } from '../src/http/http-inference';

interface Received {
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

/** A loopback HTTP server that records each request and sends the next answer. */
async function startAnsweringServer(answer: { status: number; body: string }): Promise<{
  server: Server;
  baseUrl: string;
  received: Received[];
}> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
      });
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, baseUrl: `http://127.0.0.1:${port}/`, received };
}

let home: TempDir;
let platform: LocalPlatform;
const servers: Server[] = [];

beforeEach(async () => {
  home = await makeTempDir('http-inference');
  platform = createLocalPlatform({ home: home.path, publicBaseUrl: 'http://127.0.0.1:1' });
});
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  await platform.close();
  await home.remove();
});

async function convertWith(answer: { status: number; body: string }, sharedSecret?: string) {
  const started = await startAnsweringServer(answer);
  servers.push(started.server);
  const ref: SegmentRef = { jobId: newJobId(), segmentIndex: 2, totalSegments: 3, mode: 'half-sbs' };
  const request: SegmentConversionRequest = {
    jobId: ref.jobId,
    segmentIndex: 2,
    inputKey: segmentKey(ref),
    outputKey: segmentOutputKey(ref.jobId, 2),
    mode: 'half-sbs',
    stereo: DEFAULT_STEREO_PARAMS,
  };
  const inference = createHttpInference({
    baseUrl: started.baseUrl,
    inputStorage: platform.inputStorage,
    outputStorage: platform.outputStorage,
    ...(sharedSecret !== undefined ? { sharedSecret } : {}),
  });
  const outcome: { result?: SegmentConversionResult; error?: unknown } = await inference
    .convertSegment(request)
    .then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
  return { ...outcome, request, received: started.received };
}

describe('the http backend', () => {
  it('posts a body the protocol accepts, with presigned URLs and the secret, and returns the answer', async () => {
    // Act
    const { result, request, received } = await convertWith(
      { status: 200, body: JSON.stringify({ seconds: 4.5, frames: 36, engine: 'iw3' }) },
      'http-backend-test-secret',
    );

    // Assess
    expect(result).toEqual({ seconds: 4.5, frames: 36 });
    expect(received).toHaveLength(1);
    expect(received[0]!.url).toBe('/invocations');
    expect(received[0]!.authorization).toBe('Bearer http-backend-test-secret');
    const body = InvocationRequestSchema.parse(received[0]!.body);
    expect(body).toMatchObject({ mode: 'half-sbs', job_id: request.jobId, segment_index: 2 });
    expect(body.input_url).toContain(request.inputKey);
    expect(body.output_url).toContain(request.outputKey);
  });

  it.each([
    [422, 'INVALID_MEDIA', true],
    [413, 'INPUT_TOO_LARGE', true],
    [400, 'INPUT_UNAVAILABLE', true],
    [404, 'INPUT_NOT_FOUND', false],
    [401, 'UNAUTHORIZED', false],
    [503, 'BUSY', false],
  ] as const)('reads a %i %s answer as permanent: %s', async (status, code, permanent) => {
    // Act
    const { error } = await convertWith({
      status,
      body: JSON.stringify({ error: { code, message: `the server says ${code}` } }),
    });

    // Assess
    expect(error).toMatchObject({ name: 'InferenceRequestFailedError', code, status });
    expect((error as Error).message).toBe(
      `inference server answered ${status} ${code}: the server says ${code}`,
    );
    expect(isPermanentError(error)).toBe(permanent);
  });

  it('reads a code it does not know as an engine failure, and a 200 without seconds as no answer', async () => {
    // Act
    const unknown = await convertWith({
      status: 500,
      body: JSON.stringify({ error: { code: 'NEW', message: 'x' } }),
    });
    const empty = await convertWith({ status: 200, body: JSON.stringify({ frames: 3 }) });

    // Assess
    expect(unknown.error).toMatchObject({ code: 'ENGINE_FAILED', serverCode: 'NEW', permanent: false });
    expect(empty.error).toMatchObject({ code: 'UNREACHABLE', permanent: false });
    expect((empty.error as Error).message).toBe(
      'inference server answered 200 without "seconds": {"frames":3}',
    );
  });
});
