import { writeFileSync } from 'node:fs';
import { probeMedia, requireVideo } from '../src/ffmpeg/probe';
import { resolveFfmpegPath, resolveFfprobePath } from '../src/ffmpeg/binaries';
import { runFfmpeg } from '../src/ffmpeg/run';
import { makeClip, makeImage, ffmpegSync, tempDir, rejection } from './support/media';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('binary resolution', () => {
  it('prefers FFMPEG_PATH / FFPROBE_PATH, else the names on PATH', () => {
    expect(resolveFfmpegPath({ FFMPEG_PATH: '/opt/ff/ffmpeg' })).toBe('/opt/ff/ffmpeg');
    expect(resolveFfprobePath({ FFPROBE_PATH: '/opt/ff/ffprobe' })).toBe('/opt/ff/ffprobe');
    expect(resolveFfmpegPath({})).toBe('ffmpeg');
    expect(resolveFfprobePath({})).toBe('ffprobe');
  });

  it('finds ffprobe next to an explicit FFMPEG_PATH', () => {
    expect(resolveFfprobePath({ FFMPEG_PATH: '/usr/bin/ffmpeg' })).toBe('/usr/bin/ffprobe');
  });
});

describe('probeMedia', () => {
  it('describes a clip with audio: duration, size, frame rate, frame count, pix_fmt', async () => {
    const clip = makeClip(tmp.file('av.mp4'), { width: 320, height: 180, rate: 25, seconds: 2, audio: true });

    const probe = await probeMedia(clip);

    expect(probe.hasVideo).toBe(true);
    expect(probe.hasAudio).toBe(true);
    expect(probe.isStillImage).toBe(false);
    expect(probe.durationSeconds).toBeCloseTo(2, 1);
    expect(probe.video).toMatchObject({ width: 320, height: 180, rotation: 0, frameRate: 25, frameCount: 50 });
    expect(probe.video?.pixFmt).toBe('yuv420p');
    expect(probe.video?.bitDepth).toBe(8);
    expect(probe.streams.map((s) => s.type)).toEqual(['video', 'audio']);
  });

  it('swaps width and height for a clip rotated by 90 degrees', async () => {
    const source = makeClip(tmp.file('unrotated.mp4'), { width: 320, height: 180 });
    const rotated = tmp.file('rotated.mp4');
    ffmpegSync(['-i', source, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);

    const probe = await probeMedia(rotated);

    expect(probe.video).toMatchObject({ width: 180, height: 320, codedWidth: 320, codedHeight: 180 });
    expect([90, 270]).toContain(probe.video?.rotation);
  });

  it('recognises a still image and a 10-bit stream', async () => {
    const image = makeImage(tmp.file('still.png'));
    const tenBit = makeClip(tmp.file('10bit.mkv'), {
      outputArgs: ['-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p10le', '-x265-params', 'log-level=error'],
    });

    const still = await probeMedia(image);
    const deep = await probeMedia(tenBit);

    expect(still).toMatchObject({ isStillImage: true, hasAudio: false, durationSeconds: undefined });
    expect(still.video).toMatchObject({ width: 320, height: 180, frameCount: 1 });
    expect(deep.video?.bitDepth).toBe(10);
    expect(deep.video?.pixFmt).toBe('yuv420p10le');
  });

  it('reports an audio-only file as having no video, and requireVideo refuses it', async () => {
    const audioOnly = tmp.file('tone.m4a');
    ffmpegSync(['-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'aac', audioOnly]);

    const probe = await probeMedia(audioOnly);

    expect(probe.hasVideo).toBe(false);
    expect(() => requireVideo(probe)).toThrow(expect.objectContaining({ code: 'NO_VIDEO_STREAM', permanent: true }));
  });

  it('rejects a missing file and a non-media file with a permanent UNREADABLE_INPUT', async () => {
    const notMedia = tmp.file('notes.mp4');
    writeFileSync(notMedia, 'this is not a video\n');

    const missing = await rejection(probeMedia(tmp.file('missing.mp4')));
    const garbage = await rejection(probeMedia(notMedia));

    expect(missing).toMatchObject({ code: 'UNREADABLE_INPUT', permanent: true });
    expect(missing.message).toContain('No such file or directory');
    expect(garbage).toMatchObject({ code: 'UNREADABLE_INPUT', permanent: true });
    expect(garbage.stderrTail).toMatch(/Invalid data|moov atom/);
  });
});

describe('runFfmpeg', () => {
  it('streams stderr lines to the caller and resolves on success', async () => {
    const lines: string[] = [];

    await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=64x64:d=0.2', '-f', 'null', '-'], {
      onStderrLine: (line) => lines.push(line),
    });

    expect(lines.some((l) => l.includes('testsrc2') || l.startsWith('frame='))).toBe(true);
  });

  it('classifies an unwritable output as a transient FFMPEG_FAILED with the stderr tail', async () => {
    const output = tmp.file('no-such-dir/out.mp4');

    const error = await rejection(runFfmpeg(['-f', 'lavfi', '-i', 'testsrc2=d=0.2', '-y', output]));

    expect(error).toMatchObject({ code: 'FFMPEG_FAILED', permanent: false });
    expect(error.stderrTail).toContain('No such file or directory');
  });

  it('classifies a missing input as a permanent UNREADABLE_INPUT', async () => {
    const error = await rejection(runFfmpeg(['-i', tmp.file('absent.mp4'), '-f', 'null', '-']));

    expect(error).toMatchObject({ code: 'UNREADABLE_INPUT', permanent: true });
  });

  it('kills ffmpeg and rejects with ABORTED when the signal fires', async () => {
    const controller = new AbortController();
    const endless = runFfmpeg(['-re', '-f', 'lavfi', '-i', 'testsrc2=s=64x64', '-f', 'null', '-'], {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 200);

    const error = await rejection(endless);

    expect(error).toMatchObject({ code: 'ABORTED', permanent: false });
  });

  it('kills a silent ffmpeg after the idle timeout', async () => {
    // `-nostats`: the runner's default `-stats` would keep it talking.
    const silent = runFfmpeg(['-loglevel', 'quiet', '-nostats', '-re', '-f', 'lavfi', '-i', 'testsrc2=s=64x64', '-f', 'null', '-'], {
      idleTimeoutMs: 300,
    });

    const error = await rejection(silent);

    expect(error.code).toBe('FFMPEG_TIMEOUT');
  });

  it('keeps a healthy but quiet (-v error) ffmpeg alive past the idle timeout with its -stats progress', async () => {
    // Prepare: 2 s of real-time input, printing no message at all, and a 1.5 s idle timeout.
    const quiet = ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=s=64x64:d=2', '-f', 'null', '-'];

    // Act
    const result = await runFfmpeg(quiet, { idleTimeoutMs: 1500 });

    // Assess: only progress lines were written.
    expect(result.stderrTail).toMatch(/^frame=/m);
  });

  it('reports a missing binary as FFMPEG_NOT_FOUND', async () => {
    const saved = process.env.FFMPEG_PATH;
    process.env.FFMPEG_PATH = tmp.file('no-ffmpeg-here');
    try {
      const error = await rejection(runFfmpeg(['-version']));
      expect(error).toMatchObject({ code: 'FFMPEG_NOT_FOUND', permanent: false });
    } finally {
      if (saved === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = saved;
    }
  });
});
