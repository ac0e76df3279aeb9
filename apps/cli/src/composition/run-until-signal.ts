import type { Env } from '@stereo-spot/config';
import type { PipelineRole } from './roles';
import { startRoles } from './start-roles';

/** Forced exit when a second stop signal comes this long after the first (the bin wrapper forwards one copy at once). */
const FORCE_AFTER_MS = 2000;

/**
 * Runs the given roles until SIGINT/SIGTERM, then stops them cleanly: no new work, running work
 * finishes within the grace period or is released, the platform is closed. A second Ctrl-C a
 * moment later exits at once.
 */
export async function runRolesUntilSignal(roles: readonly PipelineRole[], env: Env): Promise<void> {
  const stop = new AbortController();
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stop.signal.aborted) {
      firstSignalAt = Date.now();
      process.stderr.write(`\n${signal}: stopping (finishing or releasing running work)...\n`);
      stop.abort();
    } else if (Date.now() - firstSignalAt > FORCE_AFTER_MS) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const running = await startRoles({ roles, env, signal: stop.signal });
    const where = running.url !== undefined ? ` on ${running.url}` : '';
    process.stderr.write(`stereo-spot ${roles.join(' + ')} running${where}. Ctrl-C stops it.\n`);
    await running.done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
