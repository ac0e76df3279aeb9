import type { Readable } from 'node:stream';

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  readonly lastModified?: Date;
}

/** A URL that lets a client without credentials read or write one object until it expires. */
export interface PresignedRequest {
  readonly url: string;
  readonly method: 'GET' | 'PUT';
  /** Headers the client must send with the request (e.g. Content-Type, Content-Length). */
  readonly headers: Readonly<Record<string, string>>;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

export interface PresignPutOptions {
  readonly expiresInSeconds: number;
  /** Refuse bodies larger than this where the platform can enforce it. */
  readonly maxBytes: number;
  readonly contentType?: string;
  /**
   * The exact size the client announced (e.g. `file_size` of `POST /api/jobs`). When set, the URL
   * accepts only a body of exactly this size (S3 signs `Content-Length`); must be ≤ `maxBytes`.
   */
  readonly contentLength?: number;
}

export interface PresignGetOptions {
  readonly expiresInSeconds: number;
  /** When set, the response asks the browser to save the object under this name. */
  readonly downloadFileName?: string;
}

/**
 * One bucket. On AWS an S3 bucket; embedded, a folder with atomic writes. Keys are the canonical
 * keys from shared-types; adapters never invent keys.
 */
export interface ObjectStorage {
  /** Bucket name (for logs and S3 URIs). */
  readonly bucket: string;
  /**
   * True where a presigned PUT can bind only an exact size, never a maximum (S3: `Content-Length`
   * is signed, or any size up to 5 GiB goes through). Upload URLs then need `contentLength`, so
   * `createJob` requires `file_size` and MAX_UPLOAD_BYTES cannot be bypassed.
   */
  readonly uploadSizeMustBeAnnounced?: boolean;
  /**
   * With `ifAbsent` (S3's `If-None-Match: *`) the object is only created, never replaced: when the
   * key exists the put throws an error with `code: 'OBJECT_EXISTS'` (see `isObjectExists`), so an
   * output another worker may be reading is never rewritten.
   */
  putFile(key: string, filePath: string, options?: { contentType?: string; ifAbsent?: boolean }): Promise<void>;
  putBytes(key: string, body: Uint8Array | string, options?: { contentType?: string }): Promise<void>;
  /** Throws ObjectNotFoundError when the key does not exist. */
  getStream(key: string): Promise<Readable>;
  /** Throws ObjectNotFoundError when the key does not exist. */
  downloadToFile(key: string, filePath: string): Promise<void>;
  /** `undefined` when the key does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Every object under the prefix, in key order. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  presignPut(key: string, options: PresignPutOptions): Promise<PresignedRequest>;
  presignGet(key: string, options: PresignGetOptions): Promise<PresignedRequest>;
}
