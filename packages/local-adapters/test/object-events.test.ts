import { inputKey } from '@stereo-spot/shared-types';
import { makeTempDir, newJobId } from '@stereo-spot/testing';
import { createLocalPlatform } from '../src/platform';
import { localObjectEventFormat } from '../src/storage/object-events';

/** A body exactly as versions before the objects-created message queued it (S3's shape, S3's key encoding). */
function earlierVersionBody(encodedKey: string): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'local',
        eventTime: '2026-11-30T10:00:00.000Z',
        eventName: 'ObjectCreated:Put',
        s3: {
          s3SchemaVersion: '1.0',
          bucket: { name: 'input', arn: 'arn:aws:s3:::input' },
          object: { key: encodedKey, size: 11 },
        },
      },
    ],
  });
}

describe('the embedded platform’s object events', () => {
  it('still reads a message an earlier version queued in an existing database', async () => {
    // Prepare
    const home = await makeTempDir('object-events');
    const jobId = newJobId();
    const before = createLocalPlatform({ home: home.path, publicBaseUrl: 'http://127.0.0.1:1' });
    await before.queues.chunking.queue.send(earlierVersionBody(inputKey(jobId)));
    await before.close();

    // Act
    const after = createLocalPlatform({ home: home.path, publicBaseUrl: 'http://127.0.0.1:1' });
    try {
      const [message] = await after.queues.chunking.queue.receive({ maxMessages: 1, waitSeconds: 0 });

      // Assess
      expect(after.objectEvents.decode(message!.body)).toEqual({
        ok: true,
        value: { kind: 'objects-created', keys: [inputKey(jobId)] },
      });
    } finally {
      await after.close();
      await home.remove();
    }
  });

  it('decodes the S3 key encoding of those earlier messages (+ is a space)', () => {
    expect(localObjectEventFormat.decode(earlierVersionBody('input/my+video%2B1%28a%29.mp4'))).toEqual({
      ok: true,
      value: { kind: 'objects-created', keys: ['input/my video+1(a).mp4'] },
    });
  });

  it('writes plain keys and reads them back', () => {
    // Act
    const body = localObjectEventFormat.encodeCreated({ key: 'input/a b+c.mp4', size: 3 });

    // Assess
    expect(JSON.parse(body)).toEqual({ objects_created: [{ key: 'input/a b+c.mp4', size: 3 }] });
    expect(localObjectEventFormat.decode(body)).toEqual({
      ok: true,
      value: { kind: 'objects-created', keys: ['input/a b+c.mp4'] },
    });
  });

  it.each(['not json', '{"Records":[]}', '{"objects_created":[]}', earlierVersionBody('input/%E0%A4%A.mp4')])(
    'refuses %s with the reason',
    (body) => {
      const decoded = localObjectEventFormat.decode(body);
      expect(!decoded.ok && decoded.error.message).toMatch(/^invalid objects-created message: /);
    },
  );
});
