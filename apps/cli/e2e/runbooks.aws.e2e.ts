/**
 * docs/runbooks.md's manual procedures, run as an operator runs them against a real
 * `stereo-spot up-aws-emulated` (janitor off): in a new shell with only the env file it writes,
 * with the AWS CLI when it is installed (else the SDK calls the CLI would make), and
 * `stereo-spot ops --env-file`. The test sets the stuck states up with the SDK.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { PurgeQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createAwsPlatform, type AwsPlatform } from '@stereo-spot/aws-adapters';
import { loadConfig, parseEnvFile } from '@stereo-spot/config';
import { FfmpegMediaProcessor } from '@stereo-spot/media-worker';
import type { Queue } from '@stereo-spot/pipeline';
import {
  finalKey,
  inputKey,
  segmentKey,
  type Job,
  type JobId,
} from '@stereo-spot/shared-types';
import {
  QUICK_PIPELINE_ENV,
  freePort,
  makeJob,
  makeTempDir,
  makeTestClip,
  newJobId,
  type TempDir,
} from '@stereo-spot/testing';
import { CLI_BIN, REPO_ROOT, startStereoSpot, stopAll, type StereoSpotProcess } from './support/processes';

const AWS_CLI = spawnSync('which', ['aws']).status === 0;

let dir: TempDir;
let envFile: string;
let fileEnv: Record<string, string>;
let up: StereoSpotProcess;
let platform: AwsPlatform;
const savedEnv = { ...process.env };

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A new shell that knows only the env file (and PATH): `set -a; . file; set +a; <command>`. */
function shell(command: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `set -a; . '${envFile}'; set +a; ${command}`], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir.path },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `stereo-spot ops --env-file <file> ...` from a shell with nothing else set. */
function ops(args: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_BIN, 'ops', '--env-file', envFile, ...args.split(' ')], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir.path },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** One runbook step: the AWS CLI command when the CLI is installed, else the same call by SDK. */
async function runbookStep(cli: string, sdk: () => Promise<unknown>): Promise<string> {
  if (!AWS_CLI) {
    await sdk();
    return '';
  }
  const result = await shell(cli);
  if (result.code !== 0) throw new Error(`${cli}\nexit ${result.code}: ${result.stderr}`);
  return result.stdout;
}

const readEnvFile = (file: string) => parseEnvFile(readFileSync(file, 'utf8'), file);

const isEmpty = async (queue: Queue) => {
  const depth = await queue.depth();
  return depth.visible + depth.inFlight === 0;
};

const logsOf = (jobId: JobId, text: string) =>
  up.logs.filter((line) => line.job_id === jobId && line.msg.includes(text));

beforeAll(async () => {
  dir = await makeTempDir('runbooks');
  envFile = path.join(dir.path, 'aws-emulated.env');
  up = startStereoSpot(
    'up-aws-emulated',
    ['up-aws-emulated', '--port', String(await freePort()), '--write-env-file', envFile],
    {
      STEREO_SPOT_HOME: dir.path,
      ...QUICK_PIPELINE_ENV,
      SQS_LONG_POLL_WAIT_SECONDS: '1',
      JANITOR_INTERVAL_SECONDS: '0',
      LOG_LEVEL: 'info',
    },
  );
  await up.waitForLog((line) => line.msg.startsWith('AWS emulator ready'), 120_000);
  await until(async () => existsSync(envFile), 'the env file');
  fileEnv = readEnvFile(envFile);
  // The test's own SDK clients use the same (emulator) credentials from the file.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: fileEnv.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: fileEnv.AWS_SECRET_ACCESS_KEY,
  });
  const config = loadConfig('ops', fileEnv);
  if (config.platform.kind !== 'aws') throw new Error('the env file must select the AWS platform');
  platform = await createAwsPlatform(config.platform);
}, 180_000);

afterAll(async () => {
  await platform?.close();
  await stopAll();
  await dir?.remove();
  process.env = savedEnv;
});

