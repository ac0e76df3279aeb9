/**
 * The production path end to end on moto_server: S3 event notifications, SQS with redrive to
 * DLQs, DynamoDB with the SegmentCompletions stream. The web-ui and the workers are real
 * `stereo-spot worker` processes with STEREO_SPOT_PLATFORM=aws; the stream is read with
 * @aws-sdk/client-dynamodb-streams and its records handed to the reassembly trigger's Lambda
 * handler, as Lambda's event source mapping would.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  createAwsClients,
  createAwsPlatform,
  openAwsPortSource,
  provisionPipelineResources,
  type AwsPlatform,
} from '@stereo-spot/aws-adapters';
import { loadConfig } from '@stereo-spot/config';
import { createLogger } from '@stereo-spot/logging';
import { portsForRole, type Queue, type TriggerChange } from '@stereo-spot/pipeline';
import { createChangeHandler } from '@stereo-spot/reassembly-trigger';
import { finalKey, parseJobId, segmentOutputKey } from '@stereo-spot/shared-types';
import { startMotoServer, type MotoServer } from '@stereo-spot/aws-emulator';
import {
  QUICK_PIPELINE_ENV,
  freePort,
  makeTempDir,
  makeTestClip,
  uniqueResourcePrefix,
  type TempDir,
} from '@stereo-spot/testing';
import { download, submitJob, waitForJob } from './support/api';
import { quickProcessEnv } from './support/deployment';
import { videoFacts } from './support/media';
import {
  linesContaining,
  startStereoSpot,
  stopAll,
  type LogLine,
  type StereoSpotProcess,
} from './support/processes';

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const isEmpty = async (queue: Queue) => {
  const depth = await queue.depth();
  return depth.visible + depth.inFlight === 0;
};

/** Takes every message off the queue, then puts each back twice: the consumer gets duplicates. */
async function duplicateAll(queue: Queue, atLeast: number): Promise<string[]> {
  await until(async () => (await queue.depth()).visible >= atLeast, `${atLeast} message(s) on ${queue.name}`);
  const taken = [];
  for (;;) {
    const messages = await queue.receive({ maxMessages: 10, waitSeconds: 1, visibilityTimeoutSeconds: 120 });
    if (messages.length === 0) break;
    taken.push(...messages);
  }
  for (const message of taken) {
    await queue.send(message.body);
    await queue.send(message.body);
    await queue.delete(message.receiptHandle);
  }
  return taken.map((message) => message.body);
}

