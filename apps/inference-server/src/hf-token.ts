/**
 * The optional Hugging Face token for iw3 (some depth models are gated). It lives in Secrets
 * Manager as `{"token": "..."}`; the ARN comes from HF_TOKEN_ARN. Read once at start-up, so a
 * rotated value reaches the engine by redeploying (`stereo-spot ops hf-token rotate`).
 */
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { InferenceConfigError } from './errors';

const SecretValueSchema = z.object({ token: z.string().min(1, 'token must not be empty') });

export interface SecretsSettings {
  readonly region: string;
  readonly endpoint?: string;
}

/** Parses the secret's text; throws InferenceConfigError that never includes the value. */
export function parseHfTokenSecret(secretString: string | undefined, arn: string): string {
  if (secretString === undefined) throw new InferenceConfigError(`secret ${arn} has no string value`);
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch {
    throw new InferenceConfigError(`secret ${arn} is not JSON: expected {"token": "..."}`);
  }
  const parsed = SecretValueSchema.safeParse(value);
  if (!parsed.success) throw new InferenceConfigError(`secret ${arn} must be {"token": "<non-empty string>"}`);
  return parsed.data.token;
}

/**
 * The token, or undefined when the secret exists but holds no value yet: the stack creates the
 * secret empty and the operator stores the token later (`stereo-spot ops hf-token rotate`), so
 * start-up must not depend on it; models that need no token work meanwhile. A secret that does
 * not exist, cannot be read, or holds a malformed value still fails the start.
 */
export async function readHfToken(arn: string, settings: SecretsSettings): Promise<string | undefined> {
  const client = new SecretsManagerClient({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
  });
  try {
    const described = await client.send(new DescribeSecretCommand({ SecretId: arn }));
    const stages = Object.values(described.VersionIdsToStages ?? {}).flat();
    if (!stages.includes('AWSCURRENT')) return undefined;
    const secret = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    return parseHfTokenSecret(secret.SecretString, arn);
  } catch (error) {
    if (error instanceof InferenceConfigError) throw error;
    throw new InferenceConfigError(`cannot read HF_TOKEN_ARN=${arn}: ${(error as Error).message}`);
  } finally {
    client.destroy();
  }
}
