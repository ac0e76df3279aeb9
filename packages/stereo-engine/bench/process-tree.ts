import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

const GNU_TIME = '/usr/bin/time';
const TIME_MARK = 'BENCH-CPU';

export interface Measured {
  readonly code: number | null;
  readonly seconds: number;
  /** Highest sum of resident memory over the process and its descendants (sampled). */
  readonly peakRssMb: number;
  /** User + system CPU seconds of the process and every descendant it waited for (GNU time),
   * undefined where /usr/bin/time is missing. Less sensitive than wall time to other load. */
  readonly cpuSeconds: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command and measures its wall time and the peak resident memory of its whole process
 * tree (ffmpeg children included), sampled from /proc every 50 ms. On systems without /proc the
 * peak reads 0.
 */
export function measure(command: string, args: readonly string[]): Promise<Measured> {
  const timed = existsSync(GNU_TIME);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = timed
      ? spawn(GNU_TIME, ['-f', `${TIME_MARK} %U %S`, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let peak = 0;
    const sample = (): void => {
      if (child.pid !== undefined) peak = Math.max(peak, treeRssKb(child.pid));
    };
    const timer = setInterval(sample, 50);
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      const times = new RegExp(`${TIME_MARK} ([\\d.]+) ([\\d.]+)`).exec(stderr);
      resolve({
        code,
        seconds: (performance.now() - started) / 1000,
        peakRssMb: peak / 1024,
        cpuSeconds: times ? Number(times[1]) + Number(times[2]) : undefined,
        stdout,
        stderr: stderr.replace(new RegExp(`${TIME_MARK}.*\\n?`), ''),
      });
    });
  });
}

function treeRssKb(pid: number): number {
  let total = rssKb(pid);
  for (const child of childrenOf(pid)) total += treeRssKb(child);
  return total;
}

function rssKb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
        .split(' ')
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
}
