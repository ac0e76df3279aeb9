/**
 * The embedded platform's log files: `up` and `worker` append every JSON log line of a role to
 * `<STEREO_SPOT_HOME>/logs/<role>.log` (as well as printing it), so `ops logs` can find a job's
 * lines after the processes are gone, as CloudWatch Logs does on AWS.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

export const LOGS_FOLDER = 'logs';

export function logsDir(home: string): string {
  return path.join(path.resolve(home), LOGS_FOLDER);
}

/** A pino destination writing each line to stdout and appending it to `<dir>/<role>.log`. */
export function stdoutAndLogFile(dir: string, role: string): { write(line: string): void; close(): void } {
  // Private like the rest of STEREO_SPOT_HOME: the lines name jobs and files.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // O_APPEND: several processes (up + extra workers) can append to the same file safely.
  const fd = openSync(path.join(dir, `${role}.log`), 'a', 0o600);
  return {
    write(line: string) {
      process.stdout.write(line);
      writeSync(fd, line);
    },
    close: () => closeSync(fd),
  };
}
