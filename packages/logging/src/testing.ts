// Test entry of @stereo-spot/logging (`@stereo-spot/logging/testing`): helpers for tests only.
import { createLogger, type Logger } from './logger';

/** A real logger (redaction included) whose JSON lines are kept, parsed, for assertions. */
export function captureLogger(name = 'test'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = {
    write(line: string) {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
  return { logger: createLogger({ name, level: 'debug', destination }), lines };
}
