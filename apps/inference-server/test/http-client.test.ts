/**
 * The video-worker's `http` backend (@stereo-spot/inference-adapters) against the real server
 * (S3 on moto_server), with both transports: presigned URLs (no credentials on the server side
 * needed) and s3 URIs. The engine is iw3's stand-in (test/fixtures/fake-nunif), which copies the
 * segment: this suite is about the client, the protocol and the transfer; server.test.ts converts
 * for real with the builtin engine. It lives here because a package may not import this app.
 */
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStorage } from '@stereo-spot/aws-adapters';
import type { SegmentConversionRequest } from '@stereo-spot/pipeline';
import { isPermanentError } from '@stereo-spot/pipeline';
import { DEFAULT_STEREO_PARAMS, segmentKey, segmentOutputKey, toJobId } from '@stereo-spot/shared-types';
import { createHttpInference } from '@stereo-spot/inference-adapters';
import { loadServerConfig } from '../src/config';
import type { StartedInferenceServer } from '../src/start';
import { captureLogger } from '@stereo-spot/logging/testing';
import { makeClip, probeVideo } from './support/media';
import type { MotoServer } from '@stereo-spot/aws-emulator';
import { download, exists, putBytes, putFile } from './support/s3';
import { startS3TestBed, startTestServer, type S3TestBed } from './support/server';

const JOB = toJobId('9b2d4e61-1c3f-4a8b-8e0d-5f6a7b8c9d0e');
const INPUT_BUCKET = 'client-input';
const OUTPUT_BUCKET = 'client-output';
const SEGMENT = segmentKey({ jobId: JOB, segmentIndex: 0, totalSegments: 3, mode: 'tb' });
const GARBAGE = segmentKey({ jobId: JOB, segmentIndex: 1, totalSegments: 3, mode: 'tb' });
const SHARED_SECRET = 'client-test-shared-secret-0123456789abcdef';

let bed: S3TestBed;
let moto: MotoServer;
let s3: S3Client;
let dir: string;
let started: StartedInferenceServer;
let baseUrl: string;

beforeAll(async () => {
  bed = await startS3TestBed('inference-client-test', [INPUT_BUCKET, OUTPUT_BUCKET]);
  ({ moto, s3, dir } = bed);
  await putFile(s3, INPUT_BUCKET, SEGMENT, makeClip(dir));
  await putBytes(s3, INPUT_BUCKET, GARBAGE, 'not a video');
  process.env.PYTHONDONTWRITEBYTECODE = '1';
  const config = loadServerConfig({
    ...moto.env,
    INFERENCE_ENGINE: 'iw3',
    NUNIF_DIR: path.join(__dirname, 'fixtures', 'fake-nunif'),
    INFERENCE_WORK_DIR: dir,
    INPUT_BUCKET_NAME: INPUT_BUCKET,
    OUTPUT_BUCKET_NAME: OUTPUT_BUCKET,
    INFERENCE_ALLOWED_URL_HOSTS: new URL(moto.endpoint).host,
    INFERENCE_SHARED_SECRET: SHARED_SECRET,
  });
  ({ started, baseUrl } = await startTestServer(config, captureLogger().logger));
}, 60_000);

afterAll(async () => {
  await started?.server.close();
  await bed?.stop();
});

function backend(transport: 'presigned' | 's3', url = baseUrl, sharedSecret: string | null = SHARED_SECRET) {
  return createHttpInference({
    baseUrl: url,
    inputStorage: new S3ObjectStorage(s3, INPUT_BUCKET),
    outputStorage: new S3ObjectStorage(s3, OUTPUT_BUCKET),
    transport,
    ...(sharedSecret !== null ? { sharedSecret } : {}),
  });
}

function request(segmentIndex: number, inputKey = SEGMENT, signal?: AbortSignal): SegmentConversionRequest {
  return {
    jobId: JOB,
    segmentIndex,
    inputKey,
    outputKey: segmentOutputKey(JOB, segmentIndex),
    mode: 'tb',
    stereo: DEFAULT_STEREO_PARAMS,
    ...(signal ? { signal } : {}),
  };
}

it.each(['presigned', 's3'] as const)(
  'converts a segment through the %s transport',
  async (transport) => {
    // Prepare
    const index = transport === 'presigned' ? 0 : 2;
    // Act
    const result = await backend(transport).convertSegment(request(index));
    // Assess
    expect(result.frames).toBe(5);
    expect(result.seconds).toBeGreaterThan(0);
    const local = path.join(dir, `${transport}.mp4`);
    await download(s3, OUTPUT_BUCKET, segmentOutputKey(JOB, index), local);
    expect(probeVideo(local)).toEqual({ width: 320, height: 180, frames: 5 });
  },
  60_000,
);

it('reports unreadable video as a permanent error', async () => {
  const error = await backend('presigned')
    .convertSegment(request(1, GARBAGE))
    .catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'InferenceRequestFailedError', code: 'INVALID_MEDIA', status: 422 });
  expect(isPermanentError(error)).toBe(true);
  expect(await exists(s3, OUTPUT_BUCKET, segmentOutputKey(JOB, 1))).toBe(false);
});

it('reports a missing input as retryable', async () => {
  const error = await backend('s3')
    .convertSegment(request(4, `segments/${JOB}/00004_00005_tb.mp4`))
    .catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'INPUT_NOT_FOUND', status: 404 });
  expect((error as Error).message).toContain(`s3://${INPUT_BUCKET}/segments/${JOB}/00004_00005_tb.mp4`);
  expect(isPermanentError(error)).toBe(false);
});

it('is refused with 401, a retryable error, without the shared secret or with another one', async () => {
  // Act
  const errors = await Promise.all(
    [null, `${SHARED_SECRET}-but-not-quite`].map((secret) =>
      backend('s3', baseUrl, secret)
        .convertSegment(request(5))
        .catch((e: unknown) => e),
    ),
  );
  // Assess
  for (const error of errors) {
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    expect(isPermanentError(error)).toBe(false);
  }
  expect(await exists(s3, OUTPUT_BUCKET, segmentOutputKey(JOB, 5))).toBe(false);
});

it('reports a server that cannot be reached as retryable', async () => {
  const error = await backend('s3', 'http://127.0.0.1:9/')
    .convertSegment(request(0))
    .catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'InferenceUnreachableError', code: 'UNREACHABLE' });
  expect((error as Error).message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:9\/invocations/);
  expect(isPermanentError(error)).toBe(false);
});

it('cancels the request when the signal fires', async () => {
  const controller = new AbortController();
  const running = backend('s3').convertSegment(request(0, SEGMENT, controller.signal));
  controller.abort();
  await expect(running).rejects.toMatchObject({ name: 'InferenceAbortedError', code: 'ABORTED' });
});
