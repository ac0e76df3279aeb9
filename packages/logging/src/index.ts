// Public API of @stereo-spot/logging: pino JSON logs with the job id in fields and in the text.
export { createLogger, forJob, logJobError, type Logger, type CreateLoggerOptions } from './logger';
export { logFormatFor, prettyLine } from './pretty';
