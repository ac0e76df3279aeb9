/**
 * `INFERENCE_BACKEND=http`: POSTs the `/invocations` JSON to any machine running the inference
 * server (INFERENCE_HTTP_URL). By default it hands the server presigned URLs, so the inference
 * machine needs no cloud credentials; with `transport: 's3'` it sends s3:// URIs for a server that
 * has its own (the SageMaker container does).
 *
 * node:http rather than fetch: fetch gives up waiting for response headers after 300 s, and a
 * GPU conversion of one segment may take longer than that.
 */
import http from 'node:http';
import https from 'node:https';
import type {
  ObjectStorage,
  SegmentConversionRequest,
  SegmentConversionResult,
  StereoInference,
} from '@stereo-spot/pipeline';
import { InferenceErrorBodySchema, InvocationResultSchema } from '@stereo-spot/shared-types';
import {
  InferenceAbortedError,
  InferenceBackendError,
  InferenceRequestFailedError,
  InferenceUnreachableError,
} from '../errors';
import { DEFAULT_SEGMENT_TIMEOUT_MS, invocationRequestBody, type InvocationLocations } from '../invocation';

export type InferenceTransport = 'presigned' | 's3';

export interface HttpInferenceOptions {
  /** The server's base URL (INFERENCE_HTTP_URL); `/invocations` is appended. */
  readonly baseUrl: string;
  /** Holds the source segments (`inputKey`). */
  readonly inputStorage: Pick<ObjectStorage, 'bucket' | 'presignGet'>;
  /** Receives the converted segments (`outputKey`). */
  readonly outputStorage: Pick<ObjectStorage, 'bucket' | 'presignPut'>;
  readonly transport?: InferenceTransport;
  /** Lifetime of the presigned URLs; must cover queueing plus conversion. Default 2 h. */
  readonly presignExpirySeconds?: number;
  /** Size limit signed into the output URL where the platform enforces one. Default 20 GiB. */
  readonly maxOutputBytes?: number;
  /** Gives up on one request after this long. Default 65 min (SageMaker's limit is 60). */
  readonly timeoutMs?: number;
  /** The server's INFERENCE_SHARED_SECRET, sent as `Authorization: Bearer`. */
  readonly sharedSecret?: string;
}

export class HttpStereoInference implements StereoInference {
  readonly name = 'http';
  private readonly endpoint: URL;
  private readonly transport: InferenceTransport;

  constructor(private readonly options: HttpInferenceOptions) {
    const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    this.endpoint = new URL('invocations', base);
    this.transport = options.transport ?? 'presigned';
  }

  async convertSegment(request: SegmentConversionRequest): Promise<SegmentConversionResult> {
    const body = invocationRequestBody(request, await this.locations(request));
    const { status, json } = await this.post(body, request.signal);
    if (status !== 200) {
      const answer = InferenceErrorBodySchema.safeParse(json);
      throw new InferenceRequestFailedError(
        status,
        answer.success ? answer.data.error.code : 'UNKNOWN',
        answer.success ? answer.data.error.message : 'no error message in the response',
      );
    }
    const result = InvocationResultSchema.safeParse(json);
    if (!result.success) {
      throw new InferenceUnreachableError(
        `inference server answered 200 without "seconds": ${JSON.stringify(json)}`,
      );
    }
    request.onProgress?.(1);
    return {
      seconds: result.data.seconds,
      ...(typeof result.data.frames === 'number' ? { frames: result.data.frames } : {}),
    };
  }

  private async locations(request: SegmentConversionRequest): Promise<InvocationLocations> {
    const { inputStorage, outputStorage } = this.options;
    if (this.transport === 's3') {
      return {
        s3_input_uri: `s3://${inputStorage.bucket}/${request.inputKey}`,
        s3_output_uri: `s3://${outputStorage.bucket}/${request.outputKey}`,
      };
    }
    const expiresInSeconds = this.options.presignExpirySeconds ?? 7200;
    const [input, output] = await Promise.all([
      inputStorage.presignGet(request.inputKey, { expiresInSeconds }),
      outputStorage.presignPut(request.outputKey, {
        expiresInSeconds,
        maxBytes: this.options.maxOutputBytes ?? 20 * 1024 ** 3,
        contentType: 'video/mp4',
      }),
    ]);
    return { input_url: input.url, output_url: output.url, output_headers: { ...output.headers } };
  }

  private post(body: unknown, signal: AbortSignal | undefined): Promise<{ status: number; json: unknown }> {
    const payload = Buffer.from(JSON.stringify(body));
    const transport = this.endpoint.protocol === 'https:' ? https : http;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_SEGMENT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new InferenceAbortedError());
      const req = transport.request(this.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': payload.length,
          ...(this.options.sharedSecret !== undefined
            ? { authorization: `Bearer ${this.options.sharedSecret}` }
            : {}),
        },
        timeout: timeoutMs,
      });
      const onAbort = () => req.destroy(new InferenceAbortedError());
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      req.on('timeout', () =>
        req.destroy(
          new InferenceUnreachableError(`no answer from ${this.endpoint.href} within ${timeoutMs} ms`),
        ),
      );
      req.on('error', (error) => {
        done();
        reject(
          error instanceof InferenceBackendError
            ? error
            : new InferenceUnreachableError(`cannot reach ${this.endpoint.href}: ${error.message}`, {
                cause: error,
              }),
        );
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => {
          done();
          reject(new InferenceUnreachableError(`broken answer from ${this.endpoint.href}: ${error.message}`));
        });
        res.on('end', () => {
          done();
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = { error: { code: 'UNKNOWN', message: text.slice(0, 500) } };
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      });
      req.end(payload);
    });
  }
}

/** The `http` backend on the server at `options.baseUrl`. */
export function createHttpInference(options: HttpInferenceOptions): StereoInference {
  return new HttpStereoInference(options);
}