/**
 * A media-worker died after uploading every segment and before its status update, and the
 * video-workers converted every segment meanwhile: the job is `chunking_in_progress` with every
 * completion written, and no event is left to come.
 */
async function jobConvertedWhileChunking(): Promise<{ job: Job; totalSegments: number }> {
  const clip = await makeTestClip({ width: 160, height: 90, seconds: 2, dir: dir.path });
  const jobId = newJobId();
  // The source arrives before the job record: the chunking message is consumed and skipped.
  await platform.inputStorage.putFile(inputKey(jobId), clip.path);
  await until(async () => logsOf(jobId, 'chunking skipped').length > 0, 'the chunking message to be consumed');
  const job = makeJob({ job_id: jobId, status: 'chunking_in_progress', created_at: Date.now() });
  await platform.jobs.create(job);
  const split = await new FfmpegMediaProcessor().split(clip.path, 1, path.join(dir.path, `parts-${jobId}`));
  const totalSegments = split.files.length;
  for (const [segmentIndex, file] of split.files.entries()) {
    await platform.inputStorage.putFile(segmentKey({ jobId, segmentIndex, totalSegments, mode: job.mode }), file);
  }
  await until(
    async () => (await platform.segmentCompletions.count(jobId)) === totalSegments,
    'every segment converted',
  );
  return { job, totalSegments };
}

let recovered: JobId;

