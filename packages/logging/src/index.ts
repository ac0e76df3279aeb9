// Public API of @stereo-spot/logging: pino JSON logs with the job id in fields and in the text.
export {
  createLogger,
  stdoutDestination,
  forJob,
  logJobError,
  type Logger,
  type CreateLoggerOptions,
  type JobLogContext,
} from './logger';
export { redactSignedUrls, REDACTED_QUERY } from './redact';
export { logFormatFor, prettyLine, type LogFormat } from './pretty';
