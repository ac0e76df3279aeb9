import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { logFormatFor, prettyLine } from './pretty';
import { redactSignedUrls } from './redact';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  /** Component name, e.g. `media-worker`; becomes the `name` field. */
  readonly name: string;
  /** Defaults to LOG_LEVEL or `info`. */
  readonly level?: string;
  /**
   * Where JSON lines go. Default: stdout, as pretty lines on a terminal (or with
   * LOG_FORMAT=pretty) and JSON otherwise. Tests pass a stream to read them back.
   */
  readonly destination?: DestinationStream;
}

/**
 * A pino JSON logger. Error objects under `err` are serialized with type, message and stack.
 * Every line passes through redactSignedUrls before it is written, so no presigned URL's
 * signature reaches a log at any level, wherever it sits (message, field, child binding, error).
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const pinoOptions: LoggerOptions = {
    name: options.name,
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.err },
  };
  const destination = options.destination ?? stdoutDestination();
  return pino(pinoOptions, { write: (line: string) => destination.write(redactSignedUrls(line)) });
}

/** Stdout in the format LOG_FORMAT (or the terminal) asks for. */
export function stdoutDestination(): DestinationStream {
  const stdout = pino.destination({ fd: 1, sync: true });
  if (logFormatFor(process.env, process.stdout) === 'json') return stdout;
  const color = process.stdout.isTTY === true;
  return { write: (line: string) => stdout.write(prettyLine(line, { color })) };
}

export interface JobLogContext {
  /** The job's id; `undefined` when the message could not be parsed (logged as `job_id=?`). */
  readonly jobId?: string | undefined;
  readonly segmentIndex?: number | undefined;
}

/**
 * A child logger bound to a job. It writes `job_id` (and `segment_index`) as fields AND puts
 * `job_id=<id>` (and `segment_index=<n>`) at the start of every message, so one CloudWatch Logs
 * Insights filter (`filter @message like /job_id=<id>/`) finds the job in every log group.
 */
export function forJob(logger: Logger, context: JobLogContext): Logger {
  const jobId = context.jobId ?? '?';
  const bindings: Record<string, unknown> = { job_id: jobId };
  let prefix = `job_id=${jobId} `;
  if (context.segmentIndex !== undefined) {
    bindings.segment_index = context.segmentIndex;
    prefix += `segment_index=${context.segmentIndex} `;
  }
  return logger.child(bindings, { msgPrefix: prefix });
}

/** Logs an error with its job context: `job_id=<id> <message>: <error message>` plus `err`. */
export function logJobError(logger: Logger, context: JobLogContext, error: unknown, message: string): void {
  const detail = error instanceof Error ? error.message : String(error);
  const code =
    typeof error === 'object' && error !== null && 'code' in error
      ? (error as { code: unknown }).code
      : undefined;
  forJob(logger, context).error(
    { err: error, ...(code !== undefined ? { code } : {}) },
    `${message}: ${detail}`,
  );
}
