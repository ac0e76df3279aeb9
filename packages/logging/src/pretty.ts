/**
 * Log lines a person reads on a terminal: `12:03:04.567 INFO  media-worker  job_id=… message`
 * plus the remaining fields as `key=value`. The JSON line stays the source (files, containers,
 * `ops logs` read JSON); this only changes what a terminal shows.
 */
export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT when set (`json` | `pretty`), else pretty on a terminal and JSON otherwise. */
export function logFormatFor(
  env: Readonly<Record<string, string | undefined>>,
  stream: { readonly isTTY?: boolean },
): LogFormat {
  const chosen = env.LOG_FORMAT?.trim();
  if (chosen === 'json' || chosen === 'pretty') return chosen;
  return stream.isTTY === true ? 'pretty' : 'json';
}

const LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};

const COLORS: Readonly<Record<number, string>> = { 40: '\u001b[33m', 50: '\u001b[31m', 60: '\u001b[31m' };
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';

/** Fields shown in the line's head (or not at all), not repeated as `key=value`. */
const HEAD_FIELDS = new Set(['time', 'level', 'name', 'msg', 'pid', 'hostname', 'job_id', 'segment_index', 'err']);

/** One JSON log line → one (or, with a stack, several) human lines ending in a newline. */
export function prettyLine(json: string, options: { readonly color?: boolean } = {}): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const color = options.color === true;
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
  const levelNumber = typeof record.level === 'number' ? record.level : 30;
  const level = LEVELS[levelNumber] ?? String(record.level);
  const paint = (text: string, code: string | undefined) => (color && code !== undefined ? `${code}${text}${RESET}` : text);
  const extras = Object.entries(record)
    .filter(([key]) => !HEAD_FIELDS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const head = [
    paint(time, DIM),
    paint(level, COLORS[levelNumber]),
    String(record.name ?? '').padEnd(18),
    String(record.msg ?? ''),
    extras.length > 0 ? paint(extras.join(' '), DIM) : '',
  ]
    .filter((part) => part !== '')
    .join(' ');
  const err = record.err as { stack?: unknown } | undefined;
  const stack = levelNumber >= 50 && typeof err?.stack === 'string' ? `\n${paint(err.stack, DIM)}` : '';
  return `${head}${stack}\n`;
}
