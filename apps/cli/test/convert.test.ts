import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  makeHostileUploads,
  makeNearObjectScene,
  measureSceneOutput,
  nearObjectScene,
  sceneStereoDefects,
} from '@stereo-spot/testing';

// Runs the real `stereo-spot` binary (as `npx stereo-spot` does) on clips generated with ffmpeg.
jest.setTimeout(180_000);

const run = promisify(execFile);
const bin = path.resolve(__dirname, '..', 'bin', 'stereo-spot.cjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-convert-'));
const file = (name: string): string => path.join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ffmpeg(args: string[]): void {
  execFileSync(process.env.FFMPEG_PATH || 'ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
}

function probe(target: string, entries: string, stream = 'v:0'): string[] {
  return execFileSync(
    process.env.FFPROBE_PATH || 'ffprobe',
    ['-v', 'error', '-count_frames', '-select_streams', stream, '-show_entries', entries, '-of', 'csv=p=0', target],
    { encoding: 'utf8' },
  )
    .trim()
    .split(',');
}

async function stereoSpot(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: process.env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('stereo-spot convert', () => {
  it('converts a 720p clip with audio to half-sbs with the same frames, rate and audio duration', async () => {
    const clip = file('clip.mp4');
    ffmpeg([
      '-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=30:d=1',
      '-f', 'lavfi', '-i', 'sine=f=330:d=1',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', clip,
    ]);
    const output = file('out.mp4');

    const result = await stereoSpot('convert', clip, '-o', output, '--mode', 'half-sbs');

    expect(result.code).toBe(0);
    // Not a terminal: one summary line, no progress bar.
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toMatch(/converted .*clip\.mp4 -> .*out\.mp4, half-sbs 1280x720 -> 1280x720, 30 frames/);
    const [width, height, rate, frames] = probe(output, 'stream=width,height,r_frame_rate,nb_read_frames');
    const [sourceFrames] = probe(clip, 'stream=nb_read_frames');
    expect([width, height, rate]).toEqual(['1280', '720', '30/1']);
    expect(frames).toBe(sourceFrames);
    const [audioOut] = probe(output, 'stream=duration', 'a:0');
    const [audioIn] = probe(clip, 'stream=duration', 'a:0');
    expect(Number(audioOut)).toBeCloseTo(Number(audioIn), 2);
  });

  it('converts a png to sbs with a depth png', async () => {
    const photo = file('photo.png');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=320x240', '-frames:v', '1', photo]);

    const result = await stereoSpot('convert', photo, '-o', file('out.png'), '--mode', 'sbs', '--depth-out', file('depth.png'));

    expect(result.code).toBe(0);
    expect(probe(file('out.png'), 'stream=width,height')).toEqual(['640', '240']);
    expect(probe(file('depth.png'), 'stream=width,height,pix_fmt')).toEqual(['320', '240', 'gray']);
  });

  it('names the output for VR players when -o is left out', async () => {
    const clip = file('holiday.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=10:d=1', '-c:v', 'libx264', '-preset', 'ultrafast', clip]);

    const result = await stereoSpot('convert', clip, '--mode', 'tb');

    expect(result.code).toBe(0);
    expect(existsSync(file('holiday_TBF_fulltb.mp4'))).toBe(true);
  });

  it('fails with the error code and no output for an unreadable input', async () => {
    const result = await stereoSpot('convert', file('missing.mp4'), '-o', file('never.mp4'), '--mode', 'half-sbs');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('UNREADABLE_INPUT');
    expect(existsSync(file('never.mp4'))).toBe(false);
  });

  it('refuses playlists and concat lists that name another local file, with UNSUPPORTED_CONTAINER and no output', async () => {
    // Prepare: a video next to the input (another user's file); uploads that name it.
    const marker = 'SECRET-MARKER-c3e7';
    mkdirSync(file('other'), { recursive: true });
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=64x48:r=10:d=1', '-c:v', 'libx264', '-preset', 'ultrafast', file('other/clip.mp4')]);
    ffmpeg(['-i', file('other/clip.mp4'), '-c', 'copy', '-metadata', `service_name=${marker}`, '-f', 'mpegts', file('other/target.ts')]);
    const uploads = await makeHostileUploads({ absolutePath: file('other/target.ts'), relativePath: 'other/target.ts' });

    for (const upload of uploads) {
      const input = file(`hostile-${upload.kind}.mp4`);
      writeFileSync(input, upload.bytes);
      const output = file(`hostile-${upload.kind}-out.mp4`);

      // Act
      const result = await stereoSpot('convert', input, '-o', output, '--mode', 'anaglyph');

      // Assess
      expect({ kind: upload.kind, code: result.code }).toEqual({ kind: upload.kind, code: 1 });
      expect(result.stderr).toMatch(/UNSUPPORTED_CONTAINER: .*the format "(hls|concat)" is not accepted/);
      expect(result.stderr + result.stdout).not.toContain(marker);
      expect(existsSync(output)).toBe(false);
    }
  });

  it('rejects an unknown mode before doing any work', async () => {
    const result = await stereoSpot('convert', file('missing.mp4'), '--mode', 'side-by-side');

    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/side-by-side.*choices|Allowed choices/i);
  });
});

// The 3D itself, read from the output pixels (see @stereo-spot/testing's near-object scene): the
// object standing in front of the wall comes out with crossed parallax, the flat wall with one
// parallax, the seconds in order.
describe('stereo-spot convert: the 3D in the output', () => {
  it('a video to cross-eyed: the near object in front, the eyes in their places, the seconds in order', async () => {
    // Prepare
    const scene = await makeNearObjectScene({ dir, fileName: 'scene.mp4', seconds: 3, audio: true });
    const output = file('scene_RLF_Full_SBS.mp4');

    // Act
    const result = await stereoSpot(
      'convert', scene.path, '-o', output, '--mode', 'cross-eyed', '--divergence', String(nearObjectScene.divergence),
    );

    // Assess
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
    const measured = await measureSceneOutput(output, 'cross-eyed', scene);
    expect(measured).toHaveLength(3);
    expect(sceneStereoDefects(measured)).toEqual([]);
  });

  it('an image to a red-cyan anaglyph: red shows the left eye, cyan the right', async () => {
    // Prepare
    const scene = await makeNearObjectScene({ dir, fileName: 'scene.png' });
    const output = file('scene_redcyan.png');

    // Act
    const result = await stereoSpot(
      'convert', scene.path, '-o', output, '--mode', 'anaglyph', '--divergence', String(nearObjectScene.divergence),
    );

    // Assess
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
    const measured = await measureSceneOutput(output, 'anaglyph', scene);
    expect(sceneStereoDefects(measured)).toEqual([]);
  });
});
