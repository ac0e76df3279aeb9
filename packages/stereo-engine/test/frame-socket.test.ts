import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { SlotPool } from '../src/convert/frame-slots';
import { FrameSocket } from '../src/convert/frame-socket';
import { startFfmpeg } from '../src/ffmpeg/run';
import { makeClip, tempDir } from './support/media';

const [WIDTH, HEIGHT, FRAMES] = [96, 54, 12];
const FRAME_BYTES = WIDTH * HEIGHT * 3;
const DECODE = ['-v', 'error', '-nostats', '-i'];
const RAW = ['-f', 'rawvideo', '-pix_fmt', 'gbrp'];

const temp = tempDir('frame-socket-');
const clip = makeClip(temp.file('clip.mp4'), { width: WIDTH, height: HEIGHT, rate: 25, seconds: FRAMES / 25 });
afterAll(() => temp.cleanup());

/** The SHA-256 of each raw frame as ffmpeg writes them to a pipe, for comparison. */
function framesByPipe(): string[] {
  const raw = execFileSync(process.env.FFMPEG_PATH || 'ffmpeg', ['-hide_banner', '-nostdin', ...DECODE, clip, ...RAW, 'pipe:1'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return Array.from({ length: raw.length / FRAME_BYTES }, (_, f) =>
    createHash('sha256').update(raw.subarray(f * FRAME_BYTES, (f + 1) * FRAME_BYTES)).digest('hex'),
  );
}

describe('FrameSocket (real ffmpeg)', () => {
  it('reads every frame into recycled holders, byte for byte what the pipe gives, the consumer setting the pace', async () => {
    // Prepare
    const socket = (await FrameSocket.create())!;
    const pool = new SlotPool((index) => ({ index, frame: new Uint8Array(FRAME_BYTES) }));
    const decoder = startFfmpeg([...DECODE, clip, ...RAW, ...socket.ffmpegOutput]);
    let reads = 0;

    // Act: a slow consumer (the socket must wait for it, not overrun the holder).
    const seen: string[] = [];
    for await (const holder of socket.frames(FRAME_BYTES, () => pool.take(), decoder.done, () => reads++)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(createHash('sha256').update(holder.frame).digest('hex'));
      pool.release(holder);
    }
    await decoder.done;
    await socket.close();

    // Assess
    expect(seen).toEqual(framesByPipe());
    expect(seen).toHaveLength(FRAMES);
    expect(pool.size).toBeLessThanOrEqual(2);
    expect(reads).toBeGreaterThanOrEqual(FRAMES);
    expect(existsSync(socket.socketPath)).toBe(false);
  });

  it('ends without a frame, and without waiting, when the decoder fails before it listens', async () => {
    // Prepare: an input that does not exist.
    const socket = (await FrameSocket.create())!;
    const decoder = startFfmpeg([...DECODE, temp.file('missing.mp4'), ...RAW, ...socket.ffmpegOutput]);

    // Act
    let frames = 0;
    for await (const holder of socket.frames(FRAME_BYTES, () => ({ frame: new Uint8Array(FRAME_BYTES) }), decoder.done)) {
      frames += holder.frame.length > 0 ? 1 : 0;
    }
    const failure = await decoder.done.catch((error: unknown) => error);
    await socket.close();

    // Assess
    expect(frames).toBe(0);
    expect(failure).toMatchObject({ code: expect.any(String) });
  });

  it('lets the decoder go when the consumer stops early', async () => {
    // Prepare
    const socket = (await FrameSocket.create())!;
    const decoder = startFfmpeg([...DECODE, clip, ...RAW, ...socket.ffmpegOutput]);

    // Act: take two frames, then stop.
    let frames = 0;
    for await (const _holder of socket.frames(FRAME_BYTES, () => ({ frame: new Uint8Array(FRAME_BYTES) }), decoder.done)) {
      if (++frames === 2) break;
    }
    const ended = await decoder.done.then(
      () => 'exited',
      () => 'exited with an error',
    );
    await socket.close();

    // Assess: the decoder saw its reader gone and stopped (a broken pipe), it did not hang.
    expect(frames).toBe(2);
    expect(ended).toMatch(/^exited/);
  });
});

describe('FrameSocket.create', () => {
  it('declines (frames then go by stdout) where the temporary folder is too deep for a socket address', async () => {
    // Prepare: a folder whose path alone is 120 bytes.
    const deep = temp.file('d'.repeat(120 - temp.dir.length - 1));
    mkdirSync(deep);

    // Act
    const socket = await FrameSocket.create(deep);

    // Assess: nothing made, nothing left behind.
    expect(socket).toBeUndefined();
    expect(readdirSync(deep)).toEqual([]);
  });
});
