/**
 * `stereo-spot ops reassembly trigger <job_id>`: the runbook's manual one-off fix for a job whose
 * segments are all converted but whose reassembly never ran. It runs the trigger's own decision
 * (the pipeline's `triggerIfComplete`): refuses unless the completions count equals
 * total_segments; creates the ReassemblyTriggered lock conditionally and sends `{"job_id"}`, also
 * when the lock already exists (a job is never stuck behind its own lock). Once a worker has
 * started reassembling it refuses unless `--force` (that worker died and its message is gone):
 * the worker's start lock makes a duplicate message harmless.
 */
import { Command } from 'commander';
import { createLogger, type Logger } from '@stereo-spot/logging';
import {
  reassemblyReadiness,
  systemClock,
  triggerIfComplete,
  type Clock,
  type ReassemblyTriggerDeps,
  type TriggerDecision,
} from '@stereo-spot/pipeline';
import { parseJobId, type ReassemblyMessage } from '@stereo-spot/shared-types';
import { EXIT_DONE, EXIT_ERROR, EXIT_REFUSED, runOps, type OpsIo, type OpsPlatform } from './context';

export interface TriggerReassemblyOptions {
  /** Send even when a worker has started reassembling. */
  readonly force?: boolean;
  readonly clock?: Clock;
  /** Where the decision's log lines go; by default none (the operator reads the printed lines). */
  readonly logger?: Logger;
}

const LOCK_LINES: Record<Extract<TriggerDecision, { decision: 'sent' }>['lock'], string> = {
  created: 'created the ReassemblyTriggered lock',
  existed: 'the ReassemblyTriggered lock already existed',
  started: 'the ReassemblyTriggered lock already existed and a reassembly had started (--force)',
};

export async function triggerReassembly(
  platform: OpsPlatform,
  io: OpsIo,
  id: string,
  options: TriggerReassemblyOptions = {},
): Promise<number> {
  const parsed = parseJobId(id);
  if (!parsed.ok) {
    io.out(`not a job id: ${id}`);
    return EXIT_ERROR;
  }
  const jobId = parsed.value;
  const deps: ReassemblyTriggerDeps = {
    jobs: platform.jobs,
    segmentCompletions: platform.segmentCompletions,
    reassemblyTriggered: platform.reassemblyTriggered,
    reassemblyQueue: platform.queues.reassembly.queue,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? createLogger({ name: 'ops', level: 'silent' }),
  };
  const refuse = (reason: string) => {
    io.out(`refused: ${reason}; nothing changed`);
    return EXIT_REFUSED;
  };
  const readiness = await reassemblyReadiness(deps, jobId);
  if (!readiness.ready) return refuse(readiness.reason);
  const queue = deps.reassemblyQueue;
  if (!(await io.confirm(`Trigger the reassembly of job ${jobId} (send {"job_id"} to ${queue.name})?`))) {
    io.out('nothing changed');
    return EXIT_REFUSED;
  }
  const decision = await triggerIfComplete(deps, jobId, { force: options.force === true });
  if (decision.decision === 'error') throw decision.error;
  if (decision.decision === 'skipped') {
    const code = refuse(decision.reason);
    const started = (await deps.reassemblyTriggered.get(jobId))?.reassembly_started_at !== undefined;
    if (started) io.out('if its worker died and no reassembly message is left, run again with --force');
    return code;
  }
  const message: ReassemblyMessage = { job_id: jobId };
  io.out(LOCK_LINES[decision.lock]);
  io.out(`sent ${JSON.stringify(message)} to ${queue.name}`);
  return EXIT_DONE;
}

export function reassemblyCommand(): Command {
  const reassembly = new Command('reassembly').description('Reassembly of a job whose segments are all converted.');
  reassembly
    .command('trigger')
    .description('Take the ReassemblyTriggered lock (if free) and send the job to the reassembly queue.')
    .argument('<job_id>')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--force', 'send even when a reassembly has started (its worker died and its message is gone)')
    .action((jobId: string, options: { yes?: boolean; force?: boolean }) =>
      runOps(options.yes, (platform, io) => triggerReassembly(platform, io, jobId, { force: options.force === true })),
    );
  return reassembly;
}
