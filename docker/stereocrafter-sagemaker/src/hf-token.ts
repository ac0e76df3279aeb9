/**
 * Rotating the Hugging Face token: put the new value into the secret HF_TOKEN_ARN names, then
 * refresh the endpoint, because the inference server reads the secret only at start-up.
 */
import { PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { deployEndpoint, type DeployReport, type SageMakerApi } from './deploy';
import type { InfraEnv } from './env-file';
import { requireVars } from './env-file';
import { SageMakerOpsError } from './errors';

export function validateHfToken(raw: string): string {
  const token = raw.trim();
  if (token === '') throw new SageMakerOpsError('SECRET', 'the new token is empty');
  if (/\s/.test(token)) throw new SageMakerOpsError('SECRET', 'the new token contains whitespace');
  return token;
}

export interface RotateOptions {
  readonly secrets: SecretsManagerClient;
  readonly api: SageMakerApi;
  readonly env: InfraEnv;
  readonly token: string;
  readonly redeploy: boolean;
  readonly print: (line: string) => void;
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RotateReport {
  readonly secretArn: string;
  readonly versionId: string | undefined;
  readonly deployment?: DeployReport;
}

export async function rotateHfToken(options: RotateOptions): Promise<RotateReport> {
  const { HF_TOKEN_ARN: secretArn } = requireVars(options.env, ['HF_TOKEN_ARN']);
  const token = validateHfToken(options.token);
  const put = await options.secrets.send(
    new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify({ token }) }),
  );
  options.print(`stored a new value in ${secretArn} (version ${put.VersionId ?? 'unknown'})`);
  if (!options.redeploy) {
    options.print('not redeploying: running instances keep the old token until the next deployment');
    return { secretArn, versionId: put.VersionId };
  }
  const { SAGEMAKER_ENDPOINT_NAME: endpointName } = requireVars(options.env, ['SAGEMAKER_ENDPOINT_NAME']);
  if (!(await options.api.describeEndpoint(endpointName))) {
    options.print(`endpoint ${endpointName} is not deployed: its first deployment will read the new token`);
    return { secretArn, versionId: put.VersionId };
  }
  const deployment = await deployEndpoint({
    api: options.api,
    env: options.env,
    endpointName,
    target: { kind: 'refresh' },
    print: options.print,
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  return { secretArn, versionId: put.VersionId, deployment };
}
