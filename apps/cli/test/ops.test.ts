import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createLocalPlatform, type LocalPlatform } from '@stereo-spot/local-adapters';
import type { Queue } from '@stereo-spot/pipeline';
import { inputKey, newReassemblyTriggered, type Job, type JobId } from '@stereo-spot/shared-types';
import { QUICK_PIPELINE_ENV, makeSegmentCompletion, makeTempDir, makeTestClip, type TempDir } from '@stereo-spot/testing';
import { writeFile } from 'node:fs/promises';
import {
  EXIT_DONE,
  EXIT_REFUSED,
  describeTarget,
  openOpsPlatform,
  OpsTargetError,
  resolveOpsTarget,
  type OpsPlatform,
} from '../src/commands/ops/context';
import { inspectDlq, purgeDlq, replayDlq } from '../src/commands/ops/dlq';
import { showJob } from '../src/commands/ops/job';
import { showJobLogs } from '../src/commands/ops/logs';
import { showQueues } from '../src/commands/ops/queues';
import { AUTOSCALING_WARNING, scaleService, serviceNames } from '../src/commands/ops/scale';
import { triggerReassembly } from '../src/commands/ops/reassembly';
import { resendNotifications } from '../src/commands/ops/resend';
import { createJob as createJobIn, diagnosisOf as diagnosisIn, recordingIo } from './support/ops';

jest.setTimeout(180_000);

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
let home: TempDir;
let platform: LocalPlatform;
let ops: OpsPlatform;

beforeEach(async () => {
  home = await makeTempDir('ops');
  platform = createLocalPlatform({
    home: home.path,
    publicBaseUrl: 'http://127.0.0.1',
    pollIntervalMs: 50,
    maxReceiveCount: 1,
  });
  ops = { ...platform, kind: 'local' };
});

afterEach(async () => {
  await platform.close();
  await home.remove();
});

const io = recordingIo;
const createJob = (overrides: Partial<Job>): Promise<JobId> => createJobIn(platform.jobs, overrides);

/** A job whose upload notification ended in the chunking DLQ (received once, never deleted). */
async function uploadIntoChunkingDlq(): Promise<JobId> {
  const clip = await makeTestClip({ width: 160, height: 90, seconds: 2 });
  const jobId = await createJob({ status: 'created' });
  await platform.inputStorage.putFile(inputKey(jobId), clip.path);
  await clip.remove();
  await redriveOnce(platform.queues.chunking.queue);
  return jobId;
}

async function redriveOnce(queue: Queue): Promise<void> {
  const [message] = await queue.receive({ maxMessages: 1, waitSeconds: 0 });
  if (message === undefined) throw new Error(`no message on ${queue.name}`);
  await queue.changeVisibility(message.receiptHandle, 0);
  await queue.receive({ maxMessages: 1, waitSeconds: 0 });
}

/** The workers under their older names (`media`, `video`, `trigger`), which scripts may still use. */
function startWorkers(): ChildProcess {
  return spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'apps', 'cli', 'src', 'main.ts'), 'worker', 'media', 'video', 'trigger'],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        STEREO_SPOT_PLATFORM: 'local',
        STEREO_SPOT_HOME: home.path,
        ...QUICK_PIPELINE_ENV,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function waitForCompleted(jobId: JobId): Promise<Job | undefined> {
  const deadline = Date.now() + 150_000;
  let job = await platform.jobs.get(jobId);
  while (job?.status !== 'completed' && job?.status !== 'failed' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    job = await platform.jobs.get(jobId);
  }
  return job;
}

const diagnosisOf = (jobId: JobId) => diagnosisIn(ops, jobId);