/** One pipeline's resources on the file's moto_server, and the environment every process gets. */
interface AwsDeployment {
  readonly url: string;
  readonly env: Record<string, string>;
  readonly platform: AwsPlatform;
  readonly triggerLogs: LogLine[];
  start(name: string, roles: readonly string[], extra?: Record<string, string>): Promise<StereoSpotProcess>;
  /** Feeds the SegmentCompletions stream to the Lambda handler until stopped. */
  startTrigger(options?: { deliverEachBatchTwice?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

let moto: MotoServer;
let dir: TempDir;
beforeAll(async () => {
  moto = await startMotoServer();
  dir = await makeTempDir('aws-e2e');
});
afterAll(async () => {
  await moto?.stop();
  await dir?.remove();
});

async function awsDeployment(options: { visibilityTimeoutSeconds?: number } = {}): Promise<AwsDeployment> {
  const clients = createAwsClients({
    region: moto.region,
    endpoint: moto.endpoint,
    credentials: moto.credentials,
  });
  const visibility = options.visibilityTimeoutSeconds ?? 30;
  const provisioned = await provisionPipelineResources(clients, {
    prefix: uniqueResourcePrefix('e2e'),
    maxReceiveCount: 3,
    visibilityTimeoutSeconds: { chunking: visibility, 'video-worker': visibility, reassembly: visibility },
  }).finally(() => clients.destroy());
  const port = await freePort();
  const env: Record<string, string> = {
    ...moto.env,
    ...provisioned.env,
    STEREO_SPOT_PLATFORM: 'aws',
    ...quickProcessEnv(port),
    INFERENCE_BACKEND: 'builtin',
  };
  const opsConfig = loadConfig('ops', env);
  if (opsConfig.platform.kind !== 'aws') throw new Error('expected STEREO_SPOT_PLATFORM=aws');
  const platform = await createAwsPlatform(opsConfig.platform, { credentials: moto.credentials });

  const triggerLogs: LogLine[] = [];
  const stopTrigger = new AbortController();
  let polling: Promise<void> | undefined;
  const processes: StereoSpotProcess[] = [];
  const closables: { close(): Promise<void> }[] = [platform];
  return {
    url: `http://127.0.0.1:${port}`,
    env,
    platform,
    triggerLogs,
    async start(name, roles, extra = {}) {
      const proc = startStereoSpot(name, ['worker', ...roles], { ...env, ...extra });
      processes.push(proc);
      await proc.waitForLog((line) => line.msg === 'stereo-spot started', 60_000);
      return proc;
    },
    async startTrigger({ deliverEachBatchTwice = false } = {}) {
      // The Lambda's decision on ports built as apps/reassembly-trigger/src/lambda.ts builds them:
      // from the trigger role's validated environment (the poller reads the records as it does).
      const config = loadConfig('reassembly-trigger', env);
      if (config.platform.kind !== 'aws') throw new Error('expected STEREO_SPOT_PLATFORM=aws');
      const lambdaSource = openAwsPortSource(config.platform, { credentials: moto.credentials });
      closables.push(lambdaSource);
      const lambdaPorts = await portsForRole('reassembly-trigger', lambdaSource);
      const logger = createLogger({
        name: 'reassembly-trigger',
        destination: { write: (line: string) => void triggerLogs.push(JSON.parse(line) as LogLine) },
      });
      const handler = createChangeHandler({ ...lambdaPorts, logger });
      const deliver = async (changes: readonly TriggerChange[]) => {
        const first = await handler(changes);
        return deliverEachBatchTwice ? handler(changes) : first;
      };
      const poller = await lambdaSource.createStreamPoller({ handler: deliver, logger, idleDelayMs: 200 });
      polling = poller.run(stopTrigger.signal);
    },
    async stop() {
      stopTrigger.abort();
      await polling;
      await Promise.all(processes.map((proc) => proc.stop(10_000)));
      await Promise.all(closables.map((ports) => ports.close()));
    },
  };
}

describe('the production path on moto_server', () => {
  let deployment: AwsDeployment | undefined;
  afterEach(async () => {
    await deployment?.stop();
    deployment = undefined;
    await stopAll();
  });

  it('converts a video end to end, with a duplicated S3 event and duplicated stream records: one reassembly', async () => {
    // Prepare
    deployment = await awsDeployment();
    const { triggerLogs } = deployment;
    const web = await deployment.start('web', ['web-ui']);
    const clip = await makeTestClip({ seconds: 3, width: 160, height: 90, fps: 24, dir: dir.path });
    const { chunking, reassembly } = deployment.platform.queues;

    // Act: the upload's S3 notification is delivered twice, every stream batch reaches the handler twice
    const jobId = await submitJob(deployment.url, clip.path, 'sbs');
    const duplicated = await duplicateAll(chunking.queue, 1);
    await deployment.startTrigger({ deliverEachBatchTwice: true });
    const workers = await deployment.start('workers', ['chunking', 'video-worker', 'reassembly']);
    const job = await waitForJob(deployment.url, jobId, { timeoutMs: 150_000 });
    await until(() => isEmpty(chunking.queue), 'both chunking deliveries');
    await until(() => isEmpty(reassembly.queue), 'the reassembly delivery');

    // Assess
    const id = parseJobId(jobId);
    if (!id.ok) throw id.error;
    const all = [web, workers];
    const forJob = (lines: LogLine[]) => lines.filter((line) => line.job_id === jobId);
    expect(job).toMatchObject({ status: 'completed', total_segments: 3 });
    expect(await deployment.platform.jobs.get(id.value)).toMatchObject({ status: 'completed' });
    expect(await deployment.platform.outputStorage.head(finalKey(id.value))).toMatchObject({
      key: finalKey(id.value),
    });
    expect(await deployment.platform.outputStorage.head(segmentOutputKey(id.value, 2))).toBeDefined();
    expect(duplicated.filter((body) => body.includes(jobId))).toHaveLength(1);
    expect(forJob(linesContaining(all, 'chunking complete'))).toHaveLength(1);
    expect(forJob(linesContaining(all, 'chunking skipped'))).toHaveLength(1);
    expect(forJob(linesContaining(all, 'reassembly started'))).toHaveLength(1);
    const triggerLines = (text: string) => forJob(triggerLogs.filter((line) => line.msg.includes(text)));
    expect(triggerLines('should trigger').length).toBeGreaterThanOrEqual(2); // the duplicate reached the handler
    expect(triggerLines('created ReassemblyTriggered')).toHaveLength(1);
    expect(forJob(linesContaining(all, 'into final.mp4'))).toHaveLength(1);
    expect(await deployment.platform.reassemblyTriggered.get(id.value)).toMatchObject({ job_id: jobId });
    const output = path.join(dir.path, 'final.mp4');
    await writeFile(output, await download(deployment.url, job));
    expect(videoFacts(output)).toMatchObject({
      videoFrames: clip.frames,
      width: 320,
      height: 90,
      audioCodec: 'aac',
    });
  });

  it('a poison message ends in the DLQ through the redrive policy, logged with job_id=?', async () => {
    // Prepare
    deployment = await awsDeployment({ visibilityTimeoutSeconds: 2 });
    const poison = '{"Records": [ this is not json';
    const { chunking } = deployment.platform.queues;

    // Act
    const worker = await deployment.start('chunking', ['chunking']);
    await chunking.queue.send(poison);
    await until(
      async () => (await chunking.deadLetter.depth()).visible === 1,
      'the poison message in the DLQ',
      90_000,
    );

    // Assess
    expect((await chunking.deadLetter.peek(10)).map((message) => message.body)).toEqual([poison]);
    expect(await isEmpty(chunking.queue)).toBe(true);
    const lines = linesContaining([worker], 'unprocessable message');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(line.msg.startsWith('job_id=? ')).toBe(true);
  });
});

describe('stereo-spot up-aws-emulated', () => {
  afterEach(() => stopAll());

  it('starts the emulator, creates the resources, converts a submitted video, and stops everything', async () => {
    // Prepare
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const up = startStereoSpot('up-aws-emulated', ['up-aws-emulated', '--port', String(port)], {
      ...QUICK_PIPELINE_ENV,
      LOG_LEVEL: 'info',
    });
    const ready = await up.waitForLog((line) => line.msg.startsWith('AWS emulator ready'), 90_000);
    const clip = await makeTestClip({
      seconds: 2,
      width: 160,
      height: 90,
      fps: 24,
      dir: dir.path,
      fileName: 'up.mp4',
    });

    // Act
    const jobId = await submitJob(url, clip.path, 'anaglyph');
    const job = await waitForJob(url, jobId, { timeoutMs: 150_000 });
    const exitCode = await up.stop(20_000);

    // Assess
    expect(job.status).toBe('completed');
    expect(job.download_url?.startsWith(String(ready.endpoint))).toBe(true);
    expect(exitCode).toBe(0);
    await expect(fetch(`${String(ready.endpoint)}/moto-api/`)).rejects.toThrow();
  });
});
