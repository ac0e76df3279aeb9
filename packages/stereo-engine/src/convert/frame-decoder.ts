import { StereoEngineError } from '../errors';
import { startFfmpeg, type FfmpegProcess, type FfmpegRunOptions } from '../ffmpeg/run';
import { FrameSocket } from './frame-socket';
import { readFrames } from './pipes';

/** The decoding ffmpeg and the way its raw frames come out: a FrameSocket where there is one, else stdout. */
export interface FrameDecoder {
  readonly process: FfmpegProcess;
  /** Its frames of `frameBytes`, each read into the `frame` of a holder from `take` (pulling is the backpressure). */
  frames<T extends { readonly frame: Uint8Array }>(frameBytes: number, take: () => T): AsyncGenerator<T>;
  /** Removes what the way out left behind (the socket's folder). */
  close(): Promise<void>;
}

/**
 * Starts ffmpeg with `args` (everything but the output) writing raw frames to a socket read
 * straight into the holders (no allocation per chunk, see FrameSocket), or to its stdout where
 * there is no socket (Windows, a temporary folder too deep for a socket's address).
 */
export async function startFrameDecoder(args: readonly string[], options: FfmpegRunOptions): Promise<FrameDecoder> {
  const socket = await FrameSocket.create();
  if (socket) {
    const process = startFfmpeg([...args, ...socket.ffmpegOutput], options);
    return {
      process,
      frames: (frameBytes, take) => socket.frames(frameBytes, take, process.done, process.touch),
      close: () => socket.close(),
    };
  }
  const process = startFfmpeg([...args, 'pipe:1'], { ...options, stdout: 'pipe' });
  return {
    process,
    frames: (frameBytes, take) => {
      if (!process.stdout) throw new StereoEngineError('FFMPEG_FAILED', 'the decoder has no output pipe');
      return readFrames(process.stdout, frameBytes, take);
    },
    close: () => Promise.resolve(),
  };
}
