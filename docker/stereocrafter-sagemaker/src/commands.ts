/**
 * The three operator commands as functions of (arguments, environment), so tests run them the
 * way the Nx targets and `stereo-spot ops hf-token rotate` do.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { awsSettings, codeBuildClient, logsClient, s3Client, sageMakerClient, secretsClient } from './aws';
import { runSagemakerBuild, type BuildOutcome } from './build';
import { sdkCodeBuildApi, sdkLogEventsApi } from './codebuild-api';
import { deployEndpoint, type DeployReport } from './deploy';
import { readInfraEnv, requireVars } from './env-file';
import { SageMakerOpsError } from './errors';
import { rotateHfToken, type RotateReport } from './hf-token';
import { defaultImageTag, isValidImageTag } from './names';
import { sdkSageMakerApi } from './sagemaker-api';
import { archiveSource, commitOf, hasUncommittedChanges, uploadSource } from './source';

export interface CommandContext {
  readonly root: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly print: (line: string) => void;
  /** Reads the token from standard input when no other source is given. */
  readonly readStdin?: () => string;
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

function parse(args: readonly string[], options: NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw new SageMakerOpsError('INVALID_ARGUMENTS', (error as Error).message);
  }
}

function imageTag(value: unknown, root: string): string {
  const tag = typeof value === 'string' && value !== '' ? value : defaultImageTag(root);
  if (!isValidImageTag(tag)) throw new SageMakerOpsError('INVALID_ARGUMENTS', `invalid image tag: ${tag}`);
  return tag;
}

/** packages/aws-infra/.env, or the file STEREO_SPOT_INFRA_ENV_FILE names (tests, other stacks). */
function infraEnv(ctx: CommandContext) {
  const file = ctx.env.STEREO_SPOT_INFRA_ENV_FILE;
  return readInfraEnv({ root: ctx.root, ...(file ? { file } : {}), overrides: ctx.env });
}

const timing = (ctx: CommandContext) => ({
  ...(ctx.pollMs !== undefined ? { pollMs: ctx.pollMs } : {}),
  ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
});

/**
 * `sagemaker-build [--ref REF] [--tag T]`: uploads the repository at REF (default HEAD) as the
 * CodeBuild source, builds it, pushes the image as T (default: the commit's short hash).
 */
export async function sagemakerBuildCommand(args: readonly string[], ctx: CommandContext): Promise<BuildOutcome> {
  const values = parse(args, { tag: { type: 'string' }, ref: { type: 'string' } });
  const env = infraEnv(ctx);
  const vars = requireVars(env, ['CODEBUILD_PROJECT_NAME', 'CODEBUILD_SOURCE_BUCKET', 'CODEBUILD_SOURCE_KEY']);
  const aws = awsSettings(env);
  const ref = typeof values.ref === 'string' ? values.ref : 'HEAD';
  const commit = commitOf(ctx.root, ref);
  const tag = imageTag(typeof values.tag === 'string' ? values.tag : commit, ctx.root);
  if (ref === 'HEAD' && hasUncommittedChanges(ctx.root)) {
    ctx.print('note: uncommitted changes are not part of the build (it builds the last commit)');
  }
  const version = await uploadSource(
    s3Client(aws),
    vars.CODEBUILD_SOURCE_BUCKET,
    vars.CODEBUILD_SOURCE_KEY,
    archiveSource(ctx.root, ref),
  );
  ctx.print(`uploaded ${ref} (${commit}) to s3://${vars.CODEBUILD_SOURCE_BUCKET}/${vars.CODEBUILD_SOURCE_KEY}`);
  return runSagemakerBuild({
    codebuild: sdkCodeBuildApi(codeBuildClient(aws)),
    logs: sdkLogEventsApi(logsClient(aws)),
    projectName: vars.CODEBUILD_PROJECT_NAME,
    imageTag: tag,
    ...(version ? { sourceVersion: version } : {}),
    region: aws.region,
    print: ctx.print,
    ...timing(ctx),
  });
}

/** `sagemaker-deploy [--tag T | --refresh]` */
export async function sagemakerDeployCommand(args: readonly string[], ctx: CommandContext): Promise<DeployReport> {
  const values = parse(args, { tag: { type: 'string' }, refresh: { type: 'boolean' } });
  if (values.refresh && values.tag) {
    throw new SageMakerOpsError('INVALID_ARGUMENTS', '--refresh redeploys the current image: give no --tag with it');
  }
  const env = infraEnv(ctx);
  const { SAGEMAKER_ENDPOINT_NAME: endpointName } = requireVars(env, ['SAGEMAKER_ENDPOINT_NAME']);
  return deployEndpoint({
    api: sdkSageMakerApi(sageMakerClient(awsSettings(env))),
    env,
    endpointName,
    target: values.refresh ? { kind: 'refresh' } : { kind: 'image', tag: imageTag(values.tag, ctx.root) },
    print: ctx.print,
    ...timing(ctx),
  });
}

/**
 * `hf-token rotate [--token-file F | --from-env VAR] [--no-redeploy]`. The token never comes
 * as an argument (it would land in shell history and `ps`): a file, a variable, or stdin.
 */
export async function hfTokenRotateCommand(args: readonly string[], ctx: CommandContext): Promise<RotateReport> {
  const values = parse(args, {
    'token-file': { type: 'string' },
    'from-env': { type: 'string' },
    'no-redeploy': { type: 'boolean' },
  });
  const env = infraEnv(ctx);
  let token: string;
  if (typeof values['token-file'] === 'string') token = readFileSync(values['token-file'], 'utf8');
  else if (typeof values['from-env'] === 'string') {
    const value = ctx.env[values['from-env']];
    if (!value) throw new SageMakerOpsError('SECRET', `${values['from-env']} is not set`);
    token = value;
  } else if (ctx.readStdin) token = ctx.readStdin();
  else throw new SageMakerOpsError('INVALID_ARGUMENTS', 'give the token with --token-file, --from-env or on stdin');
  const aws = awsSettings(env);
  return rotateHfToken({
    secrets: secretsClient(aws),
    api: sdkSageMakerApi(sageMakerClient(aws)),
    env,
    token,
    redeploy: values['no-redeploy'] !== true,
    print: ctx.print,
    ...timing(ctx),
  });
}
