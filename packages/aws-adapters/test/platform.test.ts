import { randomUUID } from 'node:crypto';
import { GetBucketCorsCommand, GetBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { QUEUE_SETTINGS, SEGMENT_OUTPUT_EXPIRY_DAYS, SEGMENT_OUTPUT_EXPIRY_TAG } from '@stereo-spot/contracts';
import { loadConfig, type AwsPlatformConfig } from '@stereo-spot/config';
import { inputKey, segmentKey, toJobId } from '@stereo-spot/shared-types';
import { createJob, InvalidRequestError, portsForRole, type TriggerChange } from '@stereo-spot/pipeline';
import { makeJob } from '@stereo-spot/testing';
import { createAwsPlatform, openAwsPortSource, type AwsPlatform } from '../src/platform';
import { provisionPipelineResources, type ProvisionedPipeline } from '../src/provisioning/pipeline-resources';
import { startMotoFixture, type MotoFixture } from './support/moto';
import { presignedRequestMatches } from './support/sigv4-verifier';

let moto: MotoFixture;
let provisioned: ProvisionedPipeline;
let platform: AwsPlatform;

function awsConfig(role: 'ops' | 'web-ui'): AwsPlatformConfig {
  const config = loadConfig(role, {
    STEREO_SPOT_PLATFORM: 'aws',
    AWS_REGION: moto.server.region,
    AWS_ENDPOINT_URL: moto.server.endpoint,
    ...provisioned.env,
  });
  if (config.platform.kind !== 'aws') throw new Error('expected the aws platform');
  return config.platform;
}

beforeAll(async () => {
  moto = await startMotoFixture();
  provisioned = await provisionPipelineResources(moto.clients, {
    prefix: moto.prefix('platform'),
    maxReceiveCount: 2,
    corsOrigins: ['http://127.0.0.1:8080'],
  });
  platform = await createAwsPlatform(awsConfig('ops'), { credentials: moto.server.credentials });
});
afterAll(async () => {
  await platform?.close();
  await moto?.stop();
});

const bodiesOf = async (queue: AwsPlatform['queues']['chunking']['queue']) => {
  const messages = await queue.receive({ maxMessages: 10, waitSeconds: 1 });
  for (const message of messages) await queue.delete(message.receiptHandle);
  return messages.map((m) => m.body);
};

const keysIn = (bodies: readonly string[]) =>
  bodies.flatMap((body) => {
    const decoded = platform.objectEvents.decode(body);
    return decoded.ok && decoded.value.kind === 'objects-created' ? decoded.value.keys : [];
  });

describe('createAwsPlatform over provisioned moto_server resources', () => {
  test('the variable names of @stereo-spot/config reach every port', () => {
    expect(platform.inputStorage.bucket).toBe(provisioned.env.INPUT_BUCKET_NAME);
    expect(platform.outputStorage.bucket).toBe(provisioned.env.OUTPUT_BUCKET_NAME);
    // The queues as aws-infra creates them: both read @stereo-spot/contracts.
    expect(platform.queues.chunking.queue.visibilityTimeoutSeconds).toBe(QUEUE_SETTINGS.chunking.visibilityTimeoutSeconds);
    expect(platform.queues['video-worker'].queue.visibilityTimeoutSeconds).toBe(
      QUEUE_SETTINGS['video-worker'].visibilityTimeoutSeconds,
    );
    expect(platform.queues.reassembly.deadLetter.name).toBe(
      `${provisioned.env.REASSEMBLY_QUEUE_URL.split('/').pop()}-dlq`,
    );
  });

  test('an upload under input/ notifies the chunking queue, a source segment the video-worker queue', async () => {
    // Prepare
    const jobId = toJobId(randomUUID());
    const segment = segmentKey({ jobId, segmentIndex: 0, totalSegments: 1, mode: 'anaglyph' });
    await bodiesOf(platform.queues.chunking.queue); // the notification configuration's s3:TestEvent

    // Act
    await platform.inputStorage.putBytes(inputKey(jobId), 'video');
    await platform.inputStorage.putBytes(segment, 'segment');
    await platform.inputStorage.putBytes(`input/${jobId}/notes.txt`, 'not a video');

    // Assess
    expect(keysIn(await bodiesOf(platform.queues.chunking.queue))).toEqual([inputKey(jobId)]);
    expect(keysIn(await bodiesOf(platform.queues['video-worker'].queue))).toEqual([segment]);
  });

  test('a notification re-sent by an operator names the input bucket and reads like the ones S3 sends', async () => {
    // Prepare
    const key = inputKey(toJobId(randomUUID()));

    // Act
    const body = platform.objectEvents.encodeCreated({ key, size: 5 });

    // Assess
    expect(JSON.parse(body).Records[0].s3.bucket.name).toBe(provisioned.env.INPUT_BUCKET_NAME);
    expect(keysIn([body])).toEqual([key]);
  });

  test('a message that keeps failing reaches its DLQ through the redrive policy', async () => {
    // Prepare
    const { queue, deadLetter } = platform.queues.reassembly;
    await queue.send('{"job_id":"poison"}');

    // Act
    for (let attempt = 0; attempt < 3; attempt++)
      await queue.receive({ maxMessages: 1, waitSeconds: 1, visibilityTimeoutSeconds: 0 });

    // Assess
    expect((await deadLetter.peek(10)).map((m) => m.body)).toEqual(['{"job_id":"poison"}']);
    expect(await deadLetter.replay(queue)).toBe(1);
    expect(await bodiesOf(queue)).toEqual(['{"job_id":"poison"}']);
  });

  test('the stream poller follows the SegmentCompletions table found by its name', async () => {
    // Prepare
    const jobId = toJobId(randomUUID());
    const received: string[] = [];
    const poller = await platform.createStreamPoller({
      handler: async (changes) => {
        received.push(...changes.map((change) => `${change.kind} ${change.subject} ${change.jobId}`));
        return { failedPositions: [] };
      },
      startingPosition: 'LATEST',
    });
    await poller.pollOnce();

    // Act
    await platform.segmentCompletions.put({
      job_id: jobId,
      segment_index: 0,
      output_key: 'k',
      completed_at: 1,
    });
    await poller.pollOnce();

    // Assess
    expect(received).toEqual([`inserted segment-completion ${jobId}`]);
  });

  test('the Jobs stream poller hands each write as a status change, before and after', async () => {
    // Prepare
    const job = makeJob({ status: 'chunking_in_progress' });
    const received: TriggerChange[] = [];
    const poller = await platform.createStreamPoller({
      table: 'JOBS_TABLE_NAME',
      handler: async (changes) => {
        received.push(...changes);
        return { failedPositions: [] };
      },
      startingPosition: 'LATEST',
    });
    await poller.pollOnce();

    // Act
    await platform.jobs.create(job);
    await platform.jobs.transition(job.job_id, 'chunking_complete', { total_segments: 2 });
    await poller.pollOnce();

    // Assess
    expect(received.filter((change) => change.jobId === job.job_id)).toEqual([
      { kind: 'inserted', subject: 'job', jobId: job.job_id, newStatus: 'chunking_in_progress', position: expect.any(String) },
      {
        kind: 'changed',
        subject: 'job',
        jobId: job.job_id,
        oldStatus: 'chunking_in_progress',
        newStatus: 'chunking_complete',
        position: expect.any(String),
      },
    ]);
  });

  test('tables, stream, TTL, CORS and lifecycle rule are provisioned as the adapters expect', async () => {
    // Act
    const jobs = await moto.clients.dynamodb.send(
      new DescribeTableCommand({ TableName: provisioned.env.JOBS_TABLE_NAME }),
    );
    const completions = await moto.clients.dynamodb.send(
      new DescribeTableCommand({ TableName: provisioned.env.SEGMENT_COMPLETIONS_TABLE_NAME }),
    );
    const ttl = await moto.clients.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: provisioned.env.REASSEMBLY_TRIGGERED_TABLE_NAME }),
    );
    const lifecycle = await moto.clients.s3.send(
      new GetBucketLifecycleConfigurationCommand({ Bucket: provisioned.env.OUTPUT_BUCKET_NAME }),
    );
    const uploadCors = await moto.clients.s3.send(
      new GetBucketCorsCommand({ Bucket: provisioned.env.INPUT_BUCKET_NAME }),
    );

    // Assess
    expect(jobs.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual([
      'status-completed_at',
      'status-created_at',
    ]);
    expect(completions.Table?.StreamSpecification).toEqual({
      StreamEnabled: true,
      StreamViewType: 'NEW_IMAGE',
    });
    expect(completions.Table?.LatestStreamArn).toBe(provisioned.segmentCompletionsStreamArn);
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });
    expect(uploadCors.CORSRules?.[0]).toMatchObject({
      AllowedMethods: ['PUT'],
      AllowedOrigins: ['http://127.0.0.1:8080'],
    });
    expect(lifecycle.Rules?.[0]).toMatchObject({
      Status: 'Enabled',
      Expiration: { Days: SEGMENT_OUTPUT_EXPIRY_DAYS },
      Filter: { Tag: { Key: SEGMENT_OUTPUT_EXPIRY_TAG.key, Value: SEGMENT_OUTPUT_EXPIRY_TAG.value } },
    });
  });

  test('a process without every resource cannot open every port: the error names each missing variable', async () => {
    // Act
    const opening = createAwsPlatform(awsConfig('web-ui'), { credentials: moto.server.credentials });

    // Assess
    await expect(opening).rejects.toThrow(
      /^CHUNKING_QUEUE_URL, VIDEO_WORKER_QUEUE_URL, REASSEMBLY_QUEUE_URL, CHUNKING_DLQ_URL, VIDEO_WORKER_DLQ_URL, REASSEMBLY_DLQ_URL are not set/,
    );
    await expect(opening).rejects.toMatchObject({ code: 'MISSING_RESOURCE_CONFIG', permanent: true });
  });
});

