import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ObjectNotFoundError } from '../errors';
import type {
  ObjectInfo,
  ObjectStorage,
  PresignedRequest,
  PresignGetOptions,
  PresignPutOptions,
} from '../ports/object-storage';
import type { Queue } from '../ports/queue';
import { objectsCreatedMessageFormat } from '../ports/object-events';

/** A notification rule: objects created under `prefix` ending in `suffix` → an objects-created message on `queue`. */
export interface MemoryNotificationRule {
  readonly prefix: string;
  readonly suffix: string;
  readonly queue: Queue;
}

interface Grant {
  readonly key: string;
  readonly method: 'GET' | 'PUT';
  readonly expiresAt: number;
  readonly maxBytes?: number;
  readonly contentLength?: number;
  readonly contentType?: string;
  readonly downloadFileName?: string;
}

/**
 * A bucket in memory. Created objects send objects-created messages to the queues of matching
 * rules, and `onPut` sees every created key. Presigned URLs are real: the first presign starts a
 * loopback HTTP server (unref'd; `close()` stops it) that accepts a PUT up to the signed size and
 * serves GET with byte ranges, so a client can use them with plain `fetch`.
 * Tests may read `objects` and `presignedPuts`.
 */
export class MemoryStorage implements ObjectStorage {
  readonly objects = new Map<string, Buffer>();
  readonly presignedPuts: { key: string; options: PresignPutOptions }[] = [];
  onPut: (key: string) => void = () => undefined;
  private readonly grants = new Map<string, Grant>();
  private server: Promise<{ server: Server; baseUrl: string }> | undefined;

  constructor(
    readonly bucket: string,
    private readonly notifications: readonly MemoryNotificationRule[] = [],
  ) {}

  async putFile(key: string, filePath: string, options: { ifAbsent?: boolean } = {}): Promise<void> {
    if (options.ifAbsent === true && this.objects.has(key)) {
      throw Object.assign(new Error(`${this.bucket}/${key} already exists`), { code: 'OBJECT_EXISTS' });
    }
    await this.created(key, await readFile(filePath));
  }
  async putBytes(key: string, body: Uint8Array | string): Promise<void> {
    await this.created(key, Buffer.from(body));
  }
  private async created(key: string, body: Buffer): Promise<void> {
    this.objects.set(key, body);
    for (const rule of this.notifications) {
      if (key.startsWith(rule.prefix) && key.endsWith(rule.suffix)) {
        await rule.queue.send(objectsCreatedMessageFormat.encodeCreated({ key, size: body.length }));
      }
    }
    this.onPut(key);
  }
  private body(key: string): Buffer {
    const body = this.objects.get(key);
    if (body === undefined) throw new ObjectNotFoundError(this.bucket, key);
    return body;
  }
  async getStream(key: string): Promise<Readable> {
    return Readable.from([this.body(key)]);
  }
  async downloadToFile(key: string, filePath: string): Promise<void> {
    const body = this.body(key);
    await mkdir(path.dirname(filePath), { recursive: true });
    await writeFile(filePath, body);
  }
  async head(key: string): Promise<ObjectInfo | undefined> {
    const body = this.objects.get(key);
    return body && { key, size: body.length };
  }
  async list(prefix: string): Promise<ObjectInfo[]> {
    return [...this.objects]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, body]) => ({ key, size: body.length }));
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  async presignPut(key: string, options: PresignPutOptions): Promise<PresignedRequest> {
    this.presignedPuts.push({ key, options });
    const grant: Grant = {
      key,
      method: 'PUT',
      expiresAt: Date.now() + options.expiresInSeconds * 1000,
      maxBytes: options.maxBytes,
      ...(options.contentLength !== undefined ? { contentLength: options.contentLength } : {}),
      ...(options.contentType !== undefined ? { contentType: options.contentType } : {}),
    };
    const headers: Record<string, string> = options.contentType !== undefined ? { 'Content-Type': options.contentType } : {};
    return { url: await this.grantUrl(grant), method: 'PUT', headers, expiresAt: grant.expiresAt };
  }
  async presignGet(key: string, options: PresignGetOptions): Promise<PresignedRequest> {
    const grant: Grant = {
      key,
      method: 'GET',
      expiresAt: Date.now() + options.expiresInSeconds * 1000,
      ...(options.downloadFileName !== undefined ? { downloadFileName: options.downloadFileName } : {}),
    };
    return { url: await this.grantUrl(grant), method: 'GET', headers: {}, expiresAt: grant.expiresAt };
  }

  /** Stops the presigned-URL server, if one was started. */
  async close(): Promise<void> {
    const started = await this.server;
    this.server = undefined;
    if (started !== undefined) await new Promise((resolve) => started.server.close(resolve));
  }

  private async grantUrl(grant: Grant): Promise<string> {
    const token = randomBytes(16).toString('hex');
    this.grants.set(token, grant);
    const { baseUrl } = await this.startServer();
    return `${baseUrl}/${encodeURIComponent(this.bucket)}/${grant.key.split('/').map(encodeURIComponent).join('/')}?token=${token}`;
  }

  private startServer(): Promise<{ server: Server; baseUrl: string }> {
    this.server ??= new Promise((resolve, reject) => {
      const server = createServer((req, res) => {
        this.serve(req, res).catch((error: unknown) => res.destroy(error as Error));
      });
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.unref();
        resolve({ server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      });
    });
    return this.server;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const grant = this.grants.get(url.searchParams.get('token') ?? '');
    if (grant === undefined || grant.expiresAt < Date.now()) return answer(res, 403, 'this link is not valid or has expired');
    if (req.method !== grant.method) return answer(res, 405, `this link allows ${grant.method} only`);
    if (grant.method === 'PUT') {
      if (grant.contentType !== undefined && req.headers['content-type'] !== grant.contentType) {
        return answer(res, 403, `this link requires Content-Type: ${grant.contentType}`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > (grant.maxBytes ?? Infinity)) return answer(res, 413, `the upload is over ${grant.maxBytes} bytes`);
        chunks.push(chunk);
      }
      if (grant.contentLength !== undefined && size !== grant.contentLength) {
        return answer(res, 403, `this link is for an upload of exactly ${grant.contentLength} bytes`);
      }
      await this.created(grant.key, Buffer.concat(chunks));
      return answer(res, 200, '');
    }
    const body = this.objects.get(grant.key);
    if (body === undefined) return answer(res, 404, 'the object does not exist');
    if (grant.downloadFileName !== undefined) {
      res.setHeader('Content-Disposition', `attachment; filename="${grant.downloadFileName.replace(/["\\]/g, '_')}"`);
    }
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (range === null) return answer(res, 200, body);
    const start = Number(range[1]);
    const end = Math.min(Number(range[2]), body.length - 1);
    if (start > end) return answer(res, 416, `the object has ${body.length} bytes`);
    res.setHeader('Content-Range', `bytes ${start}-${end}/${body.length}`);
    return answer(res, 206, body.subarray(start, end + 1));
  }
}

function answer(res: ServerResponse, status: number, body: string | Buffer): void {
  res.statusCode = status;
  res.end(body);
}
