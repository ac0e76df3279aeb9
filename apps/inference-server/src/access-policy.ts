/**
 * What an `/invocations` request may make the server touch: only the configured buckets, with
 * the keys the pipeline itself writes (a source segment in, a converted segment out), and URLs
 * only on the configured hosts. Everything else is refused before a byte moves, so the server
 * cannot be pointed at the machine's loopback services, its metadata endpoint or another bucket.
 */
import { parseSegmentKey, parseSegmentOutputKey } from '@stereo-spot/shared-types';
import { InvalidInvocationError } from './errors';
import type { Invocation, Location } from './request';

export interface AccessPolicy {
  /** `host[:port]` (port as written in the URL, none for the scheme's default) or `*.domain`. */
  readonly allowedUrlHosts: readonly string[];
  readonly inputBucket?: string;
  readonly outputBucket?: string;
}

/** The only header a caller may ask the output PUT to carry, and its only values. */
const OUTPUT_HEADER_VALUES: Readonly<Record<string, readonly string[]>> = { 'content-type': ['video/mp4'] };

export function checkInvocation(invocation: Invocation, policy: AccessPolicy): Invocation {
  checkLocation('input', invocation.input, policy);
  checkLocation('output', invocation.output, policy);
  if (invocation.output.kind === 'url') {
    return { ...invocation, output: { ...invocation.output, headers: checkOutputHeaders(invocation.output.headers) } };
  }
  return invocation;
}

function checkLocation(role: 'input' | 'output', location: Location, policy: AccessPolicy): void {
  if (location.kind === 'url') {
    const url = new URL(location.url);
    if (url.username !== '' || url.password !== '') {
      throw new InvalidInvocationError(`${role}_url: credentials in the URL are not accepted`);
    }
    if (!isAllowedHost(url.host.toLowerCase(), policy.allowedUrlHosts)) {
      throw new InvalidInvocationError(
        `${role}_url: host ${url.host} is not in INFERENCE_ALLOWED_URL_HOSTS` +
          (policy.allowedUrlHosts.length === 0 ? ' (empty: this server takes s3:// URIs only)' : ''),
      );
    }
    return;
  }
  const field = role === 'input' ? 's3_input_uri' : 's3_output_uri';
  const bucket = role === 'input' ? policy.inputBucket : policy.outputBucket;
  const bucketVariable = role === 'input' ? 'INPUT_BUCKET_NAME' : 'OUTPUT_BUCKET_NAME';
  if (bucket === undefined) {
    throw new InvalidInvocationError(`${field}: this server has no ${bucketVariable}, so it takes no s3:// ${role}`);
  }
  if (location.bucket !== bucket) {
    throw new InvalidInvocationError(`${field}: bucket ${location.bucket} is not this server's ${bucketVariable}`);
  }
  const parsed = role === 'input' ? parseSegmentKey(location.key) : parseSegmentOutputKey(location.key);
  if (!parsed.ok) throw new InvalidInvocationError(`${field}: ${parsed.error.message}`);
}

export function isAllowedHost(host: string, allowed: readonly string[]): boolean {
  return allowed.some((entry) =>
    entry.startsWith('*.') ? host.endsWith(entry.slice(1)) && host.length > entry.length - 1 : host === entry,
  );
}

function checkOutputHeaders(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    const allowedValues = OUTPUT_HEADER_VALUES[lower];
    if (allowedValues === undefined) {
      throw new InvalidInvocationError(`output_headers: ${JSON.stringify(name)} is not accepted (only Content-Type)`);
    }
    if (!allowedValues.includes(value)) {
      throw new InvalidInvocationError(`output_headers: ${name} must be one of ${allowedValues.join(', ')}`);
    }
    checked[lower] = value;
  }
  return checked;
}
