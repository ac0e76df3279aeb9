import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createLocalPlatform, type LocalPlatform } from '@stereo-spot/local-adapters';
import { makeJob, makeTempDir, type TempDir } from '@stereo-spot/testing';
import {
  EXIT_ERROR,
  EXIT_RECOVERED,
  EXIT_REFUSED,
  runChunkingRecovery,
} from '../chunking_recovery';
import { embeddedEnv, startWorkers, stopProcess, stuckAfterChunking, waitForStatus } from './support/stuck-chunking';

jest.setTimeout(180_000);

let home: TempDir;
let platform: LocalPlatform;

beforeEach(async () => {
  home = await makeTempDir('chunking-recovery');
  platform = createLocalPlatform({ home: home.path, publicBaseUrl: 'http://127.0.0.1', pollIntervalMs: 50 });
});

afterEach(async () => {
  await platform.close();
  await home.remove();
});

function run(argv: string[], stdinIsTty = false) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => out.push(chunk.toString('utf8')));
  const stdin = Object.assign(new PassThrough(), { isTTY: stdinIsTty });
  const code = runChunkingRecovery(argv, {
    env: { STEREO_SPOT_PLATFORM: 'local', STEREO_SPOT_HOME: home.path },
    stdin,
    stdout,
    stderr,
    envFile: '/nonexistent/.env',
  });
  return { code, output: () => out.join(''), stdin };
}

test('recovers a job whose worker died after uploading every segment, and the workers then complete it', async () => {
  // Prepare
  const { job, totalSegments } = await stuckAfterChunking(platform);

  // Act
  const recovery = run([job.job_id, '--yes']);
  const code = await recovery.code;
  const workers = startWorkers(['chunking', 'video-worker', 'reassembly', 'reassembly-trigger'], embeddedEnv(home.path));
  let final;
  try {
    final = await waitForStatus(platform, job.job_id, 'completed', 150_000);
  } finally {
    await stopProcess(workers);
  }

  // Assess
  expect(code).toBe(EXIT_RECOVERED);
  expect(recovery.output()).toContain(`total_segments=${totalSegments}`);
  expect(totalSegments).toBe(2);
  expect(final).toMatchObject({ status: 'completed', total_segments: totalSegments });
});

test('a job whose segments were all converted while it was chunking_in_progress completes after the recovery, without the janitor', async () => {
  // Prepare: the workers run (janitor off) and convert every segment; the trigger can only skip
  const { job, totalSegments } = await stuckAfterChunking(platform);
  const workers = startWorkers(['chunking', 'video-worker', 'reassembly', 'reassembly-trigger'], {
    ...embeddedEnv(home.path),
    JANITOR_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'info',
  });
  let final;
  let statusBeforeRecovery;
  try {
    await waitFor(async () => (await platform.segmentCompletions.count(job.job_id)) === totalSegments, 150_000);
    statusBeforeRecovery = (await platform.jobs.get(job.job_id))?.status;

    // Act
    const code = await run([job.job_id, '--yes']).code;
    expect(code).toBe(EXIT_RECOVERED);
    final = await waitForStatus(platform, job.job_id, 'completed', 60_000);
  } finally {
    await stopProcess(workers);
  }

  // Assess
  expect(statusBeforeRecovery).toBe('chunking_in_progress');
  expect(final).toMatchObject({ status: 'completed', total_segments: totalSegments });
  const logLines = await readLogLines(home.path);
  const started = logLines.filter((line) => line.job_id === job.job_id && line.msg.includes('reassembly started'));
  expect(started).toHaveLength(1);
  expect(logLines.some((line) => line.msg.includes('janitor'))).toBe(false);
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Every JSON line the workers appended to <home>/logs/<role>.log. */
async function readLogLines(homePath: string): Promise<{ job_id?: string; msg: string }[]> {
  const dir = path.join(homePath, 'logs');
  const lines: { job_id?: string; msg: string }[] = [];
  for (const file of await readdir(dir)) {
    for (const line of (await readFile(path.join(dir, file), 'utf8')).split('\n')) {
      if (line.trim() !== '') lines.push(JSON.parse(line) as { job_id?: string; msg: string });
    }
  }
  return lines;
}

test('refuses and lists the missing indices when a segment is absent', async () => {
  // Prepare
  const { job } = await stuckAfterChunking(platform, { drop: [1] });

  // Act
  const recovery = run([job.job_id, '--yes']);
  const code = await recovery.code;

  // Assess
  expect(code).toBe(EXIT_REFUSED);
  expect(recovery.output()).toContain('missing segment indices: 1');
  expect(await platform.jobs.get(job.job_id)).toMatchObject({ status: 'chunking_in_progress' });
});

test('refuses a job that is already chunking_complete or completed', async () => {
  // Prepare
  const chunked = makeJob({ status: 'chunking_complete', total_segments: 2, created_at: Date.now() });
  const completed = makeJob({ status: 'completed', total_segments: 2, created_at: Date.now() });
  await platform.jobs.create(chunked);
  await platform.jobs.create(completed);

  // Act
  const first = run([chunked.job_id, '--yes']);
  const second = run([completed.job_id, '--yes']);

  // Assess
  expect(await first.code).toBe(EXIT_REFUSED);
  expect(first.output()).toContain('status is chunking_complete');
  expect(await second.code).toBe(EXIT_REFUSED);
  expect(second.output()).toContain('status is completed');
});

test('without --yes and without a terminal it refuses and changes nothing', async () => {
  // Prepare
  const { job } = await stuckAfterChunking(platform);

  // Act
  const recovery = run([job.job_id]);

  // Assess
  expect(await recovery.code).toBe(EXIT_REFUSED);
  expect(recovery.output()).toContain('pass --yes');
  expect(await platform.jobs.get(job.job_id)).toMatchObject({ status: 'chunking_in_progress' });
});

test('asks on a terminal and applies the update on "y"', async () => {
  // Prepare
  const { job } = await stuckAfterChunking(platform);

  // Act
  const recovery = run([job.job_id], true);
  recovery.stdin.write('y\n');
  const code = await recovery.code;

  // Assess
  expect(code).toBe(EXIT_RECOVERED);
  expect(await platform.jobs.get(job.job_id)).toMatchObject({ status: 'chunking_complete', total_segments: 2 });
});

test('a bad job id is an error, not a refusal', async () => {
  expect(await run(['not-a-job']).code).toBe(EXIT_ERROR);
});
