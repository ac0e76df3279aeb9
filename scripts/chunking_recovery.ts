/**
 * The runbook's chunking recovery: `npm run chunking-recovery -- <job_id> [--yes]`.
 *
 * For a job stuck in `chunking_in_progress` whose media-worker died after uploading every segment
 * but before its final status update. Lists `segments/<job_id>/`, derives `total_segments` from the
 * keys (the shared-types parser; all keys must agree, indices 0..total-1 all present) and, after
 * confirmation, makes the ONE conditional update the chunking step would have made
 * (`total_segments` + `status=chunking_complete`). The checks and the write are pipeline's
 * `recoverChunking`; this file only wires a platform and talks to the operator.
 *
 * AWS (default): INPUT_BUCKET_NAME, JOBS_TABLE_NAME (and AWS_REGION) from the environment, else from
 * packages/aws-infra/.env (or STEREO_SPOT_INFRA_ENV_FILE). STEREO_SPOT_PLATFORM=local: the embedded platform at STEREO_SPOT_HOME.
 *
 * Exit codes: 0 recovered, 2 refused (nothing changed), 1 error.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import { parseEnvFile } from '@stereo-spot/config';
import { createLocalPlatform, DEFAULT_HOME } from '@stereo-spot/local-adapters';
import { createLogger } from '@stereo-spot/logging';
import { recoverChunking, type JobStore, type PipelinePorts } from '@stereo-spot/pipeline';
import { isJobId } from '@stereo-spot/shared-types';

export const EXIT_RECOVERED = 0;
export const EXIT_ERROR = 1;
export const EXIT_REFUSED = 2;

export const AWS_INFRA_ENV_FILE = path.resolve(__dirname, '..', 'packages', 'aws-infra', '.env');

export interface RecoveryIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** The `.env` file consulted for variables the environment lacks. */
  readonly envFile?: string;
}

const USAGE = 'usage: npm run chunking-recovery -- <job_id> [--yes]';

class Declined extends Error {}

/** The environment, with what it lacks filled in from the `.env` file (the environment wins). */
function effectiveEnv(io: RecoveryIo): Record<string, string | undefined> {
  const file = io.envFile ?? io.env.STEREO_SPOT_INFRA_ENV_FILE ?? AWS_INFRA_ENV_FILE;
  const fromFile = existsSync(file) ? parseEnvFile(readFileSync(file, 'utf8'), file) : {};
  return { ...fromFile, ...io.env };
}

type RecoveryPorts = Pick<PipelinePorts, 'jobs' | 'inputStorage'> & { close(): Promise<void> };

async function openPorts(env: Record<string, string | undefined>): Promise<RecoveryPorts> {
  if (env.STEREO_SPOT_PLATFORM === 'local') {
    return createLocalPlatform({
      home: env.STEREO_SPOT_HOME ?? DEFAULT_HOME,
      // No URL is ever presigned here.
      publicBaseUrl: 'http://127.0.0.1',
    });
  }
  const missing = ['INPUT_BUCKET_NAME', 'JOBS_TABLE_NAME'].filter((name) => !env[name]);
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region === undefined) missing.push('AWS_REGION');
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} not set (environment or packages/aws-infra/.env)`);
  }
  const { openAwsPortSource } = await import('@stereo-spot/aws-adapters');
  const source = openAwsPortSource({
    kind: 'aws',
    region: region as string,
    ...(env.AWS_ENDPOINT_URL ? { endpointUrl: env.AWS_ENDPOINT_URL } : {}),
    resources: { INPUT_BUCKET_NAME: env.INPUT_BUCKET_NAME, JOBS_TABLE_NAME: env.JOBS_TABLE_NAME },
  });
  return { jobs: source.jobs(), inputStorage: source.inputStorage(), close: () => source.close() };
}

async function askConfirmation(io: RecoveryIo, question: string): Promise<boolean> {
  if (!io.stdin.isTTY) {
    io.stderr.write('not asking for confirmation: stdin is not a terminal; pass --yes\n');
    return false;
  }
  const prompt = createInterface({ input: io.stdin, output: io.stdout });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}

export async function runChunkingRecovery(argv: readonly string[], io: RecoveryIo): Promise<number> {
  const yes = argv.includes('--yes') || argv.includes('-y');
  const positional = argv.filter((arg) => !arg.startsWith('-'));
  const [jobId] = positional;
  if (positional.length !== 1 || jobId === undefined) {
    io.stderr.write(`${USAGE}\n`);
    return EXIT_ERROR;
  }
  if (!isJobId(jobId)) {
    io.stderr.write(`not a job id (lowercase UUID): ${jobId}\n${USAGE}\n`);
    return EXIT_ERROR;
  }

  let ports: RecoveryPorts;
  try {
    ports = await openPorts(effectiveEnv(io));
  } catch (error) {
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return EXIT_ERROR;
  }
  // Confirmation sits in front of the single write, after every check passed.
  const store = ports.jobs;
  const jobs: JobStore = {
    create: (job) => store.create(job),
    get: (id) => store.get(id),
    listInProgress: (options) => store.listInProgress(options),
    listCompleted: (options) => store.listCompleted(options),
    listFailed: (options) => store.listFailed(options),
    delete: (id) => store.delete(id),
    transition: async (id, to, patch) => {
      const question = `Set job ${id} to ${to} with total_segments=${patch?.total_segments ?? '?'}?`;
      if (!yes && !(await askConfirmation(io, question))) throw new Declined();
      return store.transition(id, to, patch);
    },
  };
  const logger = createLogger({ name: 'chunking-recovery', level: io.env.LOG_LEVEL ?? 'warn', destination: io.stderr });
  try {
    const result = await recoverChunking({ jobs, inputStorage: ports.inputStorage, logger }, jobId);
    if (result.outcome === 'recovered') {
      io.stdout.write(
        `recovered: job ${jobId} is chunking_complete with total_segments=${result.totalSegments}\n`,
      );
      return EXIT_RECOVERED;
    }
    io.stdout.write(`refused: ${result.reason}; nothing changed\n`);
    if (result.missing !== undefined) io.stdout.write(`missing segment indices: ${result.missing.join(', ')}\n`);
    return EXIT_REFUSED;
  } catch (error) {
    if (error instanceof Declined) {
      io.stdout.write('refused: not confirmed; nothing changed\n');
      return EXIT_REFUSED;
    }
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return EXIT_ERROR;
  } finally {
    await ports.close();
  }
}

if (require.main === module) {
  void runChunkingRecovery(process.argv.slice(2), {
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  }).then((code) => {
    process.exitCode = code;
  });
}
