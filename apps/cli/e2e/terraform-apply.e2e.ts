/**
 * The infrastructure and the code agree: the stack as Terraform applies it (`nx run
 * aws-infra:apply-emulated --hold`: the synthesized configuration, the mirrored hashicorp/aws
 * provider, moto_server), then a job through real `stereo-spot worker` processes with
 * STEREO_SPOT_PLATFORM=aws, every bucket, queue and table named from Terraform's outputs (the
 * `.env` that `terraform-output` writes). Nothing here creates a resource.
 *
 * Three stand-ins, all moto's limits: the bucket policies (moto's check answers DENIED for any
 * statement whose Condition it cannot evaluate, so the deny-plain-HTTP/old-TLS statements refuse
 * every object request; the test deletes the two pipeline buckets' policies on moto), Lambda (moto runs functions only in Docker, so the test reads
 * the SegmentCompletions stream and hands its records to the trigger's handler, as Lambda's event
 * source mapping would; the command holds that mapping back while the job runs, because moto drops
 * stream records a mapped function cannot run for) and the SageMaker endpoint (moto creates it
 * but runs no container, so the video-worker converts with the builtin engine).
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { createAwsPlatform, openAwsPortSource } from '@stereo-spot/aws-adapters';
import { AWS_RESOURCE_VARIABLES, loadConfig, parseEnvFile } from '@stereo-spot/config';
import { createLogger } from '@stereo-spot/logging';
import { portsForRole } from '@stereo-spot/pipeline';
import { createChangeHandler } from '@stereo-spot/reassembly-trigger';
import { finalKey, parseJobId } from '@stereo-spot/shared-types';
import { freePort, makeTempDir, makeTestClip, type TempDir } from '@stereo-spot/testing';
import { submitJob, waitForJob } from './support/api';
import { quickProcessEnv } from './support/deployment';
import { videoFacts } from './support/media';
import {
  REPO_ROOT,
  startStereoSpot,
  startTypeScriptProcess,
  stopAll,
  type StereoSpotProcess,
} from './support/processes';

const AWS_INFRA_MAIN = path.join(REPO_ROOT, 'packages', 'aws-infra', 'src', 'main.ts');
const READY = 'EMULATED STACK READY';

const readEnvFile = (file: string) => parseEnvFile(readFileSync(file, 'utf8'), file);

let dir: TempDir;
let infra: StereoSpotProcess | undefined;
const closables: { close(): Promise<void> }[] = [];
const stopTrigger = new AbortController();
let polling: Promise<void> | undefined;

beforeAll(async () => {
  dir = await makeTempDir('terraform-apply-e2e');
});
afterAll(async () => {
  stopTrigger.abort();
  await polling;
  // Let the command destroy the stack and stop its moto_server, however the test ended.
  await infra?.stop(5 * 60_000);
  await stopAll();
  await Promise.all(closables.map((platform) => platform.close()));
  await dir?.remove();
});

it(
  'converts a video on the resources Terraform created, named as Terraform output them',
  async () => {
    // Prepare: apply the stack on moto_server and hold it.
    const settingsFile = path.join(dir.path, 'settings.json');
    await writeFile(
      settingsFile,
      JSON.stringify({ name_prefix: 'ss-tf-e2e', allow_public_http_without_auth: true }),
    );
    const workdir = path.join(dir.path, 'emulated');
    infra = startTypeScriptProcess(
      'apply-emulated',
      AWS_INFRA_MAIN,
      ['apply-emulated', '--hold', '--workdir', workdir],
      {
        STEREO_SPOT_INFRA_SETTINGS: settingsFile,
      },
    );
    const deadline = Date.now() + 8 * 60_000;
    while (!infra.text.some((line) => line.includes(READY))) {
      const exited = await Promise.race([
        infra.exited.then(() => true),
        new Promise((r) => setTimeout(() => r(false), 1000)),
      ]);
      if (exited || Date.now() > deadline)
        throw new Error(`apply-emulated did not get ready:\n${infra.text.join('\n')}`);
    }
    const outputs = readEnvFile(path.join(workdir, '.env'));
    const emulator = readEnvFile(path.join(workdir, 'emulator.env'));
    const port = await freePort();
    const env: Record<string, string> = {
      ...emulator,
      STEREO_SPOT_PLATFORM: 'aws',
      ...Object.fromEntries(
        AWS_RESOURCE_VARIABLES.map((name) => {
          const value = outputs[name];
          if (value === undefined) throw new Error(`Terraform did not output ${name}`);
          return [name, value];
        }),
      ),
      ...quickProcessEnv(port),
      INFERENCE_BACKEND: 'builtin',
    };
    const credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
    };
    expect(env.JOBS_TABLE_NAME).toBe('ss-tf-e2e-jobs');
    expect(env.CHUNKING_QUEUE_URL).toBe(`${emulator.AWS_ENDPOINT_URL}/123456789012/ss-tf-e2e-chunking`);

    // moto refuses every object request under the stack's bucket policies (see above).
    const s3 = new S3Client({
      region: env.AWS_REGION ?? 'us-east-1',
      endpoint: emulator.AWS_ENDPOINT_URL,
      forcePathStyle: true,
      credentials,
    });
    for (const bucket of [env.INPUT_BUCKET_NAME, env.OUTPUT_BUCKET_NAME]) {
      const policy = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
      expect(policy.Policy).toContain('DenyInsecureTransport');
      await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    }
    s3.destroy();

    // The Lambda's part: its decision on the stream of the table Terraform created.
    const triggerConfig = loadConfig('reassembly-trigger', env);
    if (triggerConfig.platform.kind !== 'aws') throw new Error('expected STEREO_SPOT_PLATFORM=aws');
    const lambdaSource = openAwsPortSource(triggerConfig.platform, { credentials });
    closables.push(lambdaSource);
    const lambdaPorts = await portsForRole('reassembly-trigger', lambdaSource);
    const logger = createLogger({ name: 'reassembly-trigger', level: 'warn' });
    const poller = await lambdaSource.createStreamPoller({
      handler: createChangeHandler({ ...lambdaPorts, logger }),
      logger,
      idleDelayMs: 200,
    });
    polling = poller.run(stopTrigger.signal);

    const start = async (name: string, roles: readonly string[]) => {
      const proc = startStereoSpot(name, ['worker', ...roles], env);
      await proc.waitForLog((line) => line.msg === 'stereo-spot started', 60_000);
      return proc;
    };
    const url = `http://127.0.0.1:${port}`;
    await start('web', ['web-ui']);
    await start('workers', ['chunking', 'video-worker', 'reassembly']);
    const clip = await makeTestClip({ seconds: 2, width: 160, height: 90, fps: 24, dir: dir.path });

    // Act: the upload's S3 event goes through the notification and queue policy Terraform created.
    const jobId = await submitJob(url, clip.path, 'sbs');
    const job = await waitForJob(url, jobId, { timeoutMs: 150_000 });

    // Assess
    expect(job).toMatchObject({ status: 'completed', total_segments: 2 });
    const id = parseJobId(jobId);
    if (!id.ok) throw id.error;
    const opsConfig = loadConfig('ops', env);
    if (opsConfig.platform.kind !== 'aws') throw new Error('expected STEREO_SPOT_PLATFORM=aws');
    const platform = await createAwsPlatform(opsConfig.platform, { credentials });
    closables.push(platform);
    const final = await platform.outputStorage.head(finalKey(id.value));
    expect(final).toMatchObject({ key: finalKey(id.value) });
    const local = path.join(dir.path, 'final.mp4');
    await platform.outputStorage.downloadToFile(finalKey(id.value), local);
    expect(videoFacts(local)).toMatchObject({ width: 320, height: 90 });

    // The held-back mapping is applied and everything destroyed once the hold ends.
    stopTrigger.abort();
    await polling;
    const code = await infra.stop(5 * 60_000);
    expect({ code, tail: infra.text.slice(-15).join('\n') }).toEqual({
      code: 0,
      tail: expect.stringContaining('destroyed on moto_server'),
    });
    // Both held-back mappings: the SegmentCompletions stream and the Jobs stream (chunking_complete).
    expect(infra.text.join('\n')).toMatch(/aws_lambda_event_source_mapping × 2/);
  },
  15 * 60_000,
);
