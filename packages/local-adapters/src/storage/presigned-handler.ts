/**
 * Serves the embedded platform's presigned URLs over plain node:http, so the web-ui mounts them
 * with one call. GET supports single byte ranges (video players seek with them); PUT streams the
 * body to a temp file, refuses more than the signed size with 413, then commits atomically (which
 * fires the bucket's notifications). An upload URL is single use: `checkUpload` (the platform's
 * job check) may refuse it, and the object is created only when absent, so a replayed URL cannot
 * queue chunking again. Uploads must declare a media type (video, image or plain bytes).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ObjectNotFoundError, systemClock, type Clock } from '@stereo-spot/pipeline';
import { LocalAdapterError, ObjectExistsError, PayloadTooLargeError } from '../errors';
import type { FsObjectStorage } from './fs-object-storage';
import { PRESIGNED_PATH_PREFIX, type PresignedGrant, type PresignSigner } from './presign';

export type PresignedRequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface PresignedHandlerOptions {
  readonly signer: PresignSigner;
  readonly storages: readonly FsObjectStorage[];
  readonly clock?: Clock;
  /** Before a PUT is accepted: whether its link is single use, and a reason to refuse it (409). */
  readonly checkUpload?: (grant: PresignedGrant) => Promise<UploadCheck>;
}

export interface UploadCheck {
  /** A single-use link (a job's source): refused once the object exists, created only when absent. */
  readonly singleUse: boolean;
  readonly refusal?: string;
}

/** Returns false (and leaves `res` alone) when the request is not for a presigned path. */
export function createPresignedRequestHandler(options: PresignedHandlerOptions): PresignedRequestHandler {
  const clock = options.clock ?? systemClock;
  const byBucket = new Map(options.storages.map((storage) => [storage.bucket, storage]));
  return async (req, res) => {
    const requestUrl = req.url ?? '/';
    if (!requestUrl.startsWith(PRESIGNED_PATH_PREFIX)) return false;
    try {
      const verified = options.signer.verify(requestUrl, clock.now());
      if (!verified.ok) {
        const message =
          verified.reason === 'expired' ? 'this link has expired' : 'this link is not valid (bad or altered signature)';
        sendError(res, 403, verified.reason === 'expired' ? 'URL_EXPIRED' : 'URL_INVALID', message);
        return true;
      }
      const grant = verified.grant;
      const storage = byBucket.get(grant.bucket);
      if (storage === undefined) {
        sendError(res, 404, 'NO_SUCH_BUCKET', `no bucket ${grant.bucket}`);
        return true;
      }
      const method = req.method ?? 'GET';
      if (grant.method === 'GET' && (method === 'GET' || method === 'HEAD')) {
        await serveGet(storage, grant, req, res);
      } else if (grant.method === 'PUT' && method === 'PUT') {
        await servePut(storage, grant, req, res, options.checkUpload);
      } else {
        res.setHeader('Allow', grant.method === 'GET' ? 'GET, HEAD' : 'PUT');
        sendError(res, 405, 'METHOD_NOT_ALLOWED', `this link allows ${grant.method} only`);
      }
    } catch (error) {
      if (error instanceof ObjectNotFoundError) sendError(res, 404, 'NO_SUCH_KEY', 'the object does not exist');
      else if (error instanceof PayloadTooLargeError) sendError(res, 413, 'PAYLOAD_TOO_LARGE', error.message);
      else if (error instanceof ObjectExistsError) sendError(res, 409, 'UPLOAD_ALREADY_USED', ALREADY_USED);
      else if (error instanceof LocalAdapterError && error.permanent) sendError(res, 400, error.code, error.message);
      else if (!res.headersSent) sendError(res, 500, 'INTERNAL', 'the object could not be transferred');
      else res.destroy(error as Error);
    }
    return true;
  };
}