describe('ops dlq', () => {
  test('replay returns the DLQ message to its queue and the workers process it', async () => {
    // Prepare
    const jobId = await uploadIntoChunkingDlq();
    const inspected = io(true);
    await inspectDlq(ops, inspected, 'chunking', 10);

    // Act
    const replayed = io(true);
    const code = await replayDlq(ops, replayed, 'chunking');
    const afterReplay = await platform.queues.chunking.deadLetter.depth();
    const workers = startWorkers();
    let final;
    try {
      final = await waitForCompleted(jobId);
    } finally {
      await stop(workers);
    }

    // Assess
    expect(inspected.lines[0]).toContain('1 message(s)');
    expect(inspected.lines[1]).toContain(jobId);
    expect(code).toBe(EXIT_DONE);
    expect(replayed.lines).toContain('moved 1 message(s) from chunking-dlq to chunking');
    expect(afterReplay.visible).toBe(0);
    expect(final?.status).toBe('completed');

    // ops logs finds the job's lines in the workers' log files, oldest first
    const logs = io(true);
    await showJobLogs(ops, logs, jobId);
    const sources = new Set(logs.lines.slice(1).map((line) => line.split(' ')[1]));
    expect([...sources]).toEqual(expect.arrayContaining(['media-worker', 'video-worker']));
    const times = logs.lines.slice(1).map((line) => line.split(' ')[0] ?? '');
    expect(times).toEqual([...times].sort());
  });

  test('purge empties the DLQ, and only after confirmation', async () => {
    // Prepare
    await uploadIntoChunkingDlq();

    // Act
    const declined = await purgeDlq(ops, io(false), 'chunking');
    const depthAfterDecline = await platform.queues.chunking.deadLetter.depth();
    const purged = io(true);
    const code = await purgeDlq(ops, purged, 'chunking');

    // Assess
    expect(declined).toBe(EXIT_REFUSED);
    expect(depthAfterDecline.visible).toBe(1);
    expect(code).toBe(EXIT_DONE);
    expect(purged.lines[0]).toContain('1 message(s) deleted');
    expect(await platform.queues.chunking.deadLetter.depth()).toEqual({ visible: 0, inFlight: 0 });
  });
});

describe('ops job names the stuck step', () => {
  test('upload notification in the chunking DLQ: chunking, replay the chunking DLQ', async () => {
    const jobId = await uploadIntoChunkingDlq();
    const diagnosis = await diagnosisOf(jobId);
    expect(diagnosis).toMatchObject({ step: 'chunking', stuck: true });
    expect(diagnosis.fix).toContain('stereo-spot ops dlq replay chunking');
  });

  test('every segment uploaded, status never updated: chunking, the recovery script', async () => {
    const jobId = await createJob({ status: 'chunking_in_progress' });
    for (const index of [0, 1]) {
      await platform.inputStorage.putBytes(`segments/${jobId}/0000${index}_00002_anaglyph.mp4`, 'x');
    }
    const diagnosis = await diagnosisOf(jobId);
    expect(diagnosis).toMatchObject({ step: 'chunking', stuck: true, fix: `npm run chunking-recovery -- ${jobId}` });
  });

  test('a segment message in the video-worker DLQ: segment conversion, replay the video-worker DLQ', async () => {
    const jobId = await createJob({ status: 'chunking_complete', total_segments: 2 });
    await platform.segmentCompletions.put(makeSegmentCompletion(jobId, 0));
    await platform.queues['video-worker'].queue.send('{"objects_created":[]}');
    await redriveOnce(platform.queues['video-worker'].queue);
    const diagnosis = await diagnosisOf(jobId);
    expect(diagnosis).toMatchObject({ step: 'segment conversion', stuck: true });
    expect(diagnosis.fix).toContain('stereo-spot ops dlq replay video-worker');
  });

  test('all completions but never triggered: reassembly trigger, ops reassembly trigger', async () => {
    const jobId = await createJob({ status: 'chunking_complete', total_segments: 2 });
    for (const index of [0, 1]) await platform.segmentCompletions.put(makeSegmentCompletion(jobId, index));
    const shown = io(true);
    await showJob(ops, shown, jobId);
    expect(await diagnosisOf(jobId)).toMatchObject({
      step: 'reassembly trigger',
      stuck: true,
      fix: `stereo-spot ops reassembly trigger ${jobId}`,
    });
    expect(shown.lines).toContain(`fix            stereo-spot ops reassembly trigger ${jobId}`);
  });

  test('lock taken but the message lost: reassembly, ops reassembly trigger', async () => {
    const jobId = await createJob({ status: 'chunking_complete', total_segments: 1 });
    await platform.segmentCompletions.put(makeSegmentCompletion(jobId, 0));
    await platform.reassemblyTriggered.tryCreate(newReassemblyTriggered(jobId, Date.now()));
    expect(await diagnosisOf(jobId)).toMatchObject({
      step: 'reassembly',
      stuck: true,
      fix: `stereo-spot ops reassembly trigger ${jobId}`,
    });
  });

  test('a reassembly started but its worker died and the message is gone: ops reassembly trigger --force', async () => {
    const jobId = await createJob({ status: 'chunking_complete', total_segments: 1 });
    await platform.segmentCompletions.put(makeSegmentCompletion(jobId, 0));
    await platform.reassemblyTriggered.tryCreate(newReassemblyTriggered(jobId, Date.now()));
    await platform.reassemblyTriggered.tryStart(jobId, Date.now(), 60_000);
    expect(await diagnosisOf(jobId)).toMatchObject({
      step: 'reassembly',
      stuck: true,
      fix: `stereo-spot ops reassembly trigger --force ${jobId}`,
    });
  });
});

