/**
 * The `sagemaker` inference backend on moto_server. moto's InvokeEndpointAsync does not run a
 * model: it writes the next queued result (configured through its `/moto-api/static/...` endpoint)
 * to an output or failure object. What is tested is the adapter's side: the request object it
 * writes, the invocation, and how it reads a result or a failure.
 */
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { createAwsClients, type AwsClients } from '@stereo-spot/aws-adapters';
import { DEFAULT_STEREO_PARAMS, segmentKey, segmentOutputKey, toJobId } from '@stereo-spot/shared-types';
import type { SegmentConversionRequest } from '@stereo-spot/pipeline';
import { startMotoServer, type MotoServer } from '@stereo-spot/aws-emulator';
import { uniqueResourcePrefix } from '@stereo-spot/testing';
import { SageMakerAsyncInference } from '../src/sagemaker/sagemaker-async-inference';
import { SAGEMAKER_REQUEST_PREFIX, createSageMakerInference } from '../src/sagemaker';

let moto: { server: MotoServer; clients: AwsClients };
let runtime: SageMakerRuntimeClient;
beforeAll(async () => {
  const server = await startMotoServer();
  moto = {
    server,
    clients: createAwsClients({
      region: server.region,
      endpoint: server.endpoint,
      credentials: server.credentials,
    }),
  };
  runtime = new SageMakerRuntimeClient({
    region: server.region,
    endpoint: server.endpoint,
    credentials: server.credentials,
  });
});
afterAll(async () => {
  runtime?.destroy();
  moto?.clients.destroy();
  await moto?.server.stop();
});

async function createBucket(label: string): Promise<string> {
  const bucket = uniqueResourcePrefix(label);
  await moto.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** Queues what moto's async endpoint answers next. */
async function nextResults(results: { data: string; is_failure?: boolean }[]): Promise<void> {
  const response = await fetch(`${moto.server.endpoint}/moto-api/static/sagemaker/async-endpoint-results`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ region: moto.server.region, results }),
  });
  expect(response.ok).toBe(true);
}

async function backend() {
  const inputBucket = await createBucket('sm-input');
  const outputBucket = await createBucket('sm-output');
  const inference = new SageMakerAsyncInference({
    runtime,
    s3: moto.clients.s3,
    endpointName: 'stereo-spot-iw3',
    inputBucket,
    outputBucket,
    pollIntervalMs: 50,
  });
  return { inference, inputBucket, outputBucket };
}

/** The backend as the video-worker builds it: its own clients from region and endpoint. */
async function configuredBackend() {
  const inputBucket = await createBucket('sm-input');
  const outputBucket = await createBucket('sm-output');
  const inference = createSageMakerInference({
    region: moto.server.region,
    endpoint: moto.server.endpoint,
    credentials: moto.server.credentials,
    endpointName: 'stereo-spot-iw3',
    inputBucket,
    outputBucket,
    pollIntervalMs: 50,
  });
  return { inference, inputBucket, outputBucket };
}

function conversion(overrides: Partial<SegmentConversionRequest> = {}): SegmentConversionRequest {
  const jobId = toJobId(randomUUID());
  return {
    jobId,
    segmentIndex: 1,
    inputKey: segmentKey({ jobId, segmentIndex: 1, totalSegments: 3, mode: 'half-sbs' }),
    outputKey: segmentOutputKey(jobId, 1),
    mode: 'half-sbs',
    stereo: DEFAULT_STEREO_PARAMS,
    ...overrides,
  };
}

describe('SageMakerAsyncInference on moto_server', () => {
  test('writes the /invocations request to S3, invokes the endpoint and returns the answer', async () => {
    // Prepare
    const { inference, inputBucket, outputBucket } = await configuredBackend();
    const request = conversion();
    const progress: number[] = [];
    await nextResults([{ data: JSON.stringify({ seconds: 12.5, frames: 24 }) }]);

    // Act
    const result = await inference.convertSegment({ ...request, onProgress: (f) => progress.push(f) });

    // Assess
    expect(result).toEqual({ seconds: 12.5, frames: 24 });
    expect(progress).toEqual([1]);
    const listed = await moto.clients.s3.send(
      new ListObjectsV2Command({
        Bucket: outputBucket,
        Prefix: `${SAGEMAKER_REQUEST_PREFIX}${request.jobId}/`,
      }),
    );
    const requestKey = listed.Contents?.[0]?.Key ?? '';
    const written = await moto.clients.s3.send(
      new GetObjectCommand({ Bucket: outputBucket, Key: requestKey }),
    );
    expect(JSON.parse(await (written.Body?.transformToString() ?? Promise.resolve('')))).toEqual({
      s3_input_uri: `s3://${inputBucket}/${request.inputKey}`,
      s3_output_uri: `s3://${outputBucket}/${request.outputKey}`,
      mode: 'half-sbs',
      divergence: DEFAULT_STEREO_PARAMS.divergence,
      convergence: DEFAULT_STEREO_PARAMS.convergence,
      anaglyph_method: DEFAULT_STEREO_PARAMS.anaglyph_method,
      job_id: request.jobId,
      segment_index: 1,
    });
  });

  test('a failure object with a bad-input code is a permanent error naming the job and segment', async () => {
    // Prepare
    const { inference } = await backend();
    const request = conversion();
    await nextResults([
      {
        is_failure: true,
        data: JSON.stringify({
          error: { code: 'INVALID_MEDIA', message: 'the segment is not a readable video' },
        }),
      },
    ]);

    // Act
    const error = await inference.convertSegment(request).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess
    expect(error).toMatchObject({ code: 'INFERENCE_FAILED', permanent: true, jobId: request.jobId });
    expect((error as Error).message).toBe(
      `job_id=${request.jobId} segment_index=1: SageMaker inference failed (INVALID_MEDIA): the segment is not a readable video`,
    );
  });

  test('a missing input is transient by the protocol rule: it may not be visible yet', async () => {
    // Prepare
    const { inference } = await backend();
    await nextResults([
      {
        is_failure: true,
        data: JSON.stringify({ error: { code: 'INPUT_NOT_FOUND', message: 'input not found' } }),
      },
    ]);

    // Act
    const error = await inference.convertSegment(conversion()).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess
    expect(error).toMatchObject({ code: 'INFERENCE_FAILED', permanent: false });
    expect((error as Error).message).toMatch(
      /SageMaker inference failed \(INPUT_NOT_FOUND\): input not found$/,
    );
  });

  test('any other failure is transient: the message is retried', async () => {
    // Prepare
    const { inference } = await backend();
    await nextResults([{ is_failure: true, data: 'CUDA out of memory' }]);

    // Act
    const error = await inference.convertSegment(conversion()).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess
    expect(error).toMatchObject({ code: 'INFERENCE_FAILED', permanent: false });
    expect((error as Error).message).toMatch(/SageMaker inference failed: CUDA out of memory$/);
  });
});
