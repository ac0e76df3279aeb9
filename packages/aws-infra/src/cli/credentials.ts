import { S3Client } from '@aws-sdk/client-s3';
import { AwsInfraError } from '../errors';

/**
 * Resolves AWS credentials the way terraform's AWS provider will (environment, profile, SSO,
 * container or instance role) before terraform starts, so a missing login is one clear line
 * instead of a provider stack of errors.
 */
export async function requireAwsCredentials(region: string): Promise<void> {
  const client = new S3Client({ region, maxAttempts: 1 });
  try {
    const credentials = await client.config.credentials();
    if (!credentials.accessKeyId) throw new Error('empty access key id');
  } catch (error) {
    throw new AwsInfraError(
      'AWS_CREDENTIALS_MISSING',
      'no AWS credentials found. Log in first: `aws configure` or `aws sso login` with AWS_PROFILE, ' +
        'or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), then run this again. ' +
        `(${(error as Error).message.split('\n')[0]})`,
    );
  } finally {
    client.destroy();
  }
}
