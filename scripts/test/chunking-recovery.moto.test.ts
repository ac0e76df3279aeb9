import { PassThrough } from 'node:stream';
import type { AwsPlatform } from '@stereo-spot/aws-adapters';
import { segmentKey } from '@stereo-spot/shared-types';
import { startMotoServer, type MotoServer } from '@stereo-spot/aws-emulator';
import { makeJob, uniqueResourcePrefix } from '@stereo-spot/testing';
import { EXIT_RECOVERED, EXIT_REFUSED, runChunkingRecovery } from '../chunking_recovery';

// The AWS variant of the chunking recovery: S3 and DynamoDB on moto_server, the script given only
// INPUT_BUCKET_NAME, JOBS_TABLE_NAME, AWS_REGION and the endpoint (credentials: the SDK's chain).
jest.setTimeout(120_000);

let moto: MotoServer;
let platform: AwsPlatform;
let env: Record<string, string>;
const savedEnv = { ...process.env };

beforeAll(async () => {
  // Loaded like the script loads it (lazily: the embedded path never needs the SDK).
  const { provisionAwsPlatform } = await import('@stereo-spot/aws-adapters');
  moto = await startMotoServer();
  // The script uses the SDK's default credential chain, as an operator's shell would.
  process.env.AWS_ACCESS_KEY_ID = moto.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = moto.credentials.secretAccessKey;
  const opened = await provisionAwsPlatform(moto, { prefix: uniqueResourcePrefix('recovery') });
  platform = opened.platform;
  const { provisioned } = opened;
  env = {
    AWS_REGION: moto.region,
    AWS_ENDPOINT_URL: moto.endpoint,
    INPUT_BUCKET_NAME: provisioned.env.INPUT_BUCKET_NAME,
    JOBS_TABLE_NAME: provisioned.env.JOBS_TABLE_NAME,
  };
});

afterAll(async () => {
  await platform?.close();
  await moto?.stop();
  process.env = savedEnv;
});

async function run(argv: string[]) {
  const out: string[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => out.push(chunk.toString('utf8')));
  const code = await runChunkingRecovery(argv, {
    env,
    stdin: Object.assign(new PassThrough(), { isTTY: false }),
    stdout: sink,
    stderr: sink,
    envFile: '/nonexistent/.env',
  });
  return { code, output: out.join('') };
}

async function stuckJob(uploaded: readonly number[], total: number) {
  const job = makeJob({ status: 'created', created_at: Date.now() });
  await platform.jobs.create(job);
  await platform.jobs.transition(job.job_id, 'chunking_in_progress');
  for (const segmentIndex of uploaded) {
    await platform.inputStorage.putBytes(
      segmentKey({ jobId: job.job_id, segmentIndex, totalSegments: total, mode: job.mode }),
      'segment',
    );
  }
  return job.job_id;
}

test('recovers on S3 + DynamoDB with one conditional update', async () => {
  // Prepare
  const jobId = await stuckJob([0, 1, 2], 3);

  // Act
  const { code, output } = await run([jobId, '--yes']);
  const again = await run([jobId, '--yes']);

  // Assess
  expect(code).toBe(EXIT_RECOVERED);
  expect(output).toContain('total_segments=3');
  expect(await platform.jobs.get(jobId)).toMatchObject({ status: 'chunking_complete', total_segments: 3 });
  expect(again.code).toBe(EXIT_REFUSED);
  expect(again.output).toContain('status is chunking_complete');
});

test('refuses on S3 when an index is missing, listing it', async () => {
  // Prepare
  const jobId = await stuckJob([0, 2], 3);

  // Act
  const { code, output } = await run([jobId, '--yes']);

  // Assess
  expect(code).toBe(EXIT_REFUSED);
  expect(output).toContain('missing segment indices: 1');
  expect(await platform.jobs.get(jobId)).toMatchObject({ status: 'chunking_in_progress' });
});
