import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateBucketCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketNotificationConfigurationCommand,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { SEGMENT_OUTPUT_EXPIRY_TAG } from '@stereo-spot/contracts';
import { describeObjectStorageContract } from '@stereo-spot/testing';
import { finalKey, inputKey, segmentOutputKey, toJobId } from '@stereo-spot/shared-types';
import { AwsAdapterError } from '../src/errors';
import { S3ObjectStorage } from '../src/s3/s3-object-storage';
import { attachmentContentDisposition } from '../src/s3/content-disposition';
import { parseS3NotificationBody, S3NotificationFormat } from '../src/s3/s3-notifications';
import { startMotoFixture, type MotoFixture } from './support/moto';
import { createBucket, createQueuePair } from './support/resources';
import { presignedRequestMatches } from './support/sigv4-verifier';

let moto: MotoFixture;
let workDir: string;

beforeAll(async () => {
  moto = await startMotoFixture();
  workDir = await mkdtemp(path.join(tmpdir(), 's3-adapter-'));
});
afterAll(async () => {
  await moto?.stop();
  await rm(workDir, { recursive: true, force: true });
});

async function newBucket(label: string): Promise<S3ObjectStorage> {
  const bucket = moto.prefix(label);
  await moto.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return new S3ObjectStorage(moto.clients.s3, bucket);
}

const jobId = () => toJobId(randomUUID());

describe('S3ObjectStorage on moto_server (the rest is the ObjectStorage contract)', () => {
  test('uploads a large file in parts and downloads it back byte for byte', async () => {
    // Prepare
    const storage = await newBucket('multipart');
    const source = path.join(workDir, 'large.bin');
    const bytes = Buffer.alloc(17 * 1024 * 1024 + 123);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i % 251;
    await writeFile(source, bytes);
    const key = finalKey(jobId());

    // Act
    await storage.putFile(key, source);
    const target = path.join(workDir, 'large-copy.bin');
    await storage.downloadToFile(key, target);

    // Assess
    expect((await readFile(target)).equals(bytes)).toBe(true);
    const head = await moto.clients.s3.send(new HeadObjectCommand({ Bucket: storage.bucket, Key: key }));
    expect(head.ETag).toMatch(/-2"$/); // a multipart ETag: two parts
    expect(head.ContentType).toBe('video/mp4');
  });

  test('tags converted segments for the lifecycle rule, and nothing else', async () => {
    // Prepare
    const storage = await newBucket('tags');
    const id = jobId();
    const segmentOutput = segmentOutputKey(id, 4);
    const final = finalKey(id);
    const file = path.join(workDir, 'segment.mp4');
    await writeFile(file, 'converted');

    // Act
    await storage.putFile(segmentOutput, file);
    await storage.putBytes(final, 'final');

    // Assess
    const tagsOf = async (key: string) =>
      (await moto.clients.s3.send(new GetObjectTaggingCommand({ Bucket: storage.bucket, Key: key }))).TagSet;
    expect(await tagsOf(segmentOutput)).toEqual([
      { Key: SEGMENT_OUTPUT_EXPIRY_TAG.key, Value: SEGMENT_OUTPUT_EXPIRY_TAG.value },
    ]);
    expect(await tagsOf(final)).toEqual([]);
  });

  test('with an announced size the URL binds Content-Length: S3 would refuse any other size', async () => {
    // Prepare
    const storage = await newBucket('presign-size');
    const upload = await storage.presignPut(inputKey(jobId()), {
      expiresInSeconds: 60,
      maxBytes: 5000,
      contentLength: 1000,
    });
    const secret = moto.server.credentials.secretAccessKey;

    // Act
    const exact = presignedRequestMatches('PUT', upload.url, { 'content-length': '1000' }, secret);
    const larger = presignedRequestMatches('PUT', upload.url, { 'content-length': '1001' }, secret);
    const smaller = presignedRequestMatches('PUT', upload.url, { 'content-length': '10' }, secret);
    const otherKey = presignedRequestMatches(
      'PUT',
      upload.url.replace('source.mp4', 'other.mp4'),
      { 'content-length': '1000' },
      secret,
    );

    // Assess
    expect(new URL(upload.url).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain(
      'content-length',
    );
    expect(new URL(upload.url).searchParams.get('X-Amz-Expires')).toBe('60');
    expect([exact, larger, smaller, otherKey]).toEqual([true, false, false, false]);
    // No empty-body checksum is signed in (it would make S3 refuse every real upload).
    expect(upload.url).not.toMatch(/x-amz-checksum/i);
  });

  test('without an announced size the URL takes any size (S3 cannot cap a presigned PUT)', async () => {
    // Prepare
    const storage = await newBucket('presign-any');
    const upload = await storage.presignPut(segmentOutputKey(jobId(), 0), {
      expiresInSeconds: 60,
      maxBytes: 20 * 1024 ** 3,
      contentType: 'video/mp4',
    });
    const secret = moto.server.credentials.secretAccessKey;

    // Act
    const matches = [10, 123_456].map((size) =>
      presignedRequestMatches(
        'PUT',
        upload.url,
        { 'content-length': String(size), ...upload.headers },
        secret,
      ),
    );

    // Assess
    expect(upload.headers).toEqual({ 'Content-Type': 'video/mp4' });
    expect(new URL(upload.url).searchParams.get('X-Amz-SignedHeaders')?.split(';')).not.toContain(
      'content-length',
    );
    expect(matches).toEqual([true, true]);
  });

  test('refuses an announced size over the limit', async () => {
    // Prepare
    const storage = await newBucket('presign-over');

    // Act
    const presigning = storage.presignPut(inputKey(jobId()), {
      expiresInSeconds: 60,
      maxBytes: 100,
      contentLength: 101,
    });

    // Assess
    await expect(presigning).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', permanent: true });
  });

  test('refuses presigned expiries S3 cannot sign', async () => {
    // Prepare
    const storage = await newBucket('presign-limits');
    const key = inputKey(jobId());

    // Act + Assess
    await expect(storage.presignPut(key, { expiresInSeconds: 0, maxBytes: 1 })).rejects.toBeInstanceOf(
      AwsAdapterError,
    );
    await expect(storage.presignGet(key, { expiresInSeconds: 8 * 24 * 3600 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      permanent: true,
    });
  });

  test('a presigned GET plays inline, or asks for a download under an RFC 6266 file name', async () => {
    // Prepare
    const storage = await newBucket('presign-get');
    const key = finalKey(jobId());
    await storage.putBytes(key, 'the final video');
    const secret = moto.server.credentials.secretAccessKey;

    // Act
    const playback = await storage.presignGet(key, { expiresInSeconds: 300 });
    const download = await storage.presignGet(key, {
      expiresInSeconds: 300,
      downloadFileName: 'Café "3D"_LRF_Full_SBS.mp4',
    });
    const played = await fetch(playback.url);
    const downloaded = await fetch(download.url);

    // Assess
    expect(await played.text()).toBe('the final video');
    expect(await downloaded.text()).toBe('the final video');
    expect(new URL(playback.url).searchParams.has('response-content-disposition')).toBe(false);
    // S3 answers with the signed response-content-disposition (moto ignores the override, so the
    // URL is what can be checked here); changing it would break the signature.
    const disposition = new URL(download.url).searchParams.get('response-content-disposition');
    expect(disposition).toBe(
      `attachment; filename="Cafe _3D__LRF_Full_SBS.mp4"; filename*=UTF-8''Caf%C3%A9%20%223D%22_LRF_Full_SBS.mp4`,
    );
    const tampered = new URL(download.url);
    tampered.searchParams.set('response-content-disposition', 'attachment; filename="other.mp4"');
    expect(presignedRequestMatches('GET', download.url, {}, secret)).toBe(true);
    expect(presignedRequestMatches('GET', tampered.toString(), {}, secret)).toBe(false);
  });

  test('moto delivers URL-encoded keys in real S3 notifications; the shared parser decodes them', async () => {
    // Prepare
    const storage = await newBucket('notify');
    const queue = await moto.clients.sqs.send(new CreateQueueCommand({ QueueName: `${storage.bucket}-q` }));
    const queueArn = (
      await moto.clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }),
      )
    ).Attributes?.QueueArn;
    await moto.clients.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: storage.bucket,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              QueueArn: queueArn,
              Events: ['s3:ObjectCreated:*'],
              Filter: {
                Key: {
                  FilterRules: [
                    { Name: 'prefix', Value: 'input/' },
                    { Name: 'suffix', Value: '.mp4' },
                  ],
                },
              },
            },
          ],
        },
      }),
    );
    const id = jobId();

    // Act
    await storage.putBytes(inputKey(id), 'upload');
    await storage.putBytes(finalKey(id), 'not under input/');
    const received = await moto.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );

    // Assess
    const bodies = (received.Messages ?? []).map((m) => m.Body ?? '');
    const records = bodies
      .map((body) => parseS3NotificationBody(body))
      .flatMap((parsed) => (parsed.ok && parsed.value.kind === 'records' ? parsed.value.records : []));
    expect(bodies.some((body) => body.includes(`input%2F${id}%2Fsource.mp4`))).toBe(true);
    expect(records.map((r) => [r.bucket, r.key])).toEqual([[storage.bucket, inputKey(id)]]);
  });
});

