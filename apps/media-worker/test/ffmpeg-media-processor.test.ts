import { chmod, copyFile, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InvalidMediaError, isPermanentError } from '@stereo-spot/pipeline';
import { FfmpegMediaProcessor } from '../src/ffmpeg-media-processor';
import { ffmpegSync, formatDuration, keyFrameFlags, makeClip, streamsOf, videoFrameTimes } from './media';

let dir: string;
let clip: string;
const media = new FfmpegMediaProcessor();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'media-processor-'));
  clip = makeClip(path.join(dir, 'clip.mp4'), { seconds: 4, rate: 25, gop: 25, audio: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What a backend does to a segment: decode and re-encode every frame (here: mirrored). */
function convertLikeABackend(input: string, output: string): void {
  ffmpegSync([
    '-i',
    input,
    '-vf',
    'hflip',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    output,
  ]);
}

describe('FfmpegMediaProcessor', () => {
  it('probes duration, size, rate and the audio track', async () => {
    // Act
    const info = await media.probe(clip);

    // Assess
    expect(info).toMatchObject({ hasVideo: true, hasAudio: true, width: 160, height: 90, frameRate: 25 });
    expect(info.durationSeconds).toBeCloseTo(4, 1);
  });

  it('splits into keyframe-aligned, video-only segments that hold every frame', async () => {
    // Act
    const { files } = await media.split(clip, 1, path.join(dir, 'split'));

    // Assess
    expect(files).toHaveLength(4);
    let frames = 0;
    for (const file of files) {
      const streams = streamsOf(file);
      expect(streams.map((s) => s.codecType)).toEqual(['video']);
      expect(keyFrameFlags(file)[0]).toBe(true);
      frames += streams[0]!.frames;
    }
    expect(frames).toBe(100);
  });

  it('joins converted segments in order with the source audio: same frames, gap-free, same duration', async () => {
    // Prepare
    const { files } = await media.split(clip, 1, path.join(dir, 'join'));
    const converted = files.map((file) => {
      const output = file.replace(/\.mp4$/, '.3d.mp4');
      convertLikeABackend(file, output);
      return output;
    });
    const output = path.join(dir, 'final.mp4');

    // Act
    await media.concat(converted, clip, output);

    // Assess
    const [video, audio] = streamsOf(output);
    expect(video).toMatchObject({ codecType: 'video', frames: 100 });
    expect(audio?.codecType).toBe('audio');
    expect(Math.abs(formatDuration(output) - formatDuration(clip))).toBeLessThanOrEqual(1 / 25);
    expect(Math.abs(audio!.durationSeconds - streamsOf(clip)[1]!.durationSeconds)).toBeLessThan(0.001);
    const times = videoFrameTimes(output);
    const steps = times.slice(1).map((time, i) => time - times[i]!);
    expect(steps).toHaveLength(99);
    for (const step of steps) expect(step).toBeCloseTo(1 / 25, 3);
    const head = (await readFile(output)).subarray(0, 64).toString('latin1');
    expect(head.indexOf('moov')).toBeGreaterThan(-1); // +faststart: the index comes first
  });

  it('joins without audio when the source has none', async () => {
    // Prepare
    const silent = makeClip(path.join(dir, 'silent.mp4'), { seconds: 2, audio: false });
    const { files } = await media.split(silent, 1, path.join(dir, 'silent-split'));
    const output = path.join(dir, 'silent-final.mp4');

    // Act
    await media.concat(files, silent, output);

    // Assess
    expect(streamsOf(output).map((s) => [s.codecType, s.frames])).toEqual([['video', 50]]);
  });

  it('re-encodes with a keyframe per boundary when the codec cannot be copied into mp4', async () => {
    // Prepare
    const ffv1 = path.join(dir, 'lossless.mkv');
    ffmpegSync(['-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=25:d=2', '-c:v', 'ffv1', ffv1]);

    // Act
    const { files } = await media.split(ffv1, 1, path.join(dir, 'ffv1-split'));

    // Assess
    expect(files).toHaveLength(2);
    expect(files.map((file) => streamsOf(file)[0]!.frames)).toEqual([25, 25]);
  });

  describe('probes of an upload', () => {
    /** Runs `work` with FFPROBE_PATH on a wrapper that records each file it probes; returns those files. */
    async function probedFiles(work: () => Promise<unknown>): Promise<string[]> {
      const record = path.join(dir, `probed-${Math.random().toString(36).slice(2)}.txt`);
      const wrapper = `${record}.sh`;
      const ffprobe = process.env.FFPROBE_PATH || 'ffprobe';
      await writeFile(record, '');
      await writeFile(wrapper, `#!/bin/sh\nfor last; do :; done\nprintf '%s\\n' "$last" >> '${record}'\nexec '${ffprobe}' "$@"\n`);
      await chmod(wrapper, 0o755);
      const before = process.env.FFPROBE_PATH;
      process.env.FFPROBE_PATH = wrapper;
      try {
        await work();
      } finally {
        if (before === undefined) delete process.env.FFPROBE_PATH;
        else process.env.FFPROBE_PATH = before;
      }
      return (await readFile(record, 'utf8')).split('\n').filter((line) => line !== '');
    }

    it('an upload probed for its limits is not probed again to be split while it is unchanged', async () => {
      // Prepare
      const upload = path.join(dir, 'probed-once.mp4');
      await copyFile(clip, upload);
      const fresh = new FfmpegMediaProcessor();

      // Act
      const probed = await probedFiles(async () => {
        await fresh.probe(upload);
        await fresh.split(upload, 1, path.join(dir, 'probed-once'));
      });

      // Assess
      expect(probed.filter((file) => file === upload)).toHaveLength(1);
      expect(probed.filter((file) => file.startsWith(path.join(dir, 'probed-once') + path.sep))).toHaveLength(4);
    });

    it('a file replaced after its probe is probed again: the gate names the demuxer of the new bytes', async () => {
      // Prepare: an MP4 probed, then an MKV of another length written in its place.
      const upload = path.join(dir, 'replaced.mp4');
      await copyFile(clip, upload);
      const fresh = new FfmpegMediaProcessor();
      await fresh.probe(upload);
      const mkv = path.join(dir, 'replacement.mkv');
      ffmpegSync(['-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=25:d=2', '-c:v', 'libx264', '-g', '25', mkv]);
      await copyFile(mkv, upload);

      // Act
      const { files } = await fresh.split(upload, 1, path.join(dir, 'replaced-split'));

      // Assess: read as Matroska (the MP4's probe would have forced `-f mov` and failed).
      expect(files.reduce((frames, file) => frames + streamsOf(file)[0]!.frames, 0)).toBe(50);
    });
  });

  describe('refuses broken uploads with a readable, permanent error', () => {
    async function refusal(file: string): Promise<Error> {
      const error = await media.split(file, 1, path.join(dir, `out-${path.basename(file)}`)).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      if (error === undefined) throw new Error(`${file} was accepted`);
      return error;
    }

    it('text renamed .mp4, zero bytes', async () => {
      // Prepare
      const text = path.join(dir, 'notes.mp4');
      await writeFile(text, 'these are my holiday notes, not a video\n'.repeat(20));
      const empty = path.join(dir, 'empty.mp4');
      await writeFile(empty, '');

      // Act
      const textError = await refusal(text);
      const emptyError = await refusal(empty);

      // Assess
      expect(textError).toBeInstanceOf(InvalidMediaError);
      expect(isPermanentError(textError)).toBe(true);
      expect(textError.message).toBe(
        'the uploaded file is not a readable video: Invalid data found when processing input',
      );
      expect(emptyError).toBeInstanceOf(InvalidMediaError);
      expect(emptyError.message).toBe('the uploaded file is empty (0 bytes)');
    });

    it('truncated mp4, with its index at the end or at the front', async () => {
      // Prepare
      const tail = path.join(dir, 'truncated-tail.mp4');
      await copyFile(clip, tail);
      await truncate(tail, 20_000);
      const front = path.join(dir, 'front.mp4');
      ffmpegSync(['-i', clip, '-c', 'copy', '-movflags', '+faststart', front]);
      await truncate(front, 30_000);

      // Act
      const tailError = await refusal(tail);
      const frontError = await refusal(front);

      // Assess
      expect(tailError).toBeInstanceOf(InvalidMediaError);
      expect(tailError.message).toMatch(/not a readable video/);
      expect(frontError).toBeInstanceOf(InvalidMediaError);
      expect(frontError.message).toMatch(
        /^the uploaded video is truncated: its header promises 100 frames but only \d+ could be read$/,
      );
    });

    it('audio only', async () => {
      // Prepare
      const audio = path.join(dir, 'tone.mp4');
      ffmpegSync(['-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'aac', audio]);

      // Act
      const error = await refusal(audio);

      // Assess
      expect(error).toBeInstanceOf(InvalidMediaError);
      expect(error.message).toBe('the uploaded file has no video stream');
    });
  });
});
