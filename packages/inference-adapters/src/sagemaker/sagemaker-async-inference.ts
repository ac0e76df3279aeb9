import { randomUUID } from 'node:crypto';
import { text } from 'node:stream/consumers';
import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { awsErrorName, callAws, type StaticCredentials } from '@stereo-spot/aws-adapters';
import {
  pause,
  type SegmentConversionRequest,
  type SegmentConversionResult,
  type StereoInference,
} from '@stereo-spot/pipeline';
import {
  InferenceErrorBodySchema,
  InvocationResultSchema,
  isPermanentInferenceError,
  parseS3Uri,
} from '@stereo-spot/shared-types';
import { InferenceBackendError } from '../errors';
import { DEFAULT_SEGMENT_TIMEOUT_MS, invocationRequestBody } from '../invocation';

/** Where the request JSON objects go in the output bucket (expired by the bucket's lifecycle rule). */
export const SAGEMAKER_REQUEST_PREFIX = 'sagemaker/requests/';

export interface SageMakerAsyncInferenceOptions {
  readonly runtime: SageMakerRuntimeClient;
  readonly s3: S3Client;
  readonly endpointName: string;
  /** Holds the source segments (`inputKey`). */
  readonly inputBucket: string;
  /** Receives the converted segments (`outputKey`) and the request objects. */
  readonly outputBucket: string;
  /** How long one segment may take from invocation to result. Default 65 min (SageMaker allows 60). */
  readonly timeoutMs?: number;
  /** First wait between looks for the result; doubles up to 15 s. Default 1 s. */
  readonly pollIntervalMs?: number;
}

/**
 * `INFERENCE_BACKEND=sagemaker`: one segment per SageMaker asynchronous invocation. The request
 * JSON (`s3_input_uri`, `s3_output_uri`, `mode` and the stereo parameters: the `/invocations`
 * contract of the inference server) is written to S3, InvokeEndpointAsync queues it, and the
 * adapter waits, bounded by `timeoutMs`, for the output object (the server's JSON answer) or the
 * failure object. The container itself writes the converted segment to `s3_output_uri`.
 */
export class SageMakerAsyncInference implements StereoInference {
  readonly name = 'sagemaker';
  private readonly timeoutMs: number;
  private readonly pollIntervalMs: number;

  constructor(private readonly options: SageMakerAsyncInferenceOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_SEGMENT_TIMEOUT_MS;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
  }

  async convertSegment(request: SegmentConversionRequest): Promise<SegmentConversionResult> {
    const started = Date.now();
    const context = {
      operation: 'SageMaker InvokeEndpointAsync',
      resource: `endpoint ${this.options.endpointName}`,
      jobId: request.jobId,
    };
    const body = invocationRequestBody(request, {
      s3_input_uri: `s3://${this.options.inputBucket}/${request.inputKey}`,
      s3_output_uri: `s3://${this.options.outputBucket}/${request.outputKey}`,
    });
    const requestKey = `${SAGEMAKER_REQUEST_PREFIX}${request.jobId}/${request.segmentIndex}-${randomUUID()}.json`;
    await callAws({ ...context, operation: 'S3 PutObject (inference request)' }, () =>
      this.options.s3.send(
        new PutObjectCommand({
          Bucket: this.options.outputBucket,
          Key: requestKey,
          Body: JSON.stringify(body),
          ContentType: 'application/json',
        }),
      ),
    );
    const invoked = await callAws(context, () =>
      this.options.runtime.send(
        new InvokeEndpointAsyncCommand({
          EndpointName: this.options.endpointName,
          InputLocation: `s3://${this.options.outputBucket}/${requestKey}`,
          ContentType: 'application/json',
          Accept: 'application/json',
          InvocationTimeoutSeconds: 3600,
        }),
        request.signal !== undefined ? { abortSignal: request.signal } : {},
      ),
    );
    const output = invoked.OutputLocation === undefined ? undefined : parseS3Uri(invoked.OutputLocation);
    const failure = invoked.FailureLocation === undefined ? undefined : parseS3Uri(invoked.FailureLocation);
    if (output === undefined) {
      throw new InferenceBackendError(
        'INFERENCE_FAILED',
        `${describe(request)}: SageMaker returned no OutputLocation`,
        false,
        {
          jobId: request.jobId,
        },
      );
    }

    let wait = this.pollIntervalMs;
    while (Date.now() - started < this.timeoutMs) {
      const answer = await this.readIfPresent(output, request);
      if (answer !== undefined) {
        request.onProgress?.(1);
        return resultOf(answer, started);
      }
      const failed = failure === undefined ? undefined : await this.readIfPresent(failure, request);
      if (failed !== undefined) throw failureError(failed, request);
      await pause(wait, request.signal);
      if (request.signal?.aborted === true) {
        throw new InferenceBackendError(
          'INFERENCE_ABORTED',
          `${describe(request)}: stopped waiting (shutting down)`,
          false,
          {
            jobId: request.jobId,
          },
        );
      }
      wait = Math.min(wait * 2, 15_000);
    }
    throw new InferenceBackendError(
      'INFERENCE_TIMEOUT',
      `${describe(request)}: no SageMaker result after ${Math.round(this.timeoutMs / 1000)} s (inference ${invoked.InferenceId ?? '?'})`,
      false,
      { jobId: request.jobId },
    );
  }

