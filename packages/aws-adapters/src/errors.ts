/**
 * The aws-adapters error hierarchy. Throttling and network errors are retried by the SDK's
 * standard retry mode first; what still fails reaches the caller as an AwsAdapterError whose
 * `permanent` flag says whether retrying can ever help (validation, access denied: no).
 */
export type AwsAdapterErrorCode =
  | 'AWS_REQUEST_FAILED'
  | 'INVALID_RECORD'
  | 'INVALID_CURSOR'
  | 'INVALID_ARGUMENT'
  | 'MISSING_RESOURCE_CONFIG'
  | 'OBJECT_EXISTS'
  | 'RECEIPT_HANDLE_INVALID';

export class AwsAdapterError extends Error {
  constructor(
    readonly code: AwsAdapterErrorCode,
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown; awsErrorName?: string; jobId?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.awsErrorName = options?.awsErrorName;
    this.jobId = options?.jobId;
  }

  /** The AWS error name (`AccessDenied`, `ValidationException`, ...) when AWS refused the request. */
  readonly awsErrorName: string | undefined;
  readonly jobId: string | undefined;
}

/** Errors that the same request can never get past: bad input, missing rights, missing resources. */
const PERMANENT_AWS_ERROR_NAMES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AllAccessDisabled',
  'AuthorizationError',
  'InvalidAccessKeyId',
  'InvalidClientTokenId',
  'InvalidSecurity',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'ValidationException',
  'ValidationError',
  'InvalidArgument',
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'InvalidRequest',
  'InvalidBucketName',
  'MissingParameter',
  'MalformedXML',
  'EntityTooLarge',
  'NoSuchBucket',
  'ResourceNotFoundException',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'InvalidMessageContents',
  'InvalidAttributeValue',
  'UnsupportedOperation',
]);

export interface AwsErrorContext {
  /** What was attempted, e.g. `S3 PutObject`. */
  readonly operation: string;
  /** Bucket/key, table or queue the request was about. */
  readonly resource: string;
  /** The job the request was for, when known: it goes into the message for log filters. */
  readonly jobId?: string | undefined;
}

/** The error's AWS name (`error.name` in SDK v3), or undefined for non-AWS errors. */
export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { name?: unknown; $metadata?: unknown; Code?: unknown };
  if (candidate.$metadata === undefined) return undefined;
  if (typeof candidate.Code === 'string') return candidate.Code;
  return typeof candidate.name === 'string' ? candidate.name : undefined;
}

export function awsHttpStatus(error: unknown): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

export function isPermanentAwsError(error: unknown): boolean {
  const name = awsErrorName(error);
  if (name !== undefined && PERMANENT_AWS_ERROR_NAMES.has(name)) return true;
  const status = awsHttpStatus(error);
  // 4xx other than throttling/timeouts are the caller's fault; the SDK already retried the rest.
  return status !== undefined && status >= 400 && status < 500 && ![408, 429].includes(status);
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code);
}

/**
 * Wraps an AWS SDK error (after the SDK's own retries) into an AwsAdapterError that names the
 * operation, the resource and the job. Errors that are already meaningful (ours, the pipeline's)
 * pass through unchanged.
 */
export function wrapAwsError(error: unknown, context: AwsErrorContext): unknown {
  if (error instanceof AwsAdapterError) return error;
  const name = awsErrorName(error);
  if (name === undefined && !isNetworkError(error)) return error;
  const permanent = isPermanentAwsError(error);
  const detail = error instanceof Error ? error.message : String(error);
  const jobPart = context.jobId !== undefined ? `job_id=${context.jobId} ` : '';
  return new AwsAdapterError(
    'AWS_REQUEST_FAILED',
    `${jobPart}${context.operation} on ${context.resource} failed${permanent ? ' (permanent)' : ''}: ${name ?? 'NetworkError'}: ${detail}`,
    permanent,
    {
      cause: error,
      ...(name !== undefined ? { awsErrorName: name } : {}),
      ...(context.jobId !== undefined ? { jobId: context.jobId } : {}),
    },
  );
}

/** Runs one AWS call and rethrows its failure wrapped with context. */
export async function callAws<T>(context: AwsErrorContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw wrapAwsError(error, context);
  }
}
