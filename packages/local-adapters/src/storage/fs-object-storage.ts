/**
 * One bucket as a folder: `<home>/buckets/<bucket>/<key>`. Writes go to a temp file under
 * `<home>/tmp` and are renamed into place, so readers in any process see a whole object or none.
 * Notification rules do what S3 event notifications do: every created object whose key matches a
 * rule's prefix and suffix sends one message (the embedded platform's objects-created message) to
 * the rule's queue.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, copyFile, link, mkdir, open, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  ObjectNotFoundError,
  systemClock,
  type Clock,
  type ObjectInfo,
  type ObjectStorage,
  type PresignedRequest,
  type PresignGetOptions,
  type PresignPutOptions,
  type Queue,
} from '@stereo-spot/pipeline';
import { InvalidArgumentError, ObjectExistsError, PayloadTooLargeError } from '../errors';
import { PRIVATE_DIR, PRIVATE_FILE } from '../private-files';
import { assertValidBucketName, assertValidKey, assertValidPrefix, keyToPath } from './object-keys';
import { localObjectEventFormat } from './object-events';
import type { PresignSigner } from './presign';

/** A notification rule: objects created under `prefix` ending in `suffix` → a message on `queue`. */
export interface NotificationRule {
  readonly prefix: string;
  readonly suffix: string;
  readonly queue: Queue;
}

export interface FsObjectStorageOptions {
  readonly bucket: string;
  /** The STEREO_SPOT_HOME folder. */
  readonly home: string;
  readonly signer: PresignSigner;
  /** Where presigned URLs point (the web-ui); a function when it is known only once it listens. */
  readonly publicBaseUrl: string | (() => string);
  readonly notifications?: readonly NotificationRule[];
  readonly clock?: Clock;
}

