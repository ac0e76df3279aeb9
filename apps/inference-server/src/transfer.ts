/**
 * Moves the segment in and the result out: S3 URIs through the server's own credentials, or
 * presigned URLs with plain HTTP (no credentials on the inference machine).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { SEGMENT_OUTPUT_EXPIRY_TAG } from '@stereo-spot/aws-adapters';
import { parseObjectKey } from '@stereo-spot/shared-types';
import { InputNotFoundError, InputUnavailableError, OutputFailedError } from './errors';
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

export class Transfer {
  constructor(private readonly s3: S3Client) {}

  /** Downloads the input to `filePath`; returns its size in bytes. */
  async download(from: Location, filePath: string, signal: AbortSignal): Promise<number> {
    if (from.kind === 's3') {
      try {
        const object = await this.s3.send(new GetObjectCommand({ Bucket: from.bucket, Key: from.key }), {
          abortSignal: signal,
        });
        if (!object.Body) throw new InputUnavailableError(`empty response for ${from.uri}`, false);
        await pipeline(object.Body as Readable, createWriteStream(filePath), { signal });
      } catch (error) {
        throw s3InputError(error, from.uri);
      }
    } else {
      const where = describeLocation(from);
      let response: Response;
      try {
        response = await fetch(from.url, { signal });
      } catch (error) {
        throw new InputUnavailableError(`cannot fetch input ${where}: ${(error as Error).message}`, false, {
          cause: error,
        });
      }
      if (response.status === 404) throw new InputNotFoundError(where);
      if (!response.ok || !response.body) {
        // 4xx (expired or wrongly signed URL) will not get better by retrying; 5xx may.
        throw new InputUnavailableError(
          `input ${where} answered HTTP ${response.status}${await snippet(response)}`,
          response.status < 500,
        );
      }
      await pipeline(Readable.fromWeb(response.body as WebReadableStream), createWriteStream(filePath), { signal });
    }
    return (await stat(filePath)).size;
  }

  async upload(filePath: string, to: Location, signal: AbortSignal): Promise<void> {
    const size = (await stat(filePath)).size;
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
          { abortSignal: signal },
        );
      } catch (error) {
        throw new OutputFailedError(`cannot write ${to.uri}: ${(error as Error).message}`, { cause: error });
      }
      return;
    }
    const where = describeLocation(to);
    let response: Response;
    try {
      response = await fetch(to.url, {
        method: 'PUT',
        headers: { 'content-length': String(size), ...to.headers },
        body: Readable.toWeb(createReadStream(filePath)) as unknown as NonNullable<RequestInit['body']>,
        duplex: 'half',
        signal,
      } as RequestInit);
    } catch (error) {
      throw new OutputFailedError(`cannot upload to ${where}: ${(error as Error).message}`, { cause: error });
    }
    if (!response.ok) {
      throw new OutputFailedError(`output ${where} answered HTTP ${response.status}${await snippet(response)}`);
    }
    await response.body?.cancel();
  }
}

/**
 * Converted segments (`jobs/{id}/segments/{i}.mp4`) carry the tag the output bucket's lifecycle
 * rule expires them by (final.mp4 has no tag and stays). See docs/deploy.md.
 */
function segmentOutputTagging(key: string): { Tagging?: string } {
  const parsed = parseObjectKey(key);
  if (!parsed.ok || parsed.value.kind !== 'segment-output') return {};
  return {
    Tagging: new URLSearchParams([[SEGMENT_OUTPUT_EXPIRY_TAG.key, SEGMENT_OUTPUT_EXPIRY_TAG.value]]).toString(),
  };
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

/** A short piece of an error body (S3 answers XML with the reason) for the message. */
async function snippet(response: Response): Promise<string> {
  try {
    const text = (await response.text()).replace(/\s+/g, ' ').trim();
    return text ? `: ${text.slice(0, 300)}` : '';
  } catch {
    return '';
  }
}