describe('openAwsPortSource: each role gets exactly its ports', () => {
  test("the web UI's ports open from the web UI's configuration and work", async () => {
    // Prepare
    const source = openAwsPortSource(awsConfig('web-ui'), { credentials: moto.server.credentials });

    // Act
    const ports = await portsForRole('web-ui', source);

    // Assess
    expect(ports.inputStorage.bucket).toBe(provisioned.env.INPUT_BUCKET_NAME);
    expect(await ports.jobs.get(toJobId(randomUUID()))).toBeUndefined();
    await source.close();
  });

  test('a role whose queue was not configured fails when it starts, naming the variable', async () => {
    // Prepare
    const source = openAwsPortSource(awsConfig('web-ui'), { credentials: moto.server.credentials });

    // Act
    const starting = portsForRole('chunking', source);

    // Assess
    await expect(starting).rejects.toThrow(/^CHUNKING_QUEUE_URL is not set: .*\(needed for: the chunking queue\)$/);
    await expect(starting).rejects.toMatchObject({ code: 'MISSING_RESOURCE_CONFIG', permanent: true });
    await source.close();
  });
});

describe('createJob on S3: the upload size is always signed', () => {
  const deps = (jobId: string) => ({
    ...platform,
    clock: { now: () => Date.now() },
    ids: { newJobId: () => jobId },
    maxUploadBytes: 5000,
    uploadUrlTtlSeconds: 600,
  });

  test('refuses a job without file_size (S3 would take any size up to 5 GiB), storing nothing', async () => {
    // Prepare
    const jobId = toJobId(randomUUID());
    // Act
    const creating = createJob(deps(jobId), { file_name: 'clip.mp4' });
    // Assess
    await expect(creating).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(creating).rejects.toThrow(/^file_size: required: the upload URL is signed for the exact size of the file/);
    expect(await platform.jobs.get(jobId)).toBeUndefined();
  });

  test('signs the announced size: S3 refuses a PUT of any other length', async () => {
    // Prepare
    const jobId = toJobId(randomUUID());
    // Act
    const { upload } = await createJob(deps(jobId), { file_name: 'clip.mp4', file_size: 1234 });
    const matches = ['1234', '1235', '4999'].map((length) =>
      presignedRequestMatches('PUT', upload.url, { ...upload.headers, 'content-length': length }, moto.server.credentials.secretAccessKey),
    );
    // Assess
    expect(new URL(upload.url).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('content-length');
    expect(matches).toEqual([true, false, false]);
  });
});