  private async readIfPresent(
    location: { bucket: string; key: string },
    request: SegmentConversionRequest,
  ): Promise<string | undefined> {
    try {
      const response = await this.options.s3.send(
        new GetObjectCommand({ Bucket: location.bucket, Key: location.key }),
      );
      return await text(response.Body as Readable);
    } catch (error) {
      if (awsErrorName(error) === 'NoSuchKey') return undefined;
      return callAws(
        {
          operation: 'S3 GetObject (inference result)',
          resource: `s3://${location.bucket}/${location.key}`,
          jobId: request.jobId,
        },
        () => Promise.reject(error),
      );
    }
  }
}

function resultOf(answer: string, started: number): SegmentConversionResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer);
  } catch {
    // Not JSON: the conversion succeeded, the server just said nothing we use.
  }
  const result = InvocationResultSchema.partial().safeParse(parsed);
  const said = result.success ? result.data : {};
  return {
    seconds: said.seconds ?? (Date.now() - started) / 1000,
    ...(typeof said.frames === 'number' ? { frames: said.frames } : {}),
  };
}

/** The failure object holds the container's error answer: `{"error": {"code", "message"}}` or text. */
function failureError(content: string, request: SegmentConversionRequest): InferenceBackendError {
  let answer: { code?: string; message: string } = { message: content.trim().slice(0, 500) || 'no detail' };
  try {
    const parsed = InferenceErrorBodySchema.safeParse(JSON.parse(content));
    if (parsed.success) answer = parsed.data.error;
  } catch {
    // Plain text: keep it as the message.
  }
  const { code, message } = answer;
  return new InferenceBackendError(
    'INFERENCE_FAILED',
    `${describe(request)}: SageMaker inference failed${code !== undefined ? ` (${code})` : ''}: ${message}`,
    code !== undefined && isPermanentInferenceError(code),
    { jobId: request.jobId },
  );
}

function describe(request: SegmentConversionRequest): string {
  return `job_id=${request.jobId} segment_index=${request.segmentIndex}`;
}

export interface CreateSageMakerInferenceOptions {
  readonly region: string;
  /** An endpoint override (an emulator); S3 then uses path-style URLs. */
  readonly endpoint?: string | undefined;
  readonly endpointName: string;
  readonly inputBucket: string;
  readonly outputBucket: string;
  readonly timeoutMs?: number;
  readonly pollIntervalMs?: number;
  /** Defaults to the SDK's provider chain (the task role on ECS). */
  readonly credentials?: StaticCredentials;
}

/** The backend with its own SDK clients (standard retry mode), as the video-worker builds it. */
export function createSageMakerInference(options: CreateSageMakerInferenceOptions): StereoInference {
  const common = {
    region: options.region,
    retryMode: 'standard',
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
  };
  return new SageMakerAsyncInference({
    runtime: new SageMakerRuntimeClient(common),
    s3: new S3Client({
      ...common,
      forcePathStyle: options.endpoint !== undefined,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    endpointName: options.endpointName,
    inputBucket: options.inputBucket,
    outputBucket: options.outputBucket,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
  });
}
