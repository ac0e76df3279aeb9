/**
 * Real `stereo-spot` processes for the end-to-end tests: started from the CLI's sources with tsx
 * (as the bin does), their JSON log lines collected, stopped with SIGTERM or killed with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const CLI_MAIN = path.join(REPO_ROOT, 'apps', 'cli', 'src', 'main.ts');
export const CLI_BIN = path.join(REPO_ROOT, 'apps', 'cli', 'bin', 'stereo-spot.cjs');

export type LogLine = Record<string, unknown> & { msg: string; name?: string; pid?: number };

export interface StereoSpotProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every JSON log line written so far. */
  readonly logs: LogLine[];
  /** Everything else written on stdout and stderr (human lines, errors). */
  readonly text: string[];
  readonly exited: Promise<number | null>;
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** SIGTERM (or `signal`), then wait for the exit (SIGKILL after `graceMs`). Returns the exit code. */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<number | null>;
  kill(): Promise<void>;
}

const running = new Set<StereoSpotProcess>();

/** Starts `stereo-spot <args>`; `env` is added to the test's environment. */
export function startStereoSpot(
  name: string,
  args: readonly string[],
  env: Record<string, string>,
): StereoSpotProcess {
  return startTypeScriptProcess(name, CLI_MAIN, args, env);
}

/**
 * Starts a TypeScript entry point of the repository with tsx (another app's `main.ts`, such as
 * the inference server's), with the same log collection and clean-up as `startStereoSpot`.
 */
export function startTypeScriptProcess(
  name: string,
  entry: string,
  args: readonly string[],
  env: Record<string, string>,
): StereoSpotProcess {
  // `--` ends Node's own options: the entry's (e.g. `--env-file`) are never read as Node's.
  const child = spawn(process.execPath, ['--import', 'tsx', '--', entry, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const text: string[] = [];
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer, carry: { rest: string }) => {
    const lines = (carry.rest + chunk.toString('utf8')).split('\n');
    carry.rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        text.push(line);
      }
    }
    for (const wake of waiters) wake();
  };
  const stdoutCarry = { rest: '' };
  const stderrCarry = { rest: '' };
  child.stdout?.on('data', (chunk: Buffer) => collect(chunk, stdoutCarry));
  child.stderr?.on('data', (chunk: Buffer) => collect(chunk, stderrCarry));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const proc: StereoSpotProcess = {
    name,
    child,
    pid: child.pid ?? -1,
    logs,
    text,
    exited,
    waitForLog(predicate, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = logs.find(predicate);
          if (found !== undefined) {
            finish();
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`${name}: log line not seen within ${timeoutMs} ms\n${describe(proc)}`));
        }, timeoutMs);
        const onExit = () => {
          finish();
          reject(new Error(`${name} exited before the log line appeared\n${describe(proc)}`));
        };
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off('exit', onExit);
        };
        waiters.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async stop(graceMs = 15_000, signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      running.delete(proc);
      return code;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      running.delete(proc);
    },
  };
  running.add(proc);
  return proc;
}

/** Stops every process a test left running (afterEach safety net). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.stop(5_000)));
}

/** The last lines of a process's output, for failure messages. */
export function describe(proc: StereoSpotProcess): string {
  const tail = proc.logs.slice(-15).map((line) => `  ${String(line.name ?? '')}: ${line.msg}`);
  return [`--- ${proc.name} (pid ${proc.pid}) last log lines ---`, ...tail, ...proc.text.slice(-10)].join(
    '\n',
  );
}

/** Log lines whose message contains `text`, across processes. */
export function linesContaining(processes: readonly StereoSpotProcess[], text: string): LogLine[] {
  return processes.flatMap((proc) => proc.logs.filter((line) => line.msg.includes(text)));
}

/** Runs the real `stereo-spot` bin to completion (e.g. `submit`). */
export function runCli(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
