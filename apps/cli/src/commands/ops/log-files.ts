/**
 * The embedded platform's log files: `up` and `worker` append every JSON log line of a role to
 * `<STEREO_SPOT_HOME>/logs/<role>.log` (as well as printing it), so `ops logs` can find a job's
 * lines after the processes are gone, as CloudWatch Logs does on AWS.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { logFormatFor, prettyLine } from '@stereo-spot/logging';

export const LOGS_FOLDER = 'logs';

export function logsDir(home: string): string {
  return path.join(path.resolve(home), LOGS_FOLDER);
}

/**
 * A pino destination writing each line to stdout (pretty on a terminal or with LOG_FORMAT=pretty,
 * see logging) and appending it as JSON to `<dir>/<role>.log`.
 */
export function stdoutAndLogFile(dir: string, role: string): { write(line: string): void; close(): void } {
  // Private like the rest of STEREO_SPOT_HOME: the lines name jobs and files.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // O_APPEND: several processes (up + extra workers) can append to the same file safely.
  const fd = openSync(path.join(dir, `${role}.log`), 'a', 0o600);
  const pretty = logFormatFor(process.env, process.stdout) === 'pretty';
  const color = process.stdout.isTTY === true;
  return {
    write(line: string) {
      process.stdout.write(pretty ? prettyLine(line, { color }) : line);
      writeSync(fd, line);
    },
    close: () => closeSync(fd),
  };
}
