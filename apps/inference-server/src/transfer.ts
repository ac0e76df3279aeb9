/**
 * Moves the segment in and the result out: S3 URIs through the server's own credentials, or
 * presigned URLs with plain HTTP (no credentials on the inference machine).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { SEGMENT_OUTPUT_EXPIRY_TAGGING } from '@stereo-spot/contracts';
import { parseObjectKey } from '@stereo-spot/shared-types';
import { InputNotFoundError, InputTooLargeError, InputUnavailableError, OutputFailedError } from './errors';
import { describeLocation, type Location } from './request';

export interface S3Settings {
  readonly region: string;
  /** AWS_ENDPOINT_URL (an emulator such as moto_server); switches to path-style addressing. */
  readonly endpoint?: string;
}

export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
  });
}

export interface TransferLimits {
  /** Largest input accepted; the download stops at the first byte beyond it. */
  readonly maxInputBytes: number;
  /** Longest one download or upload may take, from the request to the last byte. */
  readonly timeoutMs: number;
}

export class Transfer {
  constructor(
    private readonly s3: S3Client,
    private readonly limits: TransferLimits,
  ) {}

  /** Downloads the input to `filePath`; returns its size in bytes. */
  async download(from: Location, filePath: string, signal: AbortSignal): Promise<number> {
    const where = describeLocation(from);
    const timeout = AbortSignal.timeout(this.limits.timeoutMs);
    const deadline = AbortSignal.any([signal, timeout]);
    try {
      const { body, announcedBytes } = from.kind === 's3' ? await this.openS3(from, deadline) : await this.openUrl(from, where, deadline);
      if (announcedBytes !== undefined && announcedBytes > this.limits.maxInputBytes) {
        body.destroy();
        throw new InputTooLargeError(where, this.limits.maxInputBytes);
      }
      await pipeline(body, capBytes(this.limits.maxInputBytes, where), createWriteStream(filePath), { signal: deadline });
    } catch (error) {
      if (timeout.aborted && !signal.aborted) {
        throw new InputUnavailableError(`input ${where} did not arrive within ${this.limits.timeoutMs / 1000} s`, false);
      }
      throw error;
    }
    return (await stat(filePath)).size;
  }

  private async openS3(
    from: Extract<Location, { kind: 's3' }>,
    signal: AbortSignal,
  ): Promise<{ body: Readable; announcedBytes?: number }> {
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: from.bucket, Key: from.key }), {
        abortSignal: signal,
      });
      if (!object.Body) throw new InputUnavailableError(`empty response for ${from.uri}`, false);
      return {
        body: object.Body as Readable,
        ...(object.ContentLength !== undefined ? { announcedBytes: object.ContentLength } : {}),
      };
    } catch (error) {
      throw s3InputError(error, from.uri);
    }
  }

  private async openUrl(
    from: Extract<Location, { kind: 'url' }>,
    where: string,
    signal: AbortSignal,
  ): Promise<{ body: Readable; announcedBytes?: number }> {
    let response: Response;
    try {
      // A redirect could lead anywhere, past the host allowlist: never follow one.
      response = await fetch(from.url, { signal, redirect: 'manual' });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new InputUnavailableError(`cannot fetch input ${where}: ${(error as Error).message}`, false, {
        cause: error,
      });
    }
    if (response.status === 404) {
      await response.body?.cancel();
      throw new InputNotFoundError(where);
    }
    if (!response.ok || !response.body) {
      // The body is the remote side's and may hold anything it can read: status only, never the body.
      await response.body?.cancel();
      const redirect = response.status >= 300 && response.status < 400;
      throw new InputUnavailableError(
        `input ${where} answered HTTP ${response.status}${redirect ? ' (a redirect, not followed)' : ''}`,
        response.status < 500,
      );
    }
    const length = Number(response.headers.get('content-length') ?? Number.NaN);
    return {
      body: Readable.fromWeb(response.body as WebReadableStream),
      ...(Number.isSafeInteger(length) ? { announcedBytes: length } : {}),
    };
  }

  async upload(filePath: string, to: Location, signal: AbortSignal): Promise<void> {
    const size = (await stat(filePath)).size;
    const timeout = AbortSignal.timeout(this.limits.timeoutMs);
    const deadline = AbortSignal.any([signal, timeout]);
    const where = describeLocation(to);
    const timedOut = () =>
      new OutputFailedError(`upload to ${where} did not finish within ${this.limits.timeoutMs / 1000} s`);
    if (to.kind === 's3') {
      try {
        await this.s3.send(
          new PutObjectCommand({
            Bucket: to.bucket,
            Key: to.key,
            Body: createReadStream(filePath),
            ContentLength: size,
            ContentType: 'video/mp4',
            ...segmentOutputTagging(to.key),
          }),
          { abortSignal: deadline },
        );
      } catch (error) {
        if (timeout.aborted && !signal.aborted) throw timedOut();
        if (signal.aborted) throw error;
        throw new OutputFailedError(`cannot write ${to.uri}: ${(error as Error).message}`, { cause: error });
      }
      return;
    }
    let response: Response;
    try {
      response = await fetch(to.url, {
        method: 'PUT',
        // The caller's headers were checked against the fixed set (access-policy.ts) and cannot override the length.
        headers: { ...to.headers, 'content-length': String(size) },
        body: Readable.toWeb(createReadStream(filePath)) as unknown as NonNullable<RequestInit['body']>,
        duplex: 'half',
        redirect: 'manual',
        signal: deadline,
      } as RequestInit);
    } catch (error) {
      if (timeout.aborted && !signal.aborted) throw timedOut();
      if (signal.aborted) throw error;
      throw new OutputFailedError(`cannot upload to ${where}: ${(error as Error).message}`, { cause: error });
    }
    await response.body?.cancel();
    if (!response.ok) {
      // Status only: the remote body is never echoed (see download).
      throw new OutputFailedError(`output ${where} answered HTTP ${response.status}`);
    }
  }
}

/** Fails the stream at the first byte beyond `maxBytes` (a missing or lying Content-Length cannot fill the disk). */
function capBytes(maxBytes: number, where: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(new InputTooLargeError(where, maxBytes));
      else callback(null, chunk);
    },
  });
}

/**
 * Converted segments (`jobs/{id}/segments/{i}.mp4`) carry the tag the output bucket's lifecycle
 * rule expires them by (final.mp4 has no tag and stays). See docs/deploy.md.
 */
function segmentOutputTagging(key: string): { Tagging?: string } {
  const parsed = parseObjectKey(key);
  if (!parsed.ok || parsed.value.kind !== 'segment-output') return {};
  return { Tagging: SEGMENT_OUTPUT_EXPIRY_TAGGING };
}

function s3InputError(error: unknown, uri: string): Error {
  if (error instanceof InputUnavailableError) return error;
  if (error instanceof S3ServiceException) {
    if (error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404) {
      return new InputNotFoundError(uri);
    }
    const status = error.$metadata.httpStatusCode ?? 500;
    return new InputUnavailableError(`cannot read ${uri}: ${error.name}: ${error.message}`, status === 403, {
      cause: error,
    });
  }
  if ((error as { name?: string }).name === 'AbortError') return error as Error;
  return new InputUnavailableError(`cannot read ${uri}: ${(error as Error).message}`, false, { cause: error });
}
