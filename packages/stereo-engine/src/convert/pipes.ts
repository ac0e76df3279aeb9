import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { StereoEngineError } from '../errors';
import type { FfmpegProcess } from '../ffmpeg/run';

/**
 * Cuts ffmpeg's rawvideo stdout into frames of `frameBytes`. Pulling is the backpressure: once a
 * frame is complete the stream pauses until the consumer asks for the next one, so ffmpeg blocks
 * on its pipe while the consumer is busy. `take` supplies the holder of the next frame (a
 * recycled slot keeps memory flat) and each chunk is copied straight into its `frame`; chunks
 * arrive as 'data' events, so a frame costs one promise, not one per chunk as with the stream's
 * async iterator. A trailing partial frame (the decoder died mid-frame) is dropped. When the
 * consumer stops early, the stream is destroyed.
 */
export async function* readFrames<T extends { readonly frame: Uint8Array }>(
  stream: Readable,
  frameBytes: number,
  take: () => T,
): AsyncGenerator<T> {
  const queue = new FrameQueue<T>();
  let holder: T | undefined;
  let filled = 0;
  const onData = (chunk: Buffer): void => {
    let offset = 0;
    while (offset < chunk.length) {
      holder ??= take();
      const n = Math.min(frameBytes - filled, chunk.length - offset);
      holder.frame.set(n === chunk.length ? chunk : chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === frameBytes) {
        queue.push(holder);
        holder = undefined;
        filled = 0;
      }
    }
    if (queue.waiting > 0) stream.pause();
  };
  const onEnd = (): void => queue.end();
  const onError = (error: Error): void => queue.fail(error);
  stream.on('data', onData);
  stream.once('end', onEnd);
  stream.once('close', onEnd);
  stream.once('error', onError);
  try {
    yield* queue.frames(() => stream.resume());
  } finally {
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('close', onEnd);
    stream.off('error', onError);
    if (!queue.ended) stream.destroy();
  }
}

/**
 * The consumer's side of a frame reader: complete frames in order, then the end or the error.
 * `frames(resume)` yields what is ready and, when nothing is, calls `resume` (the reader paused
 * itself once a frame was ready) and waits for the next push, end or failure.
 */
export class FrameQueue<T> {
  private readonly ready: T[] = [];
  private done = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  /** Frames complete and not yet taken by the consumer. */
  get waiting(): number {
    return this.ready.length;
  }

  get ended(): boolean {
    return this.done;
  }

  push(frame: T): void {
    this.ready.push(frame);
    this.wake?.();
  }

  end(): void {
    this.done = true;
    this.wake?.();
  }

  fail(error: Error): void {
    this.failure ??= error;
    this.wake?.();
  }

  async *frames(resume: () => void): AsyncGenerator<T> {
    for (;;) {
      const next = this.ready.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.done) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        resume();
      });
      this.wake = undefined;
    }
  }
}

/**
 * Writes to ffmpeg's stdin, waiting for 'drain' when its pipe is full. Never hangs on a dead
 * process: the wait also ends when the process exits, and the process's own error (with its
 * stderr) is what gets thrown. `onWritten` runs once the bytes are flushed (buffer reusable).
 */
export async function writeTo(process: FfmpegProcess, bytes: Uint8Array, onWritten?: () => void): Promise<void> {
  const stdin = process.stdin;
  if (!stdin || stdin.destroyed || stdin.writableEnded) throw await exitError(process);
  const flushed = stdin.write(bytes, () => onWritten?.());
  if (flushed) return;
  try {
    await Promise.race([
      once(stdin, 'drain'),
      process.done.then(() => {
        throw new Error('exited');
      }),
    ]);
  } catch {
    throw await exitError(process);
  }
}

/** Closes ffmpeg's stdin and waits for it to finish writing its output. */
export async function finish(process: FfmpegProcess): Promise<void> {
  process.stdin?.end();
  await process.done;
}

async function exitError(process: FfmpegProcess): Promise<Error> {
  try {
    await process.done;
  } catch (error) {
    return error as Error;
  }
  return new StereoEngineError('FFMPEG_FAILED', 'ffmpeg stopped reading frames before the last one');
}