describe('ops job never shows a stuck step without its fix', () => {
  test('chunking_complete with 0 of 3 completions and no message anywhere: segment conversion, ops resend, which sends them', async () => {
    // Prepare: segments uploaded, their notifications lost
    const jobId = await createJob({ status: 'chunking_complete', total_segments: 3 });
    for (const index of [0, 1, 2]) {
      await platform.inputStorage.putBytes(`segments/${jobId}/0000${index}_00003_anaglyph.mp4`, 'x');
    }
    const video = platform.queues['video-worker'].queue;
    for (const message of await video.receive({ maxMessages: 10, waitSeconds: 0 })) await video.delete(message.receiptHandle);
    await platform.segmentCompletions.put(makeSegmentCompletion(jobId, 1));
    const shown = io(true);

    // Act
    await showJob(ops, shown, jobId);
    const resent = io(true);
    const code = await resendNotifications(ops, resent, jobId);
    const messages = await video.receive({ maxMessages: 10, waitSeconds: 0 });

    // Assess
    expect(shown.lines).toContain('step           segment conversion (STUCK)');
    expect(shown.lines).toContain(`fix            stereo-spot ops resend ${jobId}`);
    expect(code).toBe(EXIT_DONE);
    const keys = messages
      .flatMap((message) => {
        const decoded = platform.objectEvents.decode(message.body);
        return decoded.ok && decoded.value.kind === 'objects-created' ? decoded.value.keys : [];
      })
      .sort();
    expect(keys).toEqual([`segments/${jobId}/00000_00003_anaglyph.mp4`, `segments/${jobId}/00002_00003_anaglyph.mp4`]);
  });

  test('a lock whose triggered_at was written by hand in seconds is shown at its real date', async () => {
    // Prepare
    const jobId = await createJob({ status: 'chunking_complete', total_segments: 1 });
    await platform.segmentCompletions.put(makeSegmentCompletion(jobId, 0));
    const nowSeconds = Math.floor(Date.now() / 1000);
    await platform.reassemblyTriggered.tryCreate({ job_id: jobId, triggered_at: nowSeconds, ttl: nowSeconds + 86_400 });
    const shown = io(true);

    // Act
    await showJob(ops, shown, jobId);

    // Assess
    const lockLine = shown.lines.find((line) => line.startsWith('lock'));
    expect(lockLine).toContain(`triggered ${new Date(nowSeconds * 1000).toISOString()}`);
  });
});

