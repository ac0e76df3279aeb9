import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { StereoEngineError, abortError } from '../errors';
import { resolveFfmpegPath, resolveFfprobePath } from './binaries';
import { classifyFfmpegFailure, inputPathsOf } from './classify';
import { withProtocolWhitelist } from './gate';
import { StderrTail } from './stderr';

export interface FfmpegRunOptions {
  /** Kills ffmpeg and rejects with ABORTED (after the process has exited). */
  readonly signal?: AbortSignal;
  /** Every stderr line as it arrives (progress lines end with `\r` in ffmpeg; split here too). */
  readonly onStderrLine?: (line: string) => void;
  /**
   * Kills ffmpeg and rejects with FFMPEG_TIMEOUT when it writes nothing on stderr or stdout for
   * this long; 0 turns it off. Default DEFAULT_FFMPEG_IDLE_TIMEOUT_MS, except for a process fed
   * on stdin (it waits on its feeder, whose own pace is not ffmpeg's fault): off there.
   * ffmpeg runs get `-stats` (unless the caller asked `-nostats`) so a healthy one is never silent.
   */
  readonly idleTimeoutMs?: number;
  readonly cwd?: string;
}

export interface FfmpegStartOptions extends FfmpegRunOptions {
  /** `pipe` to feed raw frames on stdin (the process's `stdin` is then set). */
  readonly stdin?: 'ignore' | 'pipe';
  /** `pipe` to read raw frames from stdout (the process's `stdout` is then set). */
  readonly stdout?: 'ignore' | 'pipe';
  /** Which tool: `ffmpeg` (default) or `ffprobe`, resolved by `resolveFfmpegPath`/`...Probe...`. */
  readonly tool?: 'ffmpeg' | 'ffprobe';
}

export interface FfmpegRunResult {
  /** The last lines ffmpeg wrote on stderr (warnings can matter even on success). */
  readonly stderrTail: string;
}

export interface FfmpegProcess {
  /** Undefined when the signal had already fired: nothing was started. */
  readonly child: ChildProcess | undefined;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  /** Settles once the process has exited and its pipes are closed. */
  readonly done: Promise<FfmpegRunResult>;
  /** Kills the process (idempotent); `done` then rejects with the given error or FFMPEG_FAILED. */
  kill(reason?: StereoEngineError): void;
  /** Progress seen where the runner does not look (a socket the caller reads): re-arms the idle timer. */
  touch(): void;
}

/** Five minutes without a byte on stderr or stdout (or a `touch`): a healthy run prints progress every 0.5 s. */
export const DEFAULT_FFMPEG_IDLE_TIMEOUT_MS = 5 * 60_000;

/**
 * Starts ffmpeg (or ffprobe) with `-hide_banner -nostdin` in front of `args`. It never waits on
 * a terminal, never hangs on abort (SIGKILL), and `done` rejects with a StereoEngineError
 * carrying the stderr tail: UNREADABLE_INPUT / NO_VIDEO_STREAM (permanent) when the input is at
 * fault, FFMPEG_FAILED otherwise, FFMPEG_NOT_FOUND when the binary is missing.
 */
export function startFfmpeg(args: readonly string[], options: FfmpegStartOptions = {}): FfmpegProcess {
  const tool = options.tool ?? 'ffmpeg';
  const binary = tool === 'ffmpeg' ? resolveFfmpegPath() : resolveFfprobePath();
  // `-stats` prints progress even under `-loglevel error`, which keeps the idle timer fed.
  const stats = tool === 'ffmpeg' && !args.includes('-nostats') ? ['-stats'] : [];
  const gatedArgs = withProtocolWhitelist(args);
  const fullArgs =
    tool === 'ffmpeg' ? ['-hide_banner', '-nostdin', ...stats, ...gatedArgs] : ['-hide_banner', ...gatedArgs];
  const idleTimeoutMs =
    options.idleTimeoutMs ?? (options.stdin === 'pipe' ? 0 : DEFAULT_FFMPEG_IDLE_TIMEOUT_MS);
  const tail = new StderrTail(options.onStderrLine);

  if (options.signal?.aborted) {
    const error = abortError(options.signal, tool);
    const done = Promise.reject(error);
    done.catch(() => undefined);
    return { child: undefined, stdin: null, stdout: null, done, kill: () => undefined, touch: () => undefined };
  }

  const child = spawn(binary, fullArgs, {
    stdio: [options.stdin ?? 'ignore', options.stdout ?? 'ignore', 'pipe'],
    cwd: options.cwd,
    windowsHide: true,
  });
  // A write after ffmpeg died raises EPIPE on stdin; `done` reports the real cause.
  child.stdin?.on('error', () => undefined);

  let killReason: StereoEngineError | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  const kill = (reason?: StereoEngineError): void => {
    killReason ??= reason ?? new StereoEngineError('FFMPEG_FAILED', `${tool} was stopped`);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const touch = (): void => {
    if (!idleTimeoutMs) return;
    // Re-armed in place: this runs for every chunk of a decoder's raw frames (a dozen a frame),
    // which must not allocate a timer each time.
    if (idleTimer) {
      idleTimer.refresh();
      return;
    }
    idleTimer = setTimeout(
      () =>
        kill(
          new StereoEngineError('FFMPEG_TIMEOUT', `${tool} made no progress for ${idleTimeoutMs} ms`, {
            stderrTail: tail.text(),
          }),
        ),
      idleTimeoutMs,
    );
  };
  touch();
  child.stderr?.on('data', (chunk: Buffer) => {
    tail.push(chunk);
    touch();
  });
  child.stdout?.on('data', touch);

  const onAbort = (): void => kill(abortError(options.signal, tool));
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const done = new Promise<FfmpegRunResult>((resolve, reject) => {
    let spawnError: NodeJS.ErrnoException | undefined;
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError ??= error;
    });
    child.on('close', (exitCode, signalName) => {
      if (idleTimer) clearTimeout(idleTimer);
      options.signal?.removeEventListener('abort', onAbort);
      tail.end();
      const stderrTail = tail.text();
      if (spawnError && (spawnError.code === 'ENOENT' || spawnError.code === 'EACCES')) {
        reject(
          new StereoEngineError('FFMPEG_NOT_FOUND', `cannot start ${tool} (${binary}): ${spawnError.code}`, {
            cause: spawnError,
            permanent: false,
          }),
        );
      } else if (killReason) {
        reject(killReason);
      } else if (exitCode === 0) {
        resolve({ stderrTail });
      } else {
        const failure = classifyFfmpegFailure(stderrTail, inputPathsOf(args));
        const how = exitCode !== null ? `exit code ${exitCode}` : `signal ${signalName ?? '?'}`;
        reject(
          new StereoEngineError(failure.code, `${tool} failed (${how}): ${failure.reason}`, {
            permanent: failure.permanent,
            stderrTail,
            exitCode,
            cause: spawnError,
          }),
        );
      }
    });
  });
  done.catch(() => undefined);
  return { child, stdin: child.stdin, stdout: child.stdout, done, kill, touch };
}

/** Runs ffmpeg to completion (files in, files out). See `startFfmpeg` for the error contract. */
export function runFfmpeg(args: readonly string[], options: FfmpegRunOptions = {}): Promise<FfmpegRunResult> {
  return startFfmpeg(args, options).done;
}
