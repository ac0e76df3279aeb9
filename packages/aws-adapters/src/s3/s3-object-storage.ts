import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SEGMENT_OUTPUT_EXPIRY_TAGGING } from '@stereo-spot/contracts';
import {
  ObjectNotFoundError,
  type ObjectInfo,
  type ObjectStorage,
  type PresignedRequest,
  type PresignGetOptions,
  type PresignPutOptions,
} from '@stereo-spot/pipeline';
import { parseObjectKey } from '@stereo-spot/shared-types';
import { AwsAdapterError, awsErrorName, awsHttpStatus, callAws, wrapAwsError } from '../errors';
import { attachmentContentDisposition } from './content-disposition';

/** SigV4 presigned URLs live at most seven days. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 60 * 60;
/** Parts of a multipart upload; files below this go up in one PutObject. */
const MULTIPART_PART_BYTES = 16 * 1024 * 1024;

export interface S3ObjectStorageOptions {
  /** Signs presigned URLs (defaults to `client`); lets browsers use another endpoint than workers. */
  readonly presignClient?: S3Client;
  /** Clock for `expiresAt` (defaults to Date.now). */
  readonly now?: () => number;
}

/** One S3 bucket as the pipeline's ObjectStorage. */
export class S3ObjectStorage implements ObjectStorage {
  /** S3 cannot cap a presigned PUT: only the signed exact Content-Length limits it. */
  readonly uploadSizeMustBeAnnounced = true;
  private readonly presignClient: S3Client;
  private readonly now: () => number;

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    options: S3ObjectStorageOptions = {},
  ) {
    this.presignClient = options.presignClient ?? client;
    this.now = options.now ?? Date.now;
  }

  async putFile(
    key: string,
    filePath: string,
    options: { contentType?: string; ifAbsent?: boolean } = {},
  ): Promise<void> {
    await callAws(this.context('upload', key), async () => {
      const upload = new Upload({
        client: this.client,
        partSize: MULTIPART_PART_BYTES,
        queueSize: 4,
        leavePartsOnError: false,
        params: {
          ...this.putParams(key, options.contentType),
          // PutObject, or CompleteMultipartUpload for a large file, creates only.
          ...(options.ifAbsent === true ? { IfNoneMatch: '*' } : {}),
          Body: createReadStream(filePath),
        },
      });
      try {
        await upload.done();
      } catch (error) {
        // 412: the key exists; 409: a concurrent create-only write of the same key won.
        if (options.ifAbsent === true && [412, 409].includes(awsHttpStatus(error) ?? 0)) {
          throw new AwsAdapterError('OBJECT_EXISTS', `s3://${this.bucket}/${key} already exists`, false, {
            cause: error,
            ...(awsErrorName(error) !== undefined ? { awsErrorName: awsErrorName(error) as string } : {}),
          });
        }
        throw error;
      }
    });
  }

  async putBytes(
    key: string,
    body: Uint8Array | string,
    options: { contentType?: string } = {},
  ): Promise<void> {
    await callAws(this.context('PutObject', key), () =>
      this.client.send(new PutObjectCommand({ ...this.putParams(key, options.contentType), Body: body })),
    );
  }

  async getStream(key: string): Promise<Readable> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return response.Body as Readable;
    } catch (error) {
      throw this.notFoundOr(error, 'GetObject', key);
    }
  }

  async downloadToFile(key: string, filePath: string): Promise<void> {
    const body = await this.getStream(key);
    // Written beside the target and renamed, so a reader never sees half a file.
    const partial = `${filePath}.${randomUUID()}.partial`;
    try {
      await callAws(this.context('GetObject (body)', key), () => pipeline(body, createWriteStream(partial)));
      await rename(partial, filePath);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const response = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        key,
        size: response.ContentLength ?? 0,
        ...(response.LastModified !== undefined ? { lastModified: response.LastModified } : {}),
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw wrapAwsError(error, this.context('HeadObject', key));
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const objects: ObjectInfo[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await callAws(this.context('ListObjectsV2', `${prefix}*`), () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ...(continuationToken !== undefined ? { ContinuationToken: continuationToken } : {}),
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        objects.push({
          key: object.Key,
          size: object.Size ?? 0,
          ...(object.LastModified !== undefined ? { lastModified: object.LastModified } : {}),
        });
      }
      continuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
    // S3 lists in UTF-8 byte order; sort anyway so the contract does not rest on an emulator.
    return objects.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  async delete(key: string): Promise<void> {
    await callAws(this.context('DeleteObject', key), () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })),
    );
  }

  /**
   * A PUT URL for one key. S3 cannot cap the size of a presigned PUT (only a POST policy can), but
   * it can bind the exact size: with `contentLength` (the size the client announced) the
   * `Content-Length` header is signed into the URL and S3 refuses a PUT of any other length
   * (403 SignatureDoesNotMatch). Without it, `maxBytes` is checked only against `contentLength`
   * and S3's own 5 GiB single-PUT limit applies.
   */
  async presignPut(key: string, options: PresignPutOptions): Promise<PresignedRequest> {
    const expiresIn = checkExpiry(options.expiresInSeconds, key);
    const exactSize = options.contentLength;
    if (exactSize !== undefined) {
      if (!Number.isSafeInteger(exactSize) || exactSize < 0) {
        throw new AwsAdapterError(
          'INVALID_ARGUMENT',
          `contentLength must be a byte count, got ${exactSize}`,
          true,
        );
      }
      if (exactSize > options.maxBytes) {
        throw new AwsAdapterError(
          'INVALID_ARGUMENT',
          `upload of ${exactSize} bytes for ${key} is over the limit of ${options.maxBytes} bytes`,
          true,
        );
      }
    }
    const headers: Record<string, string> = {};
    if (exactSize !== undefined) headers['Content-Length'] = String(exactSize);
    if (options.contentType !== undefined) headers['Content-Type'] = options.contentType;
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ...(exactSize !== undefined ? { ContentLength: exactSize } : {}),
      ...(options.contentType !== undefined ? { ContentType: options.contentType } : {}),
    });
    const signedAt = this.now();
    const url = await callAws(this.context('presign PutObject', key), () =>
      getSignedUrl(this.presignClient, command, {
        expiresIn,
        signableHeaders: new Set(Object.keys(headers).map((name) => name.toLowerCase())),
        signingDate: new Date(signedAt),
      }),
    );
    return { url, method: 'PUT', headers, expiresAt: signedAt + expiresIn * 1000 };
  }

  async presignGet(key: string, options: PresignGetOptions): Promise<PresignedRequest> {
    const expiresIn = checkExpiry(options.expiresInSeconds, key);
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ...(options.downloadFileName !== undefined
        ? { ResponseContentDisposition: attachmentContentDisposition(options.downloadFileName) }
        : {}),
    });
    const signedAt = this.now();
    const url = await callAws(this.context('presign GetObject', key), () =>
      getSignedUrl(this.presignClient, command, { expiresIn, signingDate: new Date(signedAt) }),
    );
    return { url, method: 'GET', headers: {}, expiresAt: signedAt + expiresIn * 1000 };
  }

  private putParams(key: string, contentType: string | undefined) {
    const parsed = parseObjectKey(key);
    const expires = parsed.ok && parsed.value.kind === 'segment-output';
    return {
      Bucket: this.bucket,
      Key: key,
      ContentType: contentType ?? (key.endsWith('.mp4') ? 'video/mp4' : 'application/octet-stream'),
      ...(expires ? { Tagging: SEGMENT_OUTPUT_EXPIRY_TAGGING } : {}),
    };
  }

  private notFoundOr(error: unknown, operation: string, key: string): unknown {
    return isNotFound(error)
      ? new ObjectNotFoundError(this.bucket, key)
      : wrapAwsError(error, this.context(operation, key));
  }

  private context(operation: string, key: string) {
    const parsed = parseObjectKey(key);
    return {
      operation: `S3 ${operation}`,
      resource: `s3://${this.bucket}/${key}`,
      jobId: parsed.ok ? parsed.value.jobId : undefined,
    };
  }
}

function isNotFound(error: unknown): boolean {
  const name = awsErrorName(error);
  return name === 'NoSuchKey' || name === 'NotFound';
}

function checkExpiry(seconds: number, key: string): number {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_PRESIGN_SECONDS) {
    throw new AwsAdapterError(
      'INVALID_ARGUMENT',
      `presigned URL for ${key}: expiry must be 1..${MAX_PRESIGN_SECONDS} whole seconds, got ${seconds}`,
      true,
    );
  }
  return seconds;
}
