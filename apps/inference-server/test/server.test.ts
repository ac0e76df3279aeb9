/**
 * The server end to end with the builtin engine: real HTTP, real ffmpeg, S3 on moto_server.
 */
import path from 'node:path';
import { GetObjectCommand, GetObjectTaggingCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { segmentKey, segmentOutputKey, toJobId } from '@stereo-spot/shared-types';
import { loadServerConfig } from '../src/config';
import { InferenceServer } from '../src/server';
import type { StartedInferenceServer } from '../src/start';
import { Transfer, createS3Client } from '../src/transfer';
import { FfprobeMediaInspector } from '../src/media';
import { captureLogger } from '@stereo-spot/logging/testing';
import { makeClip, probeVideo } from './support/media';
import type { MotoServer } from '@stereo-spot/aws-emulator';
import { download, exists, putBytes, putFile } from './support/s3';
import { startS3TestBed, startTestServer, type S3TestBed } from './support/server';

const JOB = toJobId('3f1c8a52-7a55-4c0e-9d6b-0a0f5c1e2b7d');
const INPUT_BUCKET = 'ss-input';
const OUTPUT_BUCKET = 'ss-output';
const SEGMENT = segmentKey({ jobId: JOB, segmentIndex: 0, totalSegments: 2, mode: 'anaglyph' });
const GARBAGE = segmentKey({ jobId: JOB, segmentIndex: 1, totalSegments: 2, mode: 'anaglyph' });

let bed: S3TestBed;
let moto: MotoServer;
let s3: S3Client;
let dir: string;
let started: StartedInferenceServer;
let baseUrl: string;
const logs = captureLogger();

beforeAll(async () => {
  bed = await startS3TestBed('inference-server-test', [INPUT_BUCKET, OUTPUT_BUCKET]);
  ({ moto, s3, dir } = bed);
  await putFile(s3, INPUT_BUCKET, SEGMENT, makeClip(dir));
  await putBytes(s3, INPUT_BUCKET, GARBAGE, 'these bytes are not a video');

  const config = loadServerConfig({
    ...moto.env,
    PORT: '1',
    INFERENCE_ENGINE: 'builtin',
    BUILTIN_ENGINE_THREADS: '0',
    INFERENCE_WORK_DIR: dir,
    INPUT_BUCKET_NAME: INPUT_BUCKET,
    OUTPUT_BUCKET_NAME: OUTPUT_BUCKET,
    INFERENCE_ALLOWED_URL_HOSTS: new URL(moto.endpoint).host,
  });
  ({ started, baseUrl } = await startTestServer(config, logs.logger));
}, 60_000);

afterAll(async () => {
  await started?.server.close();
  await bed?.stop();
});

const s3Uri = (bucket: string, key: string) => `s3://${bucket}/${key}`;

async function invoke(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const errorOf = (json: Record<string, unknown>) => json.error as { code: string; message: string };

describe('GET /ping', () => {
  it('answers 200 once the engine is ready', async () => {
    const response = await fetch(`${baseUrl}/ping`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ready', engine: 'builtin' });
  });

  it('answers 503 (and refuses invocations) before the engine is ready', async () => {
    // Prepare: a server whose engine was never started
    const idle = new InferenceServer({
      logger: logs.logger,
      transfer: new Transfer(createS3Client({ region: 'us-east-1', endpoint: moto.endpoint }), {
        maxInputBytes: 1024 ** 2,
        timeoutMs: 60_000,
      }),
      media: new FfprobeMediaInspector(),
      workRoot: dir,
      concurrency: 1,
      maxWaiting: 1,
      accessPolicy: { allowedUrlHosts: [], inputBucket: INPUT_BUCKET, outputBucket: OUTPUT_BUCKET },
    });
    const { port } = await idle.listen(0, '127.0.0.1');
    try {
      // Act
      const ping = await fetch(`http://127.0.0.1:${port}/ping`);
      const invocation = await fetch(`http://127.0.0.1:${port}/invocations`, {
        method: 'POST',
        body: JSON.stringify({ s3_input_uri: s3Uri(INPUT_BUCKET, SEGMENT), s3_output_uri: s3Uri(OUTPUT_BUCKET, segmentOutputKey(JOB, 0)) }),
      });
      // Assess
      expect(ping.status).toBe(503);
      expect(await ping.json()).toEqual({ status: 'starting' });
      expect(invocation.status).toBe(503);
      expect(errorOf((await invocation.json()) as Record<string, unknown>).code).toBe('NOT_READY');
    } finally {
      await idle.close();
    }
  });
});

describe('POST /invocations', () => {
  it('converts a segment from S3 to S3 (anaglyph by default) and says what it did', async () => {
    // Prepare
    const outputKey = segmentOutputKey(JOB, 0);
    // Act
    const { status, json } = await invoke({
      s3_input_uri: s3Uri(INPUT_BUCKET, SEGMENT),
      s3_output_uri: s3Uri(OUTPUT_BUCKET, outputKey),
      job_id: JOB,
      segment_index: 0,
    });
    // Assess
    expect(status).toBe(200);
    expect(json).toMatchObject({
      output: s3Uri(OUTPUT_BUCKET, outputKey),
      engine: 'builtin',
      mode: 'anaglyph',
      job_id: JOB,
      segment_index: 0,
    });
    expect(json.frames).toBe(5);
    expect(typeof json.seconds).toBe('number');
    const local = path.join(dir, 'anaglyph-result.mp4');
    await download(s3, OUTPUT_BUCKET, outputKey, local);
    expect(probeVideo(local)).toEqual({ width: 320, height: 180, frames: 5 });
    // The lifecycle rule expires converted segments by this tag.
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: OUTPUT_BUCKET, Key: outputKey }));
    expect(tags.TagSet).toEqual([{ Key: 'stereo-spot:expire', Value: 'segment-output' }]);
    const jobLines = logs.lines.filter((line) => line.job_id === JOB && line.segment_index === 0);
    expect(jobLines.map((line) => line.msg)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^job_id=${JOB} segment_index=0 invocation received`)),
        expect.stringMatching(/result uploaded$/),
      ]),
    );
  }, 60_000);

  it('converts through presigned URLs, with the layout the mode asks for', async () => {
    // Prepare
    const outputKey = segmentOutputKey(JOB, 7);
    const inputUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: INPUT_BUCKET, Key: SEGMENT }), {
      expiresIn: 600,
    });
    const outputUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: OUTPUT_BUCKET, Key: outputKey }), {
      expiresIn: 600,
    });
    // Act
    const { status, json } = await invoke({ input_url: inputUrl, output_url: outputUrl, mode: 'sbs', job_id: JOB });
    // Assess
    expect(status).toBe(200);
    expect(json.output).toBe(`${moto.endpoint}/${OUTPUT_BUCKET}/${outputKey}`);
    const local = path.join(dir, 'sbs-result.mp4');
    await download(s3, OUTPUT_BUCKET, outputKey, local);
    expect(probeVideo(local)).toMatchObject({ width: 640, height: 180 });
  }, 60_000);

  it('queues concurrent requests instead of failing them', async () => {
    // Act
    const answers = await Promise.all(
      [10, 11].map((index) =>
        invoke({
          s3_input_uri: s3Uri(INPUT_BUCKET, SEGMENT),
          s3_output_uri: s3Uri(OUTPUT_BUCKET, segmentOutputKey(JOB, index)),
          mode: 'half-sbs',
          job_id: JOB,
          segment_index: index,
        }),
      ),
    );
    // Assess
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    for (const index of [10, 11]) {
      expect(await exists(s3, OUTPUT_BUCKET, segmentOutputKey(JOB, index))).toBe(true);
    }
  }, 90_000);

  it('answers 404 with the URI when the input object does not exist', async () => {
    const missing = s3Uri(INPUT_BUCKET, `segments/${JOB}/00009_00010_anaglyph.mp4`);
    const { status, json } = await invoke({
      s3_input_uri: missing,
      s3_output_uri: s3Uri(OUTPUT_BUCKET, segmentOutputKey(JOB, 9)),
    });
    expect(status).toBe(404);
    expect(errorOf(json)).toEqual({ code: 'INPUT_NOT_FOUND', message: `input not found: ${missing}` });
  });

  it('answers 400 naming the field for an unknown mode', async () => {
    const { status, json } = await invoke({
      s3_input_uri: s3Uri(INPUT_BUCKET, SEGMENT),
      s3_output_uri: s3Uri(OUTPUT_BUCKET, segmentOutputKey(JOB, 0)),
      mode: 'hologram',
    });
    expect(status).toBe(400);
    expect(errorOf(json).code).toBe('INVALID_REQUEST');
    expect(errorOf(json).message).toMatch(/^invalid request: mode: /);
  });

  it('answers 422 with a readable reason for bytes that are not a video', async () => {
    const { status, json } = await invoke({
      s3_input_uri: s3Uri(INPUT_BUCKET, GARBAGE),
      s3_output_uri: s3Uri(OUTPUT_BUCKET, segmentOutputKey(JOB, 1)),
      job_id: JOB,
      segment_index: 1,
    });
    expect(status).toBe(422);
    expect(errorOf(json).code).toBe('INVALID_MEDIA');
    expect(errorOf(json).message).toMatch(/^the input is not a readable video: /);
    expect(await exists(s3, OUTPUT_BUCKET, segmentOutputKey(JOB, 1))).toBe(false);
  });

  it.each([
    ['a body that is not JSON', '{"s3_input_uri": ', /^request body is not JSON/],
    ['an empty body', '', /^empty request body/],
    ['two inputs', { s3_input_uri: 's3://ss-input/a.mp4', input_url: 'http://x/a', s3_output_uri: 's3://ss-output/b.mp4' }, /give exactly one of s3_input_uri or input_url/],
    ['no output', { s3_input_uri: 's3://ss-input/a.mp4' }, /give exactly one of s3_output_uri or output_url/],
    ['a bad job id', { s3_input_uri: 's3://ss-input/a.mp4', s3_output_uri: 's3://ss-output/b.mp4', job_id: 'JOB-1' }, /job_id: job_id must be a lowercase UUID/],
    ['a divergence out of range', { s3_input_uri: 's3://ss-input/a.mp4', s3_output_uri: 's3://ss-output/b.mp4', divergence: 50 }, /divergence: /],
  ])('answers 400 for %s', async (_label, body, message) => {
    const { status, json } = await invoke(body);
    expect(status).toBe(400);
    expect(errorOf(json).message).toMatch(message);
  });

  it('answers 404 and 405 as JSON for unknown routes and methods', async () => {
    const unknown = await fetch(`${baseUrl}/predict`, { method: 'POST' });
    const wrongMethod = await fetch(`${baseUrl}/invocations`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as Record<string, unknown>).error).toMatchObject({ code: 'NOT_FOUND' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });
});
