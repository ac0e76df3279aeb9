/**
 * `docker-build` and `docker-push`: the web-ui, media-worker and video-worker images, built from
 * the repository root from docker/node-apps/Dockerfile (one target per image) and pushed to the
 * ECR URLs in .env.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../bundle/bundle';
import { ECS_APPS, type EcsApp } from '../constants';
import { AwsInfraError } from '../errors';
import { envNameOfOutput } from '../outputs';
import { ENV_FILE } from './commands';
import { readEnvFile } from './env-file';
import { capture, findExecutable, run } from './tools';

/** One Dockerfile for the three Node.js images; the image is its build target of the app's name. */
export const NODE_APPS_DOCKERFILE = path.join(REPO_ROOT, 'docker', 'node-apps', 'Dockerfile');
export const localImage = (app: EcsApp, tag: string): string => `stereo-spot/${app}:${tag}`;

/** A Docker client that reaches an engine, or an AwsInfraError saying what is missing. */
export function requireDocker(env: NodeJS.ProcessEnv = process.env): string {
  const docker = findExecutable('docker', env);
  if (!docker) {
    throw new AwsInfraError(
      'DOCKER_UNAVAILABLE',
      'docker was not found on PATH: install Docker to build the images',
    );
  }
  const info = spawnSync(docker, ['info', '--format', '{{.ServerVersion}}'], { env, encoding: 'utf8' });
  if (info.status !== 0) {
    throw new AwsInfraError(
      'DOCKER_UNAVAILABLE',
      'docker cannot reach a Docker engine (`docker info` failed): start Docker, or build on a machine that has one',
    );
  }
  return docker;
}

function parse(args: readonly string[]): { apps: EcsApp[]; tag: string } {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { tag: { type: 'string' } },
    allowPositionals: true,
  });
  const unknown = positionals.filter((app) => !(ECS_APPS as readonly string[]).includes(app));
  if (unknown.length > 0) {
    throw new AwsInfraError('USAGE', `unknown image ${unknown.join(', ')}; one of ${ECS_APPS.join(', ')}`);
  }
  const apps = positionals.length > 0 ? (positionals as EcsApp[]) : [...ECS_APPS];
  return { apps, tag: values.tag ?? process.env.IMAGE_TAG ?? gitTag() };
}

/** The commit's short hash (with -dirty when the tree has changes): an immutable, traceable tag. */
function gitTag(): string {
  const git = findExecutable('git');
  if (!git) return 'latest';
  const commit = capture(git, ['rev-parse', '--short=12', 'HEAD'], { cwd: REPO_ROOT }).trim();
  const dirty = capture(git, ['status', '--porcelain'], { cwd: REPO_ROOT }).trim() !== '';
  return dirty ? `${commit}-dirty` : commit;
}

export function dockerBuildCommand(args: readonly string[]): void {
  const { apps, tag } = parse(args);
  const docker = requireDocker();
  for (const app of apps) {
    run(
      docker,
      [
        'build',
        '--platform',
        'linux/amd64',
        '-f',
        NODE_APPS_DOCKERFILE,
        '--target',
        app,
        '-t',
        localImage(app, tag),
        '-t',
        localImage(app, 'latest'),
        REPO_ROOT,
      ],
      { what: `docker build of ${app}` },
    );
  }
  console.log(`built ${apps.map((app) => localImage(app, tag)).join(', ')}`);
}

export function dockerPushCommand(args: readonly string[]): void {
  const { apps, tag } = parse(args);
  const outputs = readEnvFile(ENV_FILE);
  const docker = requireDocker();
  const aws = findExecutable('aws');
  if (!aws) {
    throw new AwsInfraError(
      'TOOL_NOT_FOUND',
      'the AWS CLI (`aws`) is needed to log in to ECR: install it, then run this again',
    );
  }
  dockerBuildCommand([...apps, '--tag', tag]);
  const region = outputs.AWS_REGION ?? '';
  for (const app of apps) {
    const repository = outputs[envNameOfOutput(`${app.replace(/-/g, '_')}_ecr_url`)];
    if (!repository) throw new AwsInfraError('ENV_FILE_MISSING', `${ENV_FILE} has no ECR URL for ${app}`);
    const [registry = repository] = repository.split('/');
    const password = capture(aws, ['ecr', 'get-login-password', '--region', region]);
    run(docker, ['login', '--username', 'AWS', '--password-stdin', registry], {
      input: password,
      stdio: ['pipe', 'inherit', 'inherit'],
      what: `docker login to ${registry}`,
    });
    for (const pushed of [tag, 'latest']) {
      run(docker, ['tag', localImage(app, tag), `${repository}:${pushed}`]);
      run(docker, ['push', `${repository}:${pushed}`], { what: `docker push ${repository}:${pushed}` });
    }
  }
  console.log(`pushed tag ${tag}. Deploy it with: STEREO_SPOT_ECS_IMAGE_TAG=${tag} nx run aws-infra:deploy`);
}
