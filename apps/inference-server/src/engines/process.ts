/**
 * Runs a child process in its own process group, so a timeout or a cancelled request stops it
 * and everything it started (iw3 spawns ffmpeg/PyAV threads and may fork helpers).
 */
import { spawn } from 'node:child_process';

export interface RunProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env: NodeJS.ProcessEnv;
  /** Stop the process group after this long (0 = never). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** How many trailing stderr lines to keep for error messages. */
  readonly tailLines?: number;
  /** Keep stdout (bounded, its end) for a caller that reads a result from it; ignored otherwise. */
  readonly captureStdout?: boolean;
}

export interface ProcessOutcome {
  readonly exitCode: number | null;
  readonly exitSignal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  /** The last lines of stderr (progress-bar carriage returns count as line breaks). */
  readonly stderrTail: string;
  /** The end of stdout, when `captureStdout` was set (else empty). */
  readonly stdout: string;
  /** Set when the executable could not be started at all (ENOENT, EACCES). */
  readonly spawnError?: Error;
}

const TAIL_BYTES = 64 * 1024;
const KILL_GRACE_MS = 2_000;

/** Keeps only the end of a stream, bounded in bytes. */
class TailBuffer {
  private text = '';
  push(chunk: Buffer): void {
    this.text += chunk.toString('utf8');
    if (this.text.length > TAIL_BYTES * 2) this.text = this.text.slice(-TAIL_BYTES);
  }
  get value(): string {
    return this.text.slice(-TAIL_BYTES);
  }
  lines(count: number): string {
    return this.text
      .split(/\r\n|\r|\n/)
      .map((line) => line.trimEnd())
      .filter((line) => line.length > 0)
      .slice(-count)
      .join('\n');
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

export function runProcess(options: RunProcessOptions): Promise<ProcessOutcome> {
  const tailLines = options.tailLines ?? 30;
  return new Promise((resolve) => {
    const stderr = new TailBuffer();
    const stdout = new TailBuffer();
    let timedOut = false;
    let aborted = false;
    let settled = false;
    let spawnError: Error | undefined;
    let graceTimer: NodeJS.Timeout | undefined;

    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', options.captureStdout ? 'pipe' : 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));

    const stop = () => {
      killGroup(child.pid, 'SIGTERM');
      graceTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    const timer =
      options.timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            stop();
          }, options.timeoutMs)
        : undefined;
    const onAbort = () => {
      aborted = true;
      stop();
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (exitCode: number | null, exitSignal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (graceTimer) clearTimeout(graceTimer);
      options.signal?.removeEventListener('abort', onAbort);
      // Leave nothing behind: helpers the process started die with it.
      killGroup(child.pid, 'SIGKILL');
      resolve({
        exitCode,
        exitSignal,
        timedOut,
        aborted,
        stderrTail: stderr.lines(tailLines),
        stdout: stdout.value,
        ...(spawnError ? { spawnError } : {}),
      });
    };
    child.on('error', (error) => {
      spawnError = error;
      finish(null, null);
    });
    // A helper still holding stderr open would delay 'close' forever: end the group on exit.
    child.on('exit', () => killGroup(child.pid, 'SIGKILL'));
    child.on('close', (code, signal) => finish(code, signal));
  });
}