describe('ops finds the deployment', () => {
  test('an env file given explicitly selects AWS over the shell and names region, endpoint and prefix', async () => {
    // Prepare
    const file = `${home.path}/emulated.env`;
    await writeFile(
      file,
      ['# comment', 'AWS_REGION=eu-west-1', 'AWS_ENDPOINT_URL=http://127.0.0.1:4566', 'JOBS_TABLE_NAME=demo-jobs', 'NAME_PREFIX=demo'].join('\n'),
    );

    // Act
    const target = resolveOpsTarget({ STEREO_SPOT_PLATFORM: 'local' }, file);

    // Assess
    expect(target.env).toMatchObject({ STEREO_SPOT_PLATFORM: 'aws', AWS_REGION: 'eu-west-1', JOBS_TABLE_NAME: 'demo-jobs' });
    expect(resolveOpsTarget({ AWS_REGION: 'us-west-2' }, undefined, file).env.AWS_REGION).toBe('us-west-2');
    const implied = resolveOpsTarget({}, file);
    expect(implied.env.STEREO_SPOT_PLATFORM).toBe('aws');
    expect(describeTarget({ ...implied, env: { ...implied.env, ...awsResources() } })).toBe(
      `ops: AWS deployment demo in eu-west-1 at http://127.0.0.1:4566 (from ${file})`,
    );
  });

  test('refuses an embedded home that holds no database instead of reporting jobs as not found', async () => {
    // Act
    const opened = openOpsPlatform({ STEREO_SPOT_PLATFORM: 'local', STEREO_SPOT_HOME: `${home.path}/nothing-here` });

    // Assess
    await expect(opened).rejects.toThrow(OpsTargetError);
    await expect(opened).rejects.toThrow(/no embedded platform at .*nothing-here \(no stereo-spot.db\); .*--env-file/);
  });

  test('a missing --env-file is refused with its name', () => {
    expect(() => resolveOpsTarget({}, `${home.path}/absent.env`)).toThrow(`--env-file ${home.path}/absent.env does not exist`);
  });
});

/** The rest of the ops role's AWS variables, so the configuration validates. */
function awsResources(): Record<string, string> {
  const url = 'http://127.0.0.1:4566/000000000000/q';
  return {
    INPUT_BUCKET_NAME: 'demo-input',
    OUTPUT_BUCKET_NAME: 'demo-output',
    SEGMENT_COMPLETIONS_TABLE_NAME: 'demo-segment-completions',
    REASSEMBLY_TRIGGERED_TABLE_NAME: 'demo-reassembly-triggered',
    CHUNKING_QUEUE_URL: url,
    VIDEO_WORKER_QUEUE_URL: url,
    REASSEMBLY_QUEUE_URL: url,
    CHUNKING_DLQ_URL: url,
    VIDEO_WORKER_DLQ_URL: url,
    REASSEMBLY_DLQ_URL: url,
  };
}