/** Presigned URLs may live at most 7 days, as on S3. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 60 * 60;

export class FsObjectStorage implements ObjectStorage {
  readonly bucket: string;
  /** The bucket's folder. */
  readonly root: string;
  private readonly tempDir: string;
  private readonly notifications: NotificationRule[];
  private readonly clock: Clock;

  constructor(private readonly options: FsObjectStorageOptions) {
    assertValidBucketName(options.bucket);
    this.bucket = options.bucket;
    this.root = path.resolve(options.home, 'buckets', options.bucket);
    this.tempDir = path.resolve(options.home, 'tmp');
    this.notifications = [...(options.notifications ?? [])];
    this.clock = options.clock ?? systemClock;
  }

  /** Adds a notification rule (S3's PutBucketNotificationConfiguration, one rule at a time). */
  addNotification(rule: NotificationRule): void {
    this.notifications.push(rule);
  }

  async putFile(key: string, filePath: string, options: { ifAbsent?: boolean } = {}): Promise<void> {
    assertValidKey(key);
    const temp = await this.newTempFile();
    try {
      await copyFile(filePath, temp);
      await chmod(temp, PRIVATE_FILE); // copyFile keeps the source's (often world-readable) mode
      await this.commit(key, temp, options.ifAbsent === true);
    } finally {
      await rm(temp, { force: true });
    }
  }

  async putBytes(key: string, body: Uint8Array | string): Promise<void> {
    assertValidKey(key);
    const temp = await this.newTempFile();
    try {
      await writeFile(temp, body, { mode: PRIVATE_FILE });
      await this.commit(key, temp);
    } finally {
      await rm(temp, { force: true });
    }
  }

  /**
   * Streams `body` into a temp file, refusing more than `maxBytes` (PayloadTooLargeError) or a size
   * other than `exactBytes`, then commits it. With `ifAbsent` (S3's `If-None-Match: *`) the object
   * is created only when it does not exist yet (ObjectExistsError). Returns the size.
   */
  async putStream(
    key: string,
    body: Readable,
    limits: { readonly maxBytes?: number; readonly exactBytes?: number; readonly ifAbsent?: boolean } = {},
  ): Promise<number> {
    assertValidKey(key);
    const maxBytes = Math.min(limits.maxBytes ?? Number.MAX_SAFE_INTEGER, limits.exactBytes ?? Number.MAX_SAFE_INTEGER);
    const temp = await this.newTempFile();
    try {
      let size = 0;
      await pipeline(
        body,
        async function* limit(source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length;
            if (size > maxBytes) throw new PayloadTooLargeError(maxBytes);
            yield chunk;
          }
        },
        createWriteStream(temp, { mode: PRIVATE_FILE }),
      );
      if (limits.exactBytes !== undefined && size !== limits.exactBytes) {
        throw new InvalidArgumentError(`the upload has ${size} bytes, but this link is for exactly ${limits.exactBytes}`);
      }
      await this.commit(key, temp, limits.ifAbsent === true);
      return size;
    } finally {
      await rm(temp, { force: true });
    }
  }

  async getStream(key: string): Promise<Readable> {
    const handle = await this.openObject(key);
    return handle.createReadStream();
  }

  async downloadToFile(key: string, filePath: string): Promise<void> {
    const source = this.pathOf(key);
    await mkdir(path.dirname(filePath), { recursive: true });
    try {
      await copyFile(source, filePath);
    } catch (error) {
      throw isMissing(error) ? new ObjectNotFoundError(this.bucket, key) : error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? { key, size: info.size, lastModified: info.mtime } : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    assertValidPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const directoryKey = slash < 0 ? '' : prefix.slice(0, slash);
    const start = directoryKey === '' ? this.root : path.join(this.root, ...directoryKey.split('/'));
    const found: ObjectInfo[] = [];
    await this.walk(start, directoryKey, prefix, found);
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    await rm(file, { force: true });
    await this.pruneEmptyFolders(path.dirname(file));
  }

  async presignPut(key: string, options: PresignPutOptions): Promise<PresignedRequest> {
    assertValidKey(key);
    if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < 1) {
      throw new InvalidArgumentError(`maxBytes must be a positive integer, got ${options.maxBytes}`);
    }
    const { contentLength } = options;
    if (contentLength !== undefined && !(Number.isSafeInteger(contentLength) && contentLength >= 0)) {
      throw new InvalidArgumentError(`contentLength must be a byte count, got ${contentLength}`);
    }
    if (contentLength !== undefined && contentLength > options.maxBytes) throw new PayloadTooLargeError(options.maxBytes);
    const expiresAt = this.expiry(options.expiresInSeconds);
    const url = this.options.signer.url(this.baseUrl(), {
      method: 'PUT',
      bucket: this.bucket,
      key,
      expiresAt,
      maxBytes: options.maxBytes,
      ...(contentLength !== undefined ? { contentLength } : {}),
      ...(options.contentType !== undefined ? { contentType: options.contentType } : {}),
    });
    const headers: Record<string, string> = {
      ...(options.contentType !== undefined ? { 'Content-Type': options.contentType } : {}),
      ...(contentLength !== undefined ? { 'Content-Length': String(contentLength) } : {}),
    };
    return { url, method: 'PUT', headers, expiresAt };
  }

  async presignGet(key: string, options: PresignGetOptions): Promise<PresignedRequest> {
    assertValidKey(key);
    const expiresAt = this.expiry(options.expiresInSeconds);
    const url = this.options.signer.url(this.baseUrl(), {
      method: 'GET',
      bucket: this.bucket,
      key,
      expiresAt,
      ...(options.downloadFileName !== undefined ? { downloadFileName: options.downloadFileName } : {}),
    });
    return { url, method: 'GET', headers: {}, expiresAt };
  }

  /** Opens the object for reading; throws ObjectNotFoundError. The handle sees one whole version. */
  async openObject(key: string) {
    try {
      const handle = await open(this.pathOf(key), 'r');
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        throw new ObjectNotFoundError(this.bucket, key);
      }
      return handle;
    } catch (error) {
      throw isMissing(error) || (error as NodeJS.ErrnoException).code === 'EISDIR'
        ? new ObjectNotFoundError(this.bucket, key)
        : error;
    }
  }

  private pathOf(key: string): string {
    return keyToPath(this.root, key);
  }

  private baseUrl(): string {
    const base = typeof this.options.publicBaseUrl === 'function' ? this.options.publicBaseUrl() : this.options.publicBaseUrl;
    return base.replace(/\/+$/, '');
  }

  private expiry(seconds: number): number {
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_PRESIGN_SECONDS) {
      throw new InvalidArgumentError(`expiresInSeconds must be from 1 to ${MAX_PRESIGN_SECONDS}, got ${seconds}`);
    }
    return this.clock.now() + Math.round(seconds * 1000);
  }

  private async newTempFile(): Promise<string> {
    await mkdir(this.tempDir, { recursive: true, mode: PRIVATE_DIR });
    return path.join(this.tempDir, `${this.bucket}.${process.pid}.${randomBytes(8).toString('hex')}.part`);
  }

  /**
   * Moves the finished temp file into place (rename; a hard link when it must not replace an
   * existing object, which fails atomically if one appeared), then sends the notifications.
   */
  private async commit(key: string, temp: string, ifAbsent = false): Promise<void> {
    const target = this.pathOf(key);
    // A concurrent delete may prune the folder between mkdir and rename: try again.
    for (let attempt = 1; ; attempt++) {
      await mkdir(path.dirname(target), { recursive: true, mode: PRIVATE_DIR });
      try {
        if (ifAbsent) await link(temp, target);
        else await rename(temp, target);
        break;
      } catch (error) {
        if (ifAbsent && (error as NodeJS.ErrnoException).code === 'EEXIST') throw new ObjectExistsError(this.bucket, key);
        if (!isMissing(error) || attempt >= 5) throw error;
      }
    }
    const { size } = await stat(target);
    for (const rule of this.notifications) {
      if (key.startsWith(rule.prefix) && key.endsWith(rule.suffix)) {
        await rule.queue.send(localObjectEventFormat.encodeCreated({ key, size }));
      }
    }
  }

  private async walk(directory: string, directoryKey: string, prefix: string, found: ObjectInfo[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return;
      throw error;
    }
    for (const entry of entries) {
      const key = directoryKey === '' ? entry.name : `${directoryKey}/${entry.name}`;
      if (entry.isDirectory()) {
        // Descend only where keys can still start with the prefix.
        if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) {
          await this.walk(path.join(directory, entry.name), key, prefix, found);
        }
      } else if (entry.isFile() && key.startsWith(prefix)) {
        try {
          const info = await stat(path.join(directory, entry.name));
          found.push({ key, size: info.size, lastModified: info.mtime });
        } catch (error) {
          if (!isMissing(error)) throw error; // deleted while listing
        }
      }
    }
  }

  private async pruneEmptyFolders(directory: string): Promise<void> {
    let current = directory;
    while (current.startsWith(this.root + path.sep)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty, already gone, or in use: leave it
      }
      current = path.dirname(current);
    }
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
