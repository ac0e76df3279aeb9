import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import path from 'node:path';
import { inputKey, segmentKey } from '@stereo-spot/shared-types';
import { makeJob, makeTempDir, newJobId, type TempDir } from '@stereo-spot/testing';
import { createLocalPlatform, type LocalPlatform } from '../src/platform';

describe('createLocalPlatform', () => {
  let home: TempDir;
  let platform: LocalPlatform;

  beforeEach(async () => {
    home = await makeTempDir('platform');
    platform = createLocalPlatform({ home: home.path, publicBaseUrl: 'http://127.0.0.1:1' });
  });
  afterEach(async () => {
    await platform.close();
    await home.remove();
  });

  it('gives each queue its default visibility timeout and a DLQ', () => {
    // Prepare
    const { queues } = platform;
    // Act
    const timeouts = Object.fromEntries(
      Object.entries(queues).map(([role, pair]) => [role, [pair.queue.visibilityTimeoutSeconds, pair.deadLetter.name]]),
    );
    // Assess
    expect(timeouts).toEqual({
      chunking: [900, 'chunking-dlq'],
      'video-worker': [1800, 'video-worker-dlq'],
      reassembly: [600, 'reassembly-dlq'],
    });
  });

  it('notifies the chunking queue of an upload and the video-worker queue of a segment', async () => {
    // Prepare
    const jobId = newJobId();
    const segment = segmentKey({ jobId, segmentIndex: 0, totalSegments: 2, mode: 'anaglyph' });
    // Act
    await platform.inputStorage.putBytes(inputKey(jobId), 'video bytes');
    await platform.inputStorage.putBytes(segment, 'segment bytes');
    await platform.inputStorage.putBytes(`input/${jobId}/notes.txt`, 'not a video');
    // Assess
    const [upload] = await platform.queues.chunking.queue.receive({ maxMessages: 10, waitSeconds: 0 });
    const [segmentEvent] = await platform.queues['video-worker'].queue.receive({ maxMessages: 10, waitSeconds: 0 });
    expect(JSON.parse(upload!.body)).toEqual({ objects_created: [{ key: inputKey(jobId), size: 11 }] });
    expect(platform.objectEvents.decode(segmentEvent!.body)).toEqual({
      ok: true,
      value: { kind: 'objects-created', keys: [segment] },
    });
    expect(await platform.queues.chunking.queue.depth()).toEqual({ visible: 0, inFlight: 1 });
  });

  it('keeps its state in the home folder, with a private secret', async () => {
    // Prepare
    const secret = path.join(home.path, 'secret');
    // Act
    const mode = statSync(secret).mode & 0o777;
    // Assess
    expect(mode).toBe(0o600);
    expect(statSync(path.join(home.path, 'stereo-spot.db')).isFile()).toBe(true);
  });

  it('keeps the home and everything it creates private to the user (folders 0700, files 0600)', async () => {
    // Prepare: a world-readable file to copy in, and a home made elsewhere with a lax mode.
    const source = path.join(home.path, '..', `${path.basename(home.path)}-source.mp4`);
    writeFileSync(source, 'video', { mode: 0o644 });
    const laxHome = path.join(home.path, 'lax');
    mkdirSync(laxHome, { mode: 0o755 });
    // Act
    await platform.inputStorage.putFile(inputKey(newJobId()), source);
    await platform.inputStorage.putBytes(segmentKey({ jobId: newJobId(), segmentIndex: 0, totalSegments: 1, mode: 'anaglyph' }), 'x');
    await platform.outputStorage.putStream('jobs/x/final.mp4', Readable.from([Buffer.from('final')]));
    await platform.jobs.create(makeJob());
    const lax = createLocalPlatform({ home: laxHome, publicBaseUrl: 'http://127.0.0.1:1' });
    await lax.close();
    rmSync(source);
    // Assess
    const modes = walk(home.path).map((entry) => `${entry.isDirectory ? 'dir' : 'file'} ${entry.mode.toString(8)} ${entry.relative}`);
    expect(modes.filter((line) => !/^(dir 700|file 600) /.test(line))).toEqual([]);
    expect(modes).toEqual(
      expect.arrayContaining([
        'dir 700 .',
        'file 600 stereo-spot.db',
        'file 600 stereo-spot.db-wal',
        'dir 700 buckets/stereo-spot-input/input',
        'dir 700 lax',
        'file 600 buckets/stereo-spot-output/jobs/x/final.mp4',
      ]),
    );
  });

  it('a second platform on the same home sees the same queues, tables and secret', async () => {
    // Prepare
    const fixedClock = { now: () => Date.parse('2030-01-01T00:00:00Z') };
    const first = createLocalPlatform({ home: home.path, publicBaseUrl: 'http://127.0.0.1:1', clock: fixedClock });
    const second = createLocalPlatform({ home: home.path, publicBaseUrl: 'http://127.0.0.1:1', clock: fixedClock });
    try {
      await first.queues.reassembly.queue.send(JSON.stringify({ job_id: newJobId() }));
      // Act
      const received = await second.queues.reassembly.queue.receive({ maxMessages: 1, waitSeconds: 1 });
      const url = (await first.outputStorage.presignGet('jobs/x/final.mp4', { expiresInSeconds: 60 })).url;
      const otherUrl = (await second.outputStorage.presignGet('jobs/x/final.mp4', { expiresInSeconds: 60 })).url;
      // Assess
      expect(received).toHaveLength(1);
      expect(url).toBe(otherUrl);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});

/** Every folder and file under `root` (itself included as `.`) with its permission bits. */
function walk(root: string): { relative: string; mode: number; isDirectory: boolean }[] {
  const entries = [{ relative: '.', mode: statSync(root).mode & 0o777, isDirectory: true }];
  for (const name of readdirSync(root, { recursive: true }) as string[]) {
    const info = statSync(path.join(root, name));
    entries.push({ relative: name, mode: info.mode & 0o777, isDirectory: info.isDirectory() });
  }
  return entries;
}
