/**
 * Presigned URLs of the embedded platform: HMAC-SHA256 over everything the URL grants (method,
 * bucket, key, expiry, size limit, content type, download name) with a secret kept in
 * `<home>/secret`. Verification is constant-time and refuses expired or altered URLs.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where presigned URLs are served (see presigned-handler.ts). */
export const PRESIGNED_PATH_PREFIX = '/presigned/';

export interface PresignedGrant {
  readonly method: 'GET' | 'PUT';
  readonly bucket: string;
  readonly key: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  /** PUT only: the largest accepted body. */
  readonly maxBytes?: number;
  /** PUT only: the exact body size the client announced. */
  readonly contentLength?: number;
  /** PUT only: the Content-Type the client must send. */
  readonly contentType?: string;
  /** GET only: served with `Content-Disposition: attachment` under this name. */
  readonly downloadFileName?: string;
}

export type VerifyOutcome =
  | { readonly ok: true; readonly grant: PresignedGrant }
  | { readonly ok: false; readonly reason: 'malformed' | 'bad-signature' | 'expired' };

const SECRET_BYTES = 32;

/**
 * Reads `<home>/secret`, creating it (mode 0600) when missing. Creation is a hard link of a fully
 * written temp file, so concurrent processes agree on one secret and never read a partial one.
 */
export function loadOrCreateSecret(home: string): Buffer {
  const file = path.join(home, 'secret');
  try {
    return readSecret(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, randomBytes(SECRET_BYTES).toString('hex'), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temp);
  }
  return readSecret(file);
}

function readSecret(file: string): Buffer {
  const text = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64,}$/.test(text)) throw new Error(`${file} is not a stereo-spot secret (expected hex)`);
  return Buffer.from(text, 'hex');
}

export class PresignSigner {
  constructor(private readonly secret: Buffer) {}

  /** The URL for `grant` under `baseUrl` (no trailing slash). */
  url(baseUrl: string, grant: PresignedGrant): string {
    const url = new URL(`${baseUrl}${PRESIGNED_PATH_PREFIX}${encodeURIComponent(grant.bucket)}/${encodeKey(grant.key)}`);
    url.searchParams.set('method', grant.method);
    url.searchParams.set('expires', String(grant.expiresAt));
    if (grant.maxBytes !== undefined) url.searchParams.set('max_bytes', String(grant.maxBytes));
    if (grant.contentLength !== undefined) url.searchParams.set('content_length', String(grant.contentLength));
    if (grant.contentType !== undefined) url.searchParams.set('content_type', grant.contentType);
    if (grant.downloadFileName !== undefined) url.searchParams.set('download_name', grant.downloadFileName);
    url.searchParams.set('signature', this.sign(grant));
    return url.toString();
  }

  /** Checks a request path + query (e.g. `req.url`) against its signature and expiry. */
  verify(requestUrl: string, now: number): VerifyOutcome {
    const parsed = parseGrant(requestUrl);
    if (parsed === undefined) return { ok: false, reason: 'malformed' };
    const expected = Buffer.from(this.sign(parsed.grant), 'utf8');
    const given = Buffer.from(parsed.signature, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, reason: 'bad-signature' };
    }
    if (now > parsed.grant.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, grant: parsed.grant };
  }

  private sign(grant: PresignedGrant): string {
    // A JSON array: no delimiter in a key or file name can shift one field into another.
    const canonical = JSON.stringify([
      'stereo-spot-presigned-v1',
      grant.method,
      grant.bucket,
      grant.key,
      grant.expiresAt,
      grant.maxBytes ?? null,
      grant.contentLength ?? null,
      grant.contentType ?? null,
      grant.downloadFileName ?? null,
    ]);
    return createHmac('sha256', this.secret).update(canonical, 'utf8').digest('base64url');
  }
}

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

function parseGrant(requestUrl: string): { grant: PresignedGrant; signature: string } | undefined {
  let url: URL;
  try {
    url = new URL(requestUrl, 'http://presigned.invalid');
  } catch {
    return undefined;
  }
  if (!url.pathname.startsWith(PRESIGNED_PATH_PREFIX)) return undefined;
  const rest = url.pathname.slice(PRESIGNED_PATH_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  let bucket: string;
  let key: string;
  try {
    bucket = decodeURIComponent(rest.slice(0, slash));
    key = rest
      .slice(slash + 1)
      .split('/')
      .map((segment) => decodeURIComponent(segment))
      .join('/');
  } catch {
    return undefined;
  }
  const query = url.searchParams;
  const method = query.get('method');
  const expires = Number(query.get('expires'));
  const signature = query.get('signature');
  if ((method !== 'GET' && method !== 'PUT') || !Number.isSafeInteger(expires) || signature === null) return undefined;
  const maxBytesText = query.get('max_bytes');
  const maxBytes = maxBytesText === null ? undefined : Number(maxBytesText);
  if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes >= 0)) return undefined;
  const contentLengthText = query.get('content_length');
  const contentLength = contentLengthText === null ? undefined : Number(contentLengthText);
  if (contentLength !== undefined && !(Number.isSafeInteger(contentLength) && contentLength >= 0)) return undefined;
  const contentType = query.get('content_type') ?? undefined;
  const downloadFileName = query.get('download_name') ?? undefined;
  return {
    signature,
    grant: {
      method,
      bucket,
      key,
      expiresAt: expires,
      ...(maxBytes !== undefined ? { maxBytes } : {}),
      ...(contentLength !== undefined ? { contentLength } : {}),
      ...(contentType !== undefined ? { contentType } : {}),
      ...(downloadFileName !== undefined ? { downloadFileName } : {}),
    },
  };
}
