import { createHash, createHmac } from 'node:crypto';

/**
 * Checks a SigV4 presigned URL the way S3 does: rebuild the canonical request from the URL and
 * the headers a client actually sends, sign it with the secret, compare. Written from the SigV4
 * specification, independent of the SDK that signed the URL, so a test can show which requests S3
 * would refuse (moto_server does not verify presigned signatures).
 */
export function presignedRequestMatches(
  method: string,
  url: string,
  sentHeaders: Readonly<Record<string, string>>,
  secretAccessKey: string,
): boolean {
  const parsed = new URL(url);
  const query = [...parsed.searchParams.entries()];
  const get = (name: string) => query.find(([key]) => key === name)?.[1];
  const signature = get('X-Amz-Signature');
  const credential = get('X-Amz-Credential');
  const amzDate = get('X-Amz-Date');
  const signedHeaderNames = get('X-Amz-SignedHeaders')?.split(';') ?? [];
  if (signature === undefined || credential === undefined || amzDate === undefined) return false;

  const headers = new Map(
    Object.entries({ host: parsed.host, ...sentHeaders }).map(([k, v]) => [k.toLowerCase(), v]),
  );
  if (signedHeaderNames.some((name) => !headers.has(name))) return false;
  const canonicalQuery = query
    .filter(([key]) => key !== 'X-Amz-Signature')
    .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const canonicalRequest = [
    method,
    parsed.pathname,
    canonicalQuery,
    ...signedHeaderNames.map((name) => `${name}:${(headers.get(name) ?? '').trim()}`),
    '',
    signedHeaderNames.join(';'),
    get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
  ].join('\n');
  const [, date, region, service] = credential.split('/');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${secretAccessKey}`, date ?? '');
  for (const part of [region ?? '', service ?? '', 'aws4_request']) key = hmac(key, part);
  return hmac(key, stringToSign).toString('hex') === signature;
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, value: string): Buffer {
  return createHmac('sha256', key).update(value, 'utf8').digest();
}
