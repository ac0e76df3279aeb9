import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface AwsClientOptions {
  readonly region: string;
  /** An endpoint override (an emulator such as moto_server); S3 then uses path-style URLs. */
  readonly endpoint?: string | undefined;
  /** Defaults to the SDK's provider chain (environment, profile, container or instance role). */
  readonly credentials?: StaticCredentials | undefined;
  /** Attempts per request under the standard retry mode (default 3). */
  readonly maxAttempts?: number | undefined;
}

export interface AwsClients {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  /** Plain JavaScript values in and out (undefined attributes dropped). */
  readonly documents: DynamoDBDocumentClient;
  readonly streams: DynamoDBStreamsClient;
  destroy(): void;
}

/**
 * One client per service, all with the standard retry mode (exponential backoff with jitter for
 * throttling, 5xx and network errors). S3 computes request checksums only when an operation
 * requires one: a default CRC32 would be computed over the EMPTY body of a presigned PUT and
 * signed into its URL, which S3 then refuses for any real upload.
 */
export function createAwsClients(options: AwsClientOptions): AwsClients {
  const common = {
    region: options.region,
    retryMode: 'standard',
    maxAttempts: options.maxAttempts ?? 3,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
  };
  const s3 = new S3Client({
    ...common,
    forcePathStyle: options.endpoint !== undefined,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const sqs = new SQSClient(common);
  const dynamodb = new DynamoDBClient(common);
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const streams = new DynamoDBStreamsClient(common);
  return {
    s3,
    sqs,
    dynamodb,
    documents,
    streams,
    destroy() {
      s3.destroy();
      sqs.destroy();
      documents.destroy();
      dynamodb.destroy();
      streams.destroy();
    },
  };
}