describe('attachmentContentDisposition', () => {
  test.each([
    ['movie_LRF_Full_SBS.mp4', 'attachment; filename="movie_LRF_Full_SBS.mp4"'],
    ['日本語.mp4', `attachment; filename="___.mp4"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.mp4`],
    ["it's (3D)*.mp4", `attachment; filename="it's (3D)*.mp4"`],
    ['back\\slash.mp4', `attachment; filename="back_slash.mp4"; filename*=UTF-8''back%5Cslash.mp4`],
  ])('%s', (name, expected) => {
    expect(attachmentContentDisposition(name)).toBe(expected);
  });
});

// The shared port contract, with the same assertions as for the embedded adapters.
describeObjectStorageContract('S3 on moto_server', async () => {
  const bucket = await createBucket(moto, 'contract-bucket');
  const { queue, queueArn } = await createQueuePair(moto, 'contract-notify', {
    maxReceiveCount: 3,
    visibilityTimeoutSeconds: 30,
  });
  const notification = {
    prefix: 'input/',
    suffix: '.mp4',
    queue,
    format: new S3NotificationFormat({ bucket: () => bucket }),
  };
  await moto.clients.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            QueueArn: queueArn,
            Events: ['s3:ObjectCreated:*'],
            Filter: {
              Key: {
                FilterRules: [
                  { Name: 'prefix', Value: notification.prefix },
                  { Name: 'suffix', Value: notification.suffix },
                ],
              },
            },
          },
        ],
      },
    }),
  );
  // Every test has its own bucket and queue on a server that lives as long as this file.
  return {
    storage: new S3ObjectStorage(moto.clients.s3, bucket),
    notification,
    cleanup: async () => undefined,
  };
});
