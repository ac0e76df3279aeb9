/**
 * Presigned URLs are bearer credentials: whoever reads one may download or replace the object
 * until it expires. No log line may carry one, at any level. The query string of any URL or path
 * that carries a signature (the embedded `signature`, S3's `X-Amz-Signature`, `X-Amz-Credential`,
 * `X-Amz-Security-Token`, SigV2's `Signature`/`AWSAccessKeyId`; also percent-encoded inside
 * another URL) is replaced with `?[signed query redacted]`; the path, which names the object,
 * stays for diagnosis.
 */
export const REDACTED_QUERY = '?[signed query redacted]';

// Stops at a backslash too: lines are JSON, where `\"` ends a string.
const QUERY = /\?[^\s"'<>`\\]*/g;
const SIGNED_PARAMETER = /(?:^|[?&]|%26|%3F)(?:signature|x-amz-signature|x-amz-credential|x-amz-security-token|awsaccesskeyid)(?:=|%3D)/i;

/** `text` with the signed query strings it contains replaced. */
export function redactSignedUrls(text: string): string {
  if (!text.includes('?')) return text;
  return text.replace(QUERY, (query) => (SIGNED_PARAMETER.test(query) ? REDACTED_QUERY : query));
}
