import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { StereoEngineError } from '../errors';
import type { FfmpegProcess } from '../ffmpeg/run';

/**
 * Cuts ffmpeg's rawvideo stdout into frames of `frameBytes`. Pulling (for await) is the
 * backpressure: while the consumer is busy, the stream pauses and ffmpeg blocks on its pipe.
 * `take` supplies the holder of the next frame (a recycled slot keeps memory flat); each chunk
 * is copied straight into its `frame`. A trailing partial frame (the decoder died mid-frame) is
 * dropped.
 */
export async function* readFrames<T extends { readonly frame: Uint8Array }>(
  stream: Readable,
  frameBytes: number,
  take: () => T,
): AsyncGenerator<T> {
  let holder: T | undefined;
  let filled = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let offset = 0;
    while (offset < chunk.length) {
      holder ??= take();
      const n = Math.min(frameBytes - filled, chunk.length - offset);
      holder.frame.set(n === chunk.length ? chunk : chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === frameBytes) {
        yield holder;
        holder = undefined;
        filled = 0;
      }
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