async function serveGet(
  storage: FsObjectStorage,
  grant: PresignedGrant,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const handle = await storage.openObject(grant.key);
  try {
    const info = await handle.stat();
    const size = info.size;
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', contentTypeOf(grant.key));
    res.setHeader('Last-Modified', info.mtime.toUTCString());
    res.setHeader('Cache-Control', 'private, max-age=0');
    if (grant.downloadFileName !== undefined) res.setHeader('Content-Disposition', attachment(grant.downloadFileName));

    const range = parseRange(req.headers.range, size);
    if (range === 'unsatisfiable') {
      res.setHeader('Content-Range', `bytes */${size}`);
      sendError(res, 416, 'RANGE_NOT_SATISFIABLE', `the object has ${size} bytes`);
      return;
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    res.statusCode = range === undefined ? 200 : 206;
    if (range !== undefined) res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    res.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    const stream = handle.createReadStream({ start, end, autoClose: false });
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      res.once('close', resolve);
      stream.pipe(res);
    });
  } finally {
    await handle.close();
  }
}

const ALREADY_USED = 'this upload link was already used: the file is uploaded; create a new job to upload again';
/** `video/*`, `image/*`, plain bytes, or none at all (a browser sends none for a type it does not know). */
const UPLOAD_MEDIA_TYPE = /^(|video\/[a-z0-9.+-]+|image\/[a-z0-9.+-]+|application\/octet-stream)$/;

async function servePut(
  storage: FsObjectStorage,
  grant: PresignedGrant,
  req: IncomingMessage,
  res: ServerResponse,
  checkUpload: PresignedHandlerOptions['checkUpload'],
): Promise<void> {
  const check = (await checkUpload?.(grant)) ?? { singleUse: false };
  const refusal = check.refusal ?? (check.singleUse && (await storage.head(grant.key)) ? ALREADY_USED : undefined);
  if (refusal !== undefined) {
    sendError(res, 409, 'UPLOAD_ALREADY_USED', refusal);
    return;
  }
  const maxBytes = grant.maxBytes ?? Number.MAX_SAFE_INTEGER;
  const declaredHeader = req.headers['content-length'];
  const declared = declaredHeader === undefined ? undefined : Number(declaredHeader);
  if (declared !== undefined && declared > maxBytes) throw new PayloadTooLargeError(maxBytes);
  if (grant.contentLength !== undefined && declared !== undefined && declared !== grant.contentLength) {
    sendError(res, 403, 'CONTENT_LENGTH_MISMATCH', `this link is for an upload of exactly ${grant.contentLength} bytes`);
    return;
  }
  if (grant.contentType !== undefined && mediaType(req.headers['content-type']) !== mediaType(grant.contentType)) {
    sendError(res, 403, 'CONTENT_TYPE_MISMATCH', `this link requires Content-Type: ${grant.contentType}`);
    return;
  }
  const sentType = mediaType(req.headers['content-type']);
  if (!UPLOAD_MEDIA_TYPE.test(sentType)) {
    sendError(
      res,
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `uploads are video/*, image/* or application/octet-stream, not ${JSON.stringify(sentType.slice(0, 100))}`,
    );
    return;
  }
  await storage.putStream(grant.key, req, {
    maxBytes,
    ifAbsent: check.singleUse,
    ...(grant.contentLength !== undefined ? { exactBytes: grant.contentLength } : {}),
  });
  res.statusCode = 200;
  res.setHeader('Content-Length', '0');
  res.end();
}

/** One `bytes=a-b` / `bytes=a-` / `bytes=-n` range; several ranges are served as the whole object. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

function contentTypeOf(key: string): string {
  const extension = key.slice(key.lastIndexOf('.') + 1).toLowerCase();
  const types: Record<string, string> = {
    mp4: 'video/mp4',
    json: 'application/json',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    txt: 'text/plain; charset=utf-8',
  };
  return types[extension] ?? 'application/octet-stream';
}

function mediaType(value: string | undefined): string {
  return (value ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/** RFC 6266: an ASCII fallback plus the UTF-8 name. */
function attachment(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  res.statusCode = status;
  res.removeHeader('Content-Disposition');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', String(Buffer.byteLength(body)));
  res.end(body);
}