describe('ops reassembly trigger', () => {
  test('refuses while segments are missing', async () => {
    const jobId = await createJob({ status: 'chunking_complete', total_segments: 2 });
    await platform.segmentCompletions.put(makeSegmentCompletion(jobId, 0));
    const out = io(true);
    expect(await triggerReassembly(ops, out, jobId)).toBe(EXIT_REFUSED);
    expect(out.lines).toEqual(['refused: count 1 != total_segments 2; nothing changed']);
    expect(await platform.reassemblyTriggered.get(jobId)).toBeUndefined();
  });

  test('sends even when the lock already exists, and says what it changed', async () => {
    const jobId = await createJob({ status: 'chunking_complete', total_segments: 1 });
    await platform.segmentCompletions.put(makeSegmentCompletion(jobId, 0));
    await platform.reassemblyTriggered.tryCreate(newReassemblyTriggered(jobId, Date.now()));
    const out = io(true);
    expect(await triggerReassembly(ops, out, jobId)).toBe(EXIT_DONE);
    const [message] = await platform.queues.reassembly.queue.receive({ maxMessages: 1, waitSeconds: 0 });
    expect(JSON.parse(message?.body ?? '{}')).toEqual({ job_id: jobId });
    expect(out.lines).toEqual([
      'the ReassemblyTriggered lock already existed',
      `sent {"job_id":"${jobId}"} to reassembly`,
    ]);
  });

  test('takes the lock at the time of the clock it is given', async () => {
    // Prepare
    const jobId = await createJob({ status: 'chunking_complete', total_segments: 1 });
    await platform.segmentCompletions.put(makeSegmentCompletion(jobId, 0));
    const clock = { now: () => 1_700_000_000_000 };

    // Act
    const code = await triggerReassembly(ops, io(true), jobId, { clock });

    // Assess
    expect(code).toBe(EXIT_DONE);
    expect(await platform.reassemblyTriggered.get(jobId)).toMatchObject({ triggered_at: 1_700_000_000_000 });
  });

  test('refuses once a reassembly has started, changes nothing, and names --force; with --force it sends', async () => {
    // Prepare: a worker took the start lock (and, say, died)
    const jobId = await createJob({ status: 'chunking_complete', total_segments: 1 });
    await platform.segmentCompletions.put(makeSegmentCompletion(jobId, 0));
    await platform.reassemblyTriggered.tryCreate(newReassemblyTriggered(jobId, Date.now()));
    await platform.reassemblyTriggered.tryStart(jobId, Date.now(), 60_000);
    const lock = await platform.reassemblyTriggered.get(jobId);
    const queue = platform.queues.reassembly.queue;
    const plain = io(true);
    const forced = io(true);

    // Act
    const plainCode = await triggerReassembly(ops, plain, jobId);
    const depthAfterPlain = await queue.depth();
    const forcedCode = await triggerReassembly(ops, forced, jobId, { force: true });
    const sent = await queue.receive({ maxMessages: 10, waitSeconds: 0 });

    // Assess
    expect(plainCode).toBe(EXIT_REFUSED);
    expect(plain.lines).toEqual([
      'refused: ReassemblyTriggered exists and reassembly has started; nothing changed',
      'if its worker died and no reassembly message is left, run again with --force',
    ]);
    expect(depthAfterPlain).toEqual({ visible: 0, inFlight: 0 });
    expect(forcedCode).toBe(EXIT_DONE);
    expect(forced.lines).toEqual([
      'the ReassemblyTriggered lock already existed and a reassembly had started (--force)',
      `sent {"job_id":"${jobId}"} to reassembly`,
    ]);
    expect(sent.map((message) => JSON.parse(message.body) as unknown)).toEqual([{ job_id: jobId }]);
    expect(await platform.reassemblyTriggered.get(jobId)).toEqual(lock);
  });

  test('asks before it changes anything; declined, it changes nothing', async () => {
    // Prepare
    const jobId = await createJob({ status: 'chunking_complete', total_segments: 1 });
    await platform.segmentCompletions.put(makeSegmentCompletion(jobId, 0));
    const declined = io(false);

    // Act
    const code = await triggerReassembly(ops, declined, jobId);
    const after = {
      lock: await platform.reassemblyTriggered.get(jobId),
      queued: await platform.queues.reassembly.queue.depth(),
    };

    // Assess
    expect([code, declined.lines]).toEqual([EXIT_REFUSED, ['nothing changed']]);
    expect(after).toEqual({ lock: undefined, queued: { visible: 0, inFlight: 0 } });
  });
});

test('ops queues prints every queue and DLQ', async () => {
  await uploadIntoChunkingDlq();
  const out = io(true);
  await showQueues(ops, out);
  expect(out.lines[0]).toMatch(/^QUEUE\s+NAME\s+VISIBLE\s+IN FLIGHT$/);
  expect(out.lines).toHaveLength(7);
  expect(out.lines.find((line) => line.startsWith('chunking DLQ'))).toMatch(/chunking-dlq\s+1\s+0$/);
});

describe('ops scale', () => {
  test('refuses on the embedded platform and changes nothing', async () => {
    const out = io(true);
    expect(await scaleService(ops, out, 'video-worker', 3)).toBe(EXIT_REFUSED);
    expect(out.lines[0]).toContain('start more `stereo-spot worker` processes');
  });

  test('finds the cluster and service from the deployment names, and warns about auto scaling', () => {
    const names = { NAME_PREFIX: 'stereo-spot', VIDEO_WORKER_SERVICE_NAME: 'custom-video' } as Record<string, string>;
    expect(serviceNames((name) => names[name], 'video-worker')).toEqual({ cluster: 'stereo-spot', service: 'custom-video' });
    expect(serviceNames((name) => names[name], 'media-worker')).toEqual({
      cluster: 'stereo-spot',
      service: 'stereo-spot-media-worker',
    });
    expect(AUTOSCALING_WARNING).toContain('may change it back');
  });
});
