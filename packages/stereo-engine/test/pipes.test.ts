import { PassThrough } from 'node:stream';
import { SlotPool } from '../src/convert/frame-slots';
import { readFrames } from '../src/convert/pipes';

/** A byte stream of `frames` frames of `frameBytes`, byte i of frame f = (f * 31 + i) & 255. */
function frameBytes(frames: number, bytes: number): Buffer {
  const all = Buffer.alloc(frames * bytes);
  for (let f = 0; f < frames; f++) for (let i = 0; i < bytes; i++) all[f * bytes + i] = (f * 31 + i) & 255;
  return all;
}

/** Writes `bytes` in chunks of the given sizes (cycled), then ends, as a pipe would deliver them. */
function feed(stream: PassThrough, bytes: Buffer, sizes: number[]): void {
  let offset = 0;
  for (let k = 0; offset < bytes.length; k++) {
    const n = sizes[k % sizes.length]!;
    stream.write(bytes.subarray(offset, offset + n));
    offset += n;
  }
  stream.end();
}

describe('readFrames', () => {
  it('cuts chunks into whole frames, in order, in at most two recycled holders', async () => {
    const bytes = 10;
    const stream = new PassThrough();
    const pool = new SlotPool((index) => ({ index, frame: new Uint8Array(bytes) }));
    feed(stream, frameBytes(7, bytes), [3, 9, 1, 10, 4]);

    const seen: number[][] = [];
    for await (const holder of readFrames(stream, bytes, () => pool.take())) {
      seen.push(Array.from(holder.frame));
      pool.release(holder);
    }

    expect(seen).toHaveLength(7);
    seen.forEach((frame, f) => expect(frame).toEqual(Array.from({ length: bytes }, (_, i) => (f * 31 + i) & 255)));
    // A chunk (at most a frame long, as pipe chunks are) can finish one frame and start the next
    // before the first is handed back: two holders at most.
    expect(pool.size).toBeLessThanOrEqual(2);
  });

  it('takes several frames out of one chunk longer than a frame', async () => {
    const stream = new PassThrough();
    feed(stream, frameBytes(5, 4), [3, 13]);

    const seen: number[][] = [];
    for await (const holder of readFrames(stream, 4, () => ({ frame: new Uint8Array(4) }))) seen.push(Array.from(holder.frame));

    expect(seen).toEqual(Array.from({ length: 5 }, (_, f) => Array.from({ length: 4 }, (_, i) => (f * 31 + i) & 255)));
  });

  it('pauses the stream while the consumer holds a frame (backpressure)', async () => {
    const stream = new PassThrough();
    stream.write(frameBytes(3, 4));
    const frames = readFrames(stream, 4, () => ({ frame: new Uint8Array(4) }));

    const first = await frames.next();

    expect(first.done).toBe(false);
    expect(stream.isPaused()).toBe(true);
    await frames.return(undefined);
  });

  it('drops a trailing partial frame', async () => {
    const stream = new PassThrough();
    feed(stream, frameBytes(3, 8).subarray(0, 8 * 2 + 5), [6]);

    let frames = 0;
    for await (const holder of readFrames(stream, 8, () => ({ frame: new Uint8Array(8) }))) frames += holder.frame.length / 8;

    expect(frames).toBe(2);
  });

  it('passes a stream error on after the frames before it', async () => {
    const stream = new PassThrough();
    stream.write(frameBytes(1, 4));
    setImmediate(() => stream.destroy(new Error('pipe broke')));

    const frames: Uint8Array[] = [];
    const failure = await (async () => {
      for await (const holder of readFrames(stream, 4, () => ({ frame: new Uint8Array(4) }))) frames.push(holder.frame);
    })().catch((error: Error) => error);

    expect(frames).toHaveLength(1);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe('pipe broke');
  });

  it('destroys the stream when the consumer stops early', async () => {
    const stream = new PassThrough();
    stream.write(frameBytes(3, 4));

    for await (const holder of readFrames(stream, 4, () => ({ frame: new Uint8Array(4) }))) {
      expect(holder.frame).toHaveLength(4);
      break;
    }

    expect(stream.destroyed).toBe(true);
  });
});
