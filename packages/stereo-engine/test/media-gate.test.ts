import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { hlsPlaylistNaming, makeHostileUploads, type HostileUpload } from '@stereo-spot/testing';
import { convertFile } from '../src/convert/convert-file';
import { probeMedia } from '../src/ffmpeg/probe';
import { runFfmpeg } from '../src/ffmpeg/run';
import { ffmpegSync, ffprobeJson, makeClip, makeImage, tempDir, rejection } from './support/media';

const tmp = tempDir('stereo-engine-gate-');
const SECRET_MARKER = 'SECRET-MARKER-5f2c';
let target: string;
let uploads: HostileUpload[];

beforeAll(async () => {
  // A real video the hostile uploads name: another user's upload on the same disk.
  mkdirSync(tmp.file('secret'));
  const clip = makeClip(tmp.file('secret/clip.mp4'), { width: 64, height: 48, seconds: 1 });
  target = tmp.file('secret/target.ts');
  ffmpegSync(['-i', clip, '-c', 'copy', '-metadata', `service_name=${SECRET_MARKER}`, '-f', 'mpegts', target]);
  uploads = await makeHostileUploads({ absolutePath: target, relativePath: 'secret/target.ts' });
  for (const upload of uploads) writeFileSync(tmp.file(`${upload.kind}.mp4`), upload.bytes);
});
afterAll(() => tmp.cleanup());

describe('the media gate', () => {
  it('reproduces the attack: ffprobe without the gate reads the named file through every hostile upload', () => {
    for (const upload of uploads) {
      // Prepare / Act: plain ffprobe, format picked from the content, as before the gate.
      const described = ffprobeJson(tmp.file(`${upload.kind}.mp4`));

      // Assess: the 100-byte upload "is" the target's video.
      expect({ kind: upload.kind, video: described.streams.some((s) => s.codec_type === 'video') }).toEqual({
        kind: upload.kind,
        video: true,
      });
    }
  });

  it('refuses every hostile upload at the probe with a permanent, readable UNSUPPORTED_CONTAINER', async () => {
    for (const upload of uploads) {
      const file = tmp.file(`${upload.kind}.mp4`);

      const error = await rejection(probeMedia(file));

      expect({ kind: upload.kind, code: error.code, permanent: error.permanent }).toEqual({
        kind: upload.kind,
        code: 'UNSUPPORTED_CONTAINER',
        permanent: true,
      });
      expect(error.message).toMatch(/the format "(hls|concat|ffconcat)" is not accepted/);
      expect(error.message).not.toContain(SECRET_MARKER);
      expect(error.message).not.toContain(path.basename(target));
    }
  });

  it('refuses every hostile upload in convertFile and writes no output', async () => {
    for (const upload of uploads) {
      const output = tmp.file(`out-${upload.kind}.mp4`);

      const error = await rejection(convertFile({ input: tmp.file(`${upload.kind}.mp4`), output, mode: 'anaglyph' }));

      expect({ kind: upload.kind, code: error.code }).toEqual({ kind: upload.kind, code: 'UNSUPPORTED_CONTAINER' });
      expect(readdirSync(tmp.dir).filter((name) => name.startsWith('out-'))).toEqual([]);
    }
  });

  it('accepts the real containers and image formats and names the demuxer the real run forces', async () => {
    const mp4 = makeClip(tmp.file('ok.mp4'), { width: 64, height: 48 });
    const mkv = makeClip(tmp.file('ok.mkv'), { width: 64, height: 48 });
    const png = makeImage(tmp.file('ok.png'), 64, 48);
    const jpg = makeImage(tmp.file('ok.jpg'), 640, 480);

    const demuxers = await Promise.all([mp4, mkv, png, jpg, target].map(async (file) => (await probeMedia(file)).demuxer));

    expect(demuxers).toEqual(['mov', 'matroska', 'png_pipe', 'jpeg_pipe', 'mpegts']);
  });

  describe('protocols', () => {
    let server: Server;
    let requests: string[];
    let base: string;

    beforeAll(async () => {
      requests = [];
      server = createServer((req, res) => {
        requests.push(req.url ?? '');
        res.end(SECRET_MARKER);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('refuses a URL input on every run, even with a demuxer forced: the server sees no request', async () => {
      const forced = await rejection(runFfmpeg(['-f', 'mpegts', '-i', `${base}/direct.ts`, '-f', 'null', '-']));
      const probed = await rejection(probeMedia(`${base}/probed.ts`));

      expect(forced).toMatchObject({ code: 'UNSUPPORTED_CONTAINER', permanent: true });
      expect(probed).toMatchObject({ code: 'UNSUPPORTED_CONTAINER', permanent: true });
      expect(requests).toEqual([]);
    });

    it('refuses a playlist naming a URL even when the hls demuxer is forced on a raw run', async () => {
      const playlist = tmp.file('remote.m3u8');
      writeFileSync(playlist, hlsPlaylistNaming(`${base}/segment.ts`));

      const error = await rejection(runFfmpeg(['-f', 'hls', '-i', playlist, '-f', 'null', '-']));

      expect(error.permanent).toBe(true);
      expect(error.message).not.toContain(SECRET_MARKER);
      expect(requests).toEqual([]);
    });
  });
});
