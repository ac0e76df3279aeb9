import { existsSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { convertFile } from '../src/convert/convert-file';
import { probeMedia } from '../src/ffmpeg/probe';
import { type ConvertOptions } from '../src/convert/options';
import { countFrames, decodedFrames, ffmpegSync, ffprobeJson, makeClip, makeImage, tempDir, rejection } from './support/media';

// Real ffmpeg on a shared machine: generous time, small clips.
jest.setTimeout(90_000);

const tmp = tempDir('stereo-convert-');
afterAll(() => tmp.cleanup());

/** Nothing but the named files is left in the folder (no partial or temporary outputs). */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.includes('.partial-'));
}

describe('convertFile on videos', () => {
  const source = makeClip(tmp.file('clip.mp4'), { width: 320, height: 180, rate: 25, seconds: 2, audio: true });

  it('half-sbs keeps every frame, the frame rate and the audio', async () => {
    const output = tmp.file('clip_LRF_Half_SBS.mp4');
    const progress: number[] = [];

    const result = await convertFile({ input: source, output, mode: 'half-sbs', onProgress: (p) => progress.push(p.frames) });

    const probe = await probeMedia(output);
    const sourceProbe = await probeMedia(source);
    expect(result).toMatchObject({ frames: 50, width: 320, height: 180, outputWidth: 320, outputHeight: 180, hasAudio: true });
    expect(countFrames(output)).toBe(50);
    expect(probe.video?.frameRate).toBe(25);
    expect(probe.video?.pixFmt).toBe('yuv420p');
    expect(probe.audio?.durationSeconds).toBeCloseTo(sourceProbe.audio!.durationSeconds!, 1);
    expect(progress.at(-1)).toBe(50);
    expect(leftovers(tmp.dir)).toEqual([]);
  });

  it('full sbs doubles the width; anaglyph is yuv444p by default', async () => {
    const sbs = tmp.file('clip_sbs.mp4');
    const anaglyph = tmp.file('clip_anaglyph.mkv');

    const sbsResult = await convertFile({ input: source, output: sbs, mode: 'sbs', threads: 0 });
    const anaglyphResult = await convertFile({ input: source, output: anaglyph, mode: 'anaglyph', anaglyphMethod: 'half-color' });

    expect(sbsResult).toMatchObject({ outputWidth: 640, outputHeight: 180 });
    expect((await probeMedia(sbs)).video).toMatchObject({ width: 640, height: 180 });
    expect(anaglyphResult).toMatchObject({ outputWidth: 320, outputHeight: 180 });
    expect((await probeMedia(anaglyph)).video?.pixFmt).toBe('yuv444p');
  });

  it('writes a depth video at the source size next to the stereo output', async () => {
    const output = tmp.file('clip_tb.mp4');
    const depth = tmp.file('clip_depth.mp4');

    await convertFile({ input: source, output, mode: 'half-tb', depthOut: depth });

    expect((await probeMedia(depth)).video).toMatchObject({ width: 320, height: 180, frameCount: 50 });
  });

  it('handles odd sizes, rotation and 10-bit input', async () => {
    const odd = makeClip(tmp.file('odd.mp4'), { width: 213, height: 121, rate: 10, seconds: 1 });
    const rotatedSource = makeClip(tmp.file('landscape.mp4'), { width: 160, height: 96, rate: 10, seconds: 1 });
    const rotated = tmp.file('portrait.mp4');
    ffmpegSync(['-i', rotatedSource, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
    const tenBit = makeClip(tmp.file('10bit.mkv'), {
      width: 160,
      height: 96,
      rate: 10,
      seconds: 1,
      outputArgs: ['-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p10le', '-x265-params', 'log-level=error'],
    });

    const oddResult = await convertFile({ input: odd, output: tmp.file('odd_out.mp4'), mode: 'half-sbs' });
    const rotatedResult = await convertFile({ input: rotated, output: tmp.file('portrait_out.mp4'), mode: 'sbs' });
    const tenBitResult = await convertFile({ input: tenBit, output: tmp.file('10bit_out.mp4'), mode: 'tb' });

    expect(oddResult).toMatchObject({ frames: 10, width: 212, height: 120, outputWidth: 212, outputHeight: 120 });
    expect(rotatedResult).toMatchObject({ width: 96, height: 160, outputWidth: 192, outputHeight: 160 });
    expect(tenBitResult).toMatchObject({ frames: 10, outputWidth: 160, outputHeight: 192 });
  });

  it('turns a variable frame rate into a constant one without losing time', async () => {
    const vfr = tmp.file('vfr.mkv');
    // Frames at irregular times: 10 fps for 1 s, then 30 fps for 1 s.
    ffmpegSync([
      '-f', 'lavfi', '-i', 'testsrc2=s=160x96:r=30:d=2',
      '-vf', "select='lt(t,1)*not(mod(n,3))+gte(t,1)'", '-fps_mode', 'vfr',
      '-c:v', 'libx264', '-preset', 'ultrafast', vfr,
    ]);

    const result = await convertFile({ input: vfr, output: tmp.file('vfr_out.mp4'), mode: 'half-sbs' });

    const probe = await probeMedia(tmp.file('vfr_out.mp4'));
    expect(probe.video?.variableFrameRate).toBe(false);
    expect(probe.durationSeconds).toBeCloseTo(2, 0);
    expect(result.frames).toBeGreaterThanOrEqual(38);
  });

  it('renders the same frames and depth with render workers (shared slots) as on the main thread', async () => {
    const clip = makeClip(tmp.file('slots.mp4'), { width: 320, height: 180, rate: 25, seconds: 1 });
    const outputs = (threads: number): { output: string; depthOut: string } => ({
      output: tmp.file(`slots_${threads}.mkv`),
      depthOut: tmp.file(`slots_${threads}_depth.mkv`),
    });

    for (const threads of [0, 3]) {
      await convertFile({ input: clip, ...outputs(threads), mode: 'half-sbs', threads });
      await convertFile({ input: clip, output: tmp.file(`slots_${threads}_anaglyph.mkv`), mode: 'anaglyph', threads });
    }

    // 25 frames through 3 workers: every slot is reused several times.
    expect(decodedFrames(outputs(3).output)).toEqual(decodedFrames(outputs(0).output));
    expect(decodedFrames(outputs(3).depthOut)).toEqual(decodedFrames(outputs(0).depthOut));
    expect(decodedFrames(tmp.file('slots_3_anaglyph.mkv'))).toEqual(decodedFrames(tmp.file('slots_0_anaglyph.mkv')));
    expect(decodedFrames(outputs(3).output)).toHaveLength(25);
  });

  it('caps the frame rate with maxFps', async () => {
    const result = await convertFile({ input: source, output: tmp.file('capped.mp4'), mode: 'half-sbs', maxFps: 10 });

    expect(result.frames).toBe(20);
    expect((await probeMedia(tmp.file('capped.mp4'))).video?.frameRate).toBe(10);
  });
});

describe('convertFile on images', () => {
  it('converts a png to full sbs with a depth png at the source size', async () => {
    const photo = makeImage(tmp.file('photo.png'), 320, 180);
    const output = tmp.file('photo_sbs.png');
    const depth = tmp.file('photo_depth.png');

    const result = await convertFile({ input: photo, output, mode: 'sbs', depthOut: depth });

    expect(result).toMatchObject({ frames: 1, width: 320, height: 180, outputWidth: 640, outputHeight: 180, hasAudio: false });
    const out = ffprobeJson(output).streams[0]!;
    const map = ffprobeJson(depth).streams[0]!;
    expect([out.width, out.height]).toEqual([640, 180]);
    expect([map.width, map.height, map.pix_fmt]).toEqual([320, 180, 'gray']);
  });

  it('writes jpg and webp by extension', async () => {
    const photo = makeImage(tmp.file('small.jpg'), 200, 120);

    await convertFile({ input: photo, output: tmp.file('small_anaglyph.jpg'), mode: 'anaglyph' });
    await convertFile({ input: photo, output: tmp.file('small_hsbs.webp'), mode: 'half-sbs' });

    expect(ffprobeJson(tmp.file('small_anaglyph.jpg')).streams[0]).toMatchObject({ codec_name: 'mjpeg', width: 200 });
    expect(ffprobeJson(tmp.file('small_hsbs.webp')).streams[0]).toMatchObject({ codec_name: 'webp', width: 200 });
  });
});

describe('convertFile errors', () => {
  const options = (input: string, output: string): ConvertOptions => ({ input, output, mode: 'half-sbs' });

  it('rejects a missing or non-media input as permanent UNREADABLE_INPUT, leaving nothing', async () => {
    const garbage = tmp.file('garbage.mp4');
    writeFileSync(garbage, 'not a video at all');

    const missing = await rejection(convertFile(options(tmp.file('nope.mp4'), tmp.file('e1.mp4'))));
    const notMedia = await rejection(convertFile(options(garbage, tmp.file('e2.mp4'))));

    expect(missing).toMatchObject({ code: 'UNREADABLE_INPUT', permanent: true });
    expect(notMedia).toMatchObject({ code: 'UNREADABLE_INPUT', permanent: true });
    expect(notMedia.message).toContain('ffmpeg stderr');
    expect(existsSync(tmp.file('e1.mp4')) || existsSync(tmp.file('e2.mp4'))).toBe(false);
  });

  it('rejects audio without video as NO_VIDEO_STREAM', async () => {
    const tone = tmp.file('tone.m4a');
    ffmpegSync(['-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'aac', tone]);

    const error = await rejection(convertFile(options(tone, tmp.file('e3.mp4'))));

    expect(error).toMatchObject({ code: 'NO_VIDEO_STREAM', permanent: true });
  });

  it('rejects a truncated file with a permanent error and no partial output', async () => {
    const whole = makeClip(tmp.file('whole.mp4'), { seconds: 2, outputArgs: ['-c:v', 'libx264', '-preset', 'ultrafast', '-movflags', '+faststart'] });
    const cut = tmp.file('cut.mp4');
    ffmpegSync(['-i', whole, '-c', 'copy', '-movflags', '+faststart', cut]);
    truncateSync(cut, Math.floor(statSync(cut).size * 0.5));

    const error = await rejection(convertFile(options(cut, tmp.file('e4.mp4'))));

    expect(['TRUNCATED_INPUT', 'UNREADABLE_INPUT']).toContain(error.code);
    expect(error.permanent).toBe(true);
    expect(existsSync(tmp.file('e4.mp4'))).toBe(false);
    expect(leftovers(tmp.dir)).toEqual([]);
  });

  it('rejects a video whose frames cannot be decoded as ZERO_FRAMES', async () => {
    // Intact headers (10 frames announced), payload zeroed: not one frame decodes.
    const intact = makeClip(tmp.file('intact.mp4'), {
      width: 64,
      height: 64,
      rate: 10,
      outputArgs: ['-c:v', 'libx264', '-preset', 'ultrafast', '-movflags', '+faststart'],
    });
    const bytes = readFileSync(intact);
    const payload = bytes.indexOf('mdat') + 4;
    bytes.fill(0, payload);
    const empty = tmp.file('zeroed.mp4');
    writeFileSync(empty, bytes);

    const error = await rejection(convertFile(options(empty, tmp.file('e5.mp4'))));

    expect(error).toMatchObject({ code: 'ZERO_FRAMES', permanent: true });
  });

  it('rejects out-of-range options and output over input as INVALID_OPTIONS', async () => {
    const clip = makeClip(tmp.file('opts.mp4'), { seconds: 1 });

    const divergence = await rejection(convertFile({ ...options(clip, tmp.file('e6.mp4')), divergence: 50 }));
    const sameFile = await rejection(convertFile(options(clip, clip)));
    const imageDepth = await rejection(convertFile({ ...options(clip, tmp.file('e7.mp4')), depthOut: tmp.file('d.png') }));

    expect(divergence).toMatchObject({ code: 'INVALID_OPTIONS', permanent: true });
    expect(divergence.message).toContain('divergence');
    expect(sameFile.code).toBe('INVALID_OPTIONS');
    expect(imageDepth.code).toBe('INVALID_OPTIONS');
  });

  it('reports an encoder failure as FFMPEG_FAILED and cleans up', async () => {
    const clip = makeClip(tmp.file('enc.mp4'), { seconds: 1 });

    const error = await rejection(convertFile({ ...options(clip, tmp.file('e8.mp4')), codec: 'no_such_encoder' }));

    expect(error).toMatchObject({ code: 'FFMPEG_FAILED', permanent: false });
    expect(existsSync(tmp.file('e8.mp4'))).toBe(false);
    expect(leftovers(tmp.dir)).toEqual([]);
  });

  it('aborts promptly with ABORTED and removes the partial output', async () => {
    const long = makeClip(tmp.file('long.mp4'), { width: 320, height: 180, seconds: 20, rate: 25 });
    const controller = new AbortController();
    const output = tmp.file('aborted.mp4');

    const conversion = convertFile({
      ...options(long, output),
      signal: controller.signal,
      onProgress: (p) => {
        if (p.frames >= 5) controller.abort();
      },
    });
    const error = await rejection(conversion);

    expect(error).toMatchObject({ code: 'ABORTED', permanent: false });
    expect(existsSync(output)).toBe(false);
    expect(leftovers(path.dirname(output))).toEqual([]);
  });
});