describe('runbook procedures against up-aws-emulated', () => {
  it('`ops job` in a new shell with only the env file names the deployment and finds the stuck job', async () => {
    // Prepare
    const { job, totalSegments } = await jobConvertedWhileChunking();
    recovered = job.job_id;

    // Act
    const shown = await ops(`job ${job.job_id}`);
    const id = job.job_id;
    const jobItem = await runbookStep(
      `aws dynamodb get-item --table-name "$JOBS_TABLE_NAME" --key '{"job_id":{"S":"${id}"}}'`,
      () => platform.jobs.get(id),
    );
    const count = await runbookStep(
      `aws dynamodb query --table-name "$SEGMENT_COMPLETIONS_TABLE_NAME" --select COUNT --consistent-read \
        --key-condition-expression 'job_id = :j' --expression-attribute-values '{":j":{"S":"${id}"}}'`,
      () => platform.segmentCompletions.count(id),
    );
    const lock = await runbookStep(
      `aws dynamodb get-item --table-name "$REASSEMBLY_TRIGGERED_TABLE_NAME" --key '{"job_id":{"S":"${id}"}}'`,
      () => platform.reassemblyTriggered.get(id),
    );
    const listed = await runbookStep(`aws s3 ls "s3://$INPUT_BUCKET_NAME/segments/${id}/"`, () =>
      platform.inputStorage.list(`segments/${id}/`),
    );

    // Assess
    if (AWS_CLI) {
      expect(jobItem).toContain('"chunking_in_progress"');
      expect(JSON.parse(count)).toMatchObject({ Count: totalSegments });
      expect(lock.trim()).toBe('');
      expect(listed.trim().split('\n')).toHaveLength(totalSegments);
    }
    expect(shown.code).toBe(0);
    expect(shown.stderr).toContain(`ops: AWS deployment stereo-spot in ${fileEnv.AWS_REGION} at ${fileEnv.AWS_ENDPOINT_URL}`);
    expect(shown.stdout).toContain('status         chunking_in_progress');
    expect(shown.stdout).toContain(`completions    ${totalSegments}`);
    expect(shown.stdout).toContain(`fix            npm run chunking-recovery -- ${job.job_id}`);
  });

  it('chunking recovery, Option B (update-item) on a job whose segments were already converted: completed without the janitor, one reassembly', async () => {
    // Prepare
    const jobId = recovered;
    const total = (await platform.segmentCompletions.count(jobId)).toString();
    const key = { job_id: { S: jobId } };

    // Act: the runbook's command as written (updated_at in epoch milliseconds)
    await runbookStep(
      `aws dynamodb update-item --table-name "$JOBS_TABLE_NAME" --key '{"job_id":{"S":"${jobId}"}}' \
        --update-expression 'SET #s = :done, total_segments = :n, updated_at = :now' \
        --condition-expression '#s = :chunking' --expression-attribute-names '{"#s":"status"}' \
        --expression-attribute-values '{":done":{"S":"chunking_complete"},":chunking":{"S":"chunking_in_progress"},":n":{"N":"${total}"},":now":{"N":"'$(date +%s%3N)'"}}'`,
      () =>
        platform.clients.dynamodb.send(
          new UpdateItemCommand({
            TableName: fileEnv.JOBS_TABLE_NAME,
            Key: key,
            UpdateExpression: 'SET #s = :done, total_segments = :n, updated_at = :now',
            ConditionExpression: '#s = :chunking',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: {
              ':done': { S: 'chunking_complete' },
              ':chunking': { S: 'chunking_in_progress' },
              ':n': { N: total },
              ':now': { N: String(Date.now()) },
            },
          }),
        ),
    );
    await until(async () => (await platform.jobs.get(jobId))?.status === 'completed', 'the job to complete', 60_000);

    // Assess
    expect(await platform.outputStorage.head(finalKey(jobId))).toBeDefined();
    expect(logsOf(jobId, 'reassembly started')).toHaveLength(1);
    expect(up.logs.some((line) => line.msg.includes('janitor'))).toBe(false);
    const shown = await ops(`job ${jobId}`);
    expect(shown.stdout).toContain('status         completed');
  });

  it('chunking recovery, Option A (the script, in the shell with the env file): completed without the janitor', async () => {
    // Prepare
    const { job } = await jobConvertedWhileChunking();

    // Act
    const recovery = await shell(`npm run --silent chunking-recovery -- ${job.job_id} --yes`);
    await until(async () => (await platform.jobs.get(job.job_id))?.status === 'completed', 'the job to complete', 60_000);

    // Assess
    expect(recovery.code).toBe(0);
    expect(await platform.outputStorage.head(finalKey(job.job_id))).toBeDefined();
    expect(logsOf(job.job_id, 'reassembly started')).toHaveLength(1);
  });

  it('manual reassembly trigger (put-item with triggered_at in seconds + send-message): completed', async () => {
    // Prepare: every segment converted, the job chunking_complete, no lock, no final
    const jobId = recovered;
    const key = { job_id: { S: jobId } };
    await platform.clients.dynamodb.send(
      new UpdateItemCommand({
        TableName: fileEnv.JOBS_TABLE_NAME,
        Key: key,
        UpdateExpression: 'SET #s = :c REMOVE completed_at',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':c': { S: 'chunking_complete' } },
      }),
    );
    await until(
      async () => logsOf(jobId, 'ReassemblyTriggered exists and reassembly has started').length > 0,
      'the trigger to skip the started lock',
    );
    await platform.clients.dynamodb.send(
      new DeleteItemCommand({ TableName: fileEnv.REASSEMBLY_TRIGGERED_TABLE_NAME, Key: key }),
    );
    await platform.outputStorage.delete(finalKey(jobId));
    const stuck = await ops(`job ${jobId}`);

    // Act: the runbook's fallback, `date +%s` as an operator types it
    const nowSeconds = Math.floor(Date.now() / 1000);
    const item: Record<string, AttributeValue> = {
      ...key,
      triggered_at: { N: String(nowSeconds) },
      ttl: { N: String(nowSeconds + 90 * 86_400) },
    };
    await runbookStep(
      `aws dynamodb put-item --table-name "$REASSEMBLY_TRIGGERED_TABLE_NAME" \
        --item '{"job_id":{"S":"${jobId}"},"triggered_at":{"N":"'$(date +%s)'"},"ttl":{"N":"'$(( $(date +%s) + 90*86400 ))'"}}' \
        --condition-expression 'attribute_not_exists(job_id)'`,
      () =>
        platform.clients.dynamodb.send(
          new PutItemCommand({
            TableName: fileEnv.REASSEMBLY_TRIGGERED_TABLE_NAME,
            Item: item,
            ConditionExpression: 'attribute_not_exists(job_id)',
          }),
        ),
    );
    const locked = await ops(`job ${jobId}`);
    await runbookStep(
      `aws sqs send-message \${AWS_ENDPOINT_URL:+--endpoint-url "$AWS_ENDPOINT_URL"} --queue-url "$REASSEMBLY_QUEUE_URL" --message-body '{"job_id":"${jobId}"}'`,
      () =>
        platform.clients.sqs.send(
          new SendMessageCommand({ QueueUrl: fileEnv.REASSEMBLY_QUEUE_URL, MessageBody: JSON.stringify({ job_id: jobId }) }),
        ),
    );
    await until(async () => (await platform.jobs.get(jobId))?.status === 'completed', 'the job to complete', 60_000);

    // Assess
    expect(stuck.stdout).toContain(`fix            stereo-spot ops reassembly trigger ${jobId}`);
    expect(locked.stdout).toContain(`triggered ${new Date(nowSeconds * 1000).toISOString().slice(0, 10)}`);
    expect(await platform.outputStorage.head(finalKey(jobId))).toBeDefined();
  });

  it('DLQ: inspect (ops and receive-message), replay with ops, purge (ops and purge-queue)', async () => {
    // Prepare: a segment notification in the video-worker DLQ, junk in the reassembly and chunking DLQs
    const jobId = recovered;
    const [segment] = await platform.inputStorage.list(`segments/${jobId}/`);
    if (segment === undefined) throw new Error('the job has no segment');
    const video = platform.queues['video-worker'];
    await video.deadLetter.send(platform.objectEvents.encodeCreated({ key: segment.key, size: segment.size }));
    await platform.queues.reassembly.deadLetter.send('{"job_id": "not a job"}');
    await platform.queues.chunking.deadLetter.send('not json');

    // Act
    const queues = await ops('queues');
    const inspected = await ops('dlq inspect video-worker');
    const received = await runbookStep(
      `aws sqs receive-message \${AWS_ENDPOINT_URL:+--endpoint-url "$AWS_ENDPOINT_URL"} --queue-url "$VIDEO_WORKER_DLQ_URL" --visibility-timeout 0`,
      () =>
        platform.clients.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: fileEnv.VIDEO_WORKER_DLQ_URL, VisibilityTimeout: 0 }),
        ),
    );
    const replayed = await ops('dlq replay video-worker --yes');
    await until(async () => (await isEmpty(video.deadLetter)) && (await isEmpty(video.queue)), 'the replayed message to be consumed');
    await runbookStep(`aws sqs purge-queue \${AWS_ENDPOINT_URL:+--endpoint-url "$AWS_ENDPOINT_URL"} --queue-url "$REASSEMBLY_DLQ_URL"`, () =>
      platform.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: fileEnv.REASSEMBLY_DLQ_URL })),
    );
    const purged = await ops('dlq purge chunking --yes');

    // Assess
    expect(queues.code).toBe(0);
    expect(queues.stdout).toMatch(/video-worker/);
    expect(inspected.stdout).toContain(segment.key);
    if (AWS_CLI) expect(received).toContain(segment.key);
    expect(replayed.code).toBe(0);
    expect(logsOf(jobId, 'segment skipped: status is completed').length).toBeGreaterThan(0);
    expect(purged.code).toBe(0);
    await until(async () => isEmpty(platform.queues.reassembly.deadLetter), 'the reassembly DLQ purge', 70_000);
    expect(await isEmpty(platform.queues.chunking.deadLetter)).toBe(true);
  });
});
