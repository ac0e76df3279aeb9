import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { StereoEngineError } from '../errors';
import { FrameQueue } from './pipes';

/** The longest socket path every Unix-like system takes (sun_path: 104 bytes on macOS, 108 on Linux). */
const MAX_SOCKET_PATH_BYTES = 100;
/** Between two attempts to connect while the decoder is still starting to listen. */
const CONNECT_RETRY_MS = 5;

/**
 * Where the decoding ffmpeg hands over raw frames, read straight into the frame slots.
 *
 * Read from a pipe, every 64 KB chunk is a new Buffer: garbage, and external memory for which V8
 * runs a full collection each 64 MB or so, marking the whole heap (in `stereo-spot up`, web UI and
 * workers included). So on Unix-like systems ffmpeg listens on a unix socket in a private
 * folder (`-listen 1 unix:…`), and the engine connects with net's `onread`, which reads into a
 * buffer the caller names: the rest of the current frame's slot. Nothing is allocated per chunk.
 * Windows has no such protocol in ffmpeg: there the decoder writes to its stdout pipe.
 */
export class FrameSocket {
  private constructor(
    private readonly dir: string,
    readonly socketPath: string,
  ) {}

  /**
   * A socket in a new private folder under `parent`, or undefined where frames go by the decoder's
   * stdout: Windows, or a folder whose path is too long for a socket's address (about 100 bytes).
   */
  static async create(parent = os.tmpdir()): Promise<FrameSocket | undefined> {
    if (process.platform === 'win32') return undefined;
    // mkdtemp makes the folder 0700: no other user can connect to the decoder.
    const dir = await mkdtemp(path.join(parent, 'stereo-spot-frames-'));
    const socket = new FrameSocket(dir, path.join(dir, 'frames.sock'));
    if (Buffer.byteLength(socket.socketPath) <= MAX_SOCKET_PATH_BYTES) return socket;
    await socket.close();
    return undefined;
  }

  /** The decoder's output: it listens here and writes to the first (only) connection. */
  get ffmpegOutput(): string[] {
    return ['-listen', '1', `unix:${this.socketPath}`];
  }

  /**
   * The decoder's frames of `frameBytes`, each read into the `frame` of a holder from `take`.
   * Pulling is the backpressure, as with `readFrames`: once a frame is complete the socket stops
   * reading until the consumer asks for the next one. A trailing partial frame is dropped.
   * `onBytes` runs on every read (the decoder's idle timer). Ends without a frame when the
   * decoder exits before it listens (`exited` settles); its error is the caller's to report.
   */
  async *frames<T extends { readonly frame: Uint8Array }>(
    frameBytes: number,
    take: () => T,
    exited: Promise<unknown>,
    onBytes: () => void = () => undefined,
  ): AsyncGenerator<T> {
    const queue = new FrameQueue<T>();
    let holder: T | undefined;
    let filled = 0;
    let paused = false;
    // What the socket reads into while it is paused between frames: the next read (at most this
    // much, all of it the next frame's start) is copied into the next holder once there is one.
    const landing = new Uint8Array(Math.min(64, frameBytes));
    const onread = {
      buffer: (): Uint8Array => {
        if (paused) return landing;
        holder ??= take();
        return holder.frame.subarray(filled);
      },
      callback: (bytes: number, into: Uint8Array): boolean => {
        onBytes();
        if (into === landing) {
          holder ??= take();
          holder.frame.set(landing.subarray(0, bytes), filled);
        }
        filled += bytes;
        if (filled < frameBytes || !holder) return true;
        const frame = holder;
        holder = undefined;
        filled = 0;
        paused = true;
        queue.push(frame);
        return false;
      },
    };
    const socket = await connectWhileAlive(this.socketPath, onread, exited);
    if (!socket) return;
    socket.once('error', (error: Error) => queue.fail(error));
    socket.once('end', () => queue.end());
    socket.once('close', () => queue.end());
    try {
      yield* queue.frames(() => {
        if (!paused) return;
        paused = false;
        socket.resume();
      });
    } finally {
      socket.destroy();
    }
  }

  /** Removes the socket's folder. */
  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Connects to the decoder's socket, trying again while it is not listening yet (ENOENT,
 * ECONNREFUSED) and the decoder runs; undefined once the decoder has exited without listening.
 */
async function connectWhileAlive(
  socketPath: string,
  onread: { buffer: () => Uint8Array; callback: (bytes: number, into: Uint8Array) => boolean },
  exited: Promise<unknown>,
): Promise<net.Socket | undefined> {
  let gone = false;
  const settled = exited.then(
    () => (gone = true),
    () => (gone = true),
  );
  for (;;) {
    try {
      return await new Promise<net.Socket>((resolve, reject) => {
        // `onread` is in net.connect's options since Node 12 (@types/node lists it on the socket's).
        const socket = net.connect({ path: socketPath, onread } as net.IpcNetConnectOpts);
        socket.once('connect', () => {
          socket.off('error', reject);
          resolve(socket);
        });
        socket.once('error', reject);
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ECONNREFUSED') {
        throw new StereoEngineError('FFMPEG_FAILED', `cannot read the decoder's frames: ${String(error)}`, { cause: error });
      }
      if (gone) return undefined;
      await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS))]);
      if (gone) return undefined;
    }
  }
}
