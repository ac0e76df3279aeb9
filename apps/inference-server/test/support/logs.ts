import { createLogger, type Logger } from '@stereo-spot/logging';

/** A real pino logger whose JSON lines are kept for assertions. */
export function capturingLogger(name = 'inference-server-test'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    name,
    level: 'debug',
    destination: {
      write(line: string) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  });
  return { logger, lines };
}
