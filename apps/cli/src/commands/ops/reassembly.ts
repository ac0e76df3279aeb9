/**
 * `stereo-spot ops reassembly trigger <job_id>`: the runbook's manual one-off fix for a job whose
 * segments are all converted but whose reassembly never ran. Refuses unless the completions count
 * equals total_segments; creates the ReassemblyTriggered lock conditionally and sends `{"job_id"}`.
 * It sends even when the lock already exists (a job is never stuck behind its own lock): the
 * worker's start lock makes a duplicate message harmless.
 */
import { Command } from 'commander';
import { newReassemblyTriggered, parseJobId, type ReassemblyMessage } from '@stereo-spot/shared-types';
import { EXIT_DONE, EXIT_ERROR, EXIT_REFUSED, runOps, type OpsIo, type OpsPlatform } from './context';

export async function triggerReassembly(platform: OpsPlatform, io: OpsIo, id: string): Promise<number> {
  const parsed = parseJobId(id);
  if (!parsed.ok) {
    io.out(`not a job id: ${id}`);
    return EXIT_ERROR;
  }
  const jobId = parsed.value;
  const job = await platform.jobs.get(jobId);
  const refuse = (reason: string) => {
    io.out(`refused: ${reason}; nothing changed`);
    return EXIT_REFUSED;
  };
  if (job === undefined) return refuse(`job ${jobId} not found`);
  if (job.status !== 'chunking_complete') return refuse(`status is ${job.status}, not chunking_complete`);
  const count = await platform.segmentCompletions.count(jobId);
  if (job.total_segments === undefined || count !== job.total_segments) {
    return refuse(`${count} of ${job.total_segments ?? '?'} segment(s) completed`);
  }
  const queue = platform.queues.reassembly.queue;
  if (!(await io.confirm(`Trigger the reassembly of job ${jobId} (send {"job_id"} to ${queue.name})?`))) {
    io.out('nothing changed');
    return EXIT_REFUSED;
  }
  const created = await platform.reassemblyTriggered.tryCreate(newReassemblyTriggered(jobId, Date.now()));
  io.out(created ? 'created the ReassemblyTriggered lock' : 'the ReassemblyTriggered lock already existed');
  const message: ReassemblyMessage = { job_id: jobId };
  await queue.send(JSON.stringify(message));
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
    .action((jobId: string, options: { yes?: boolean }) =>
      runOps(options.yes, (platform, io) => triggerReassembly(platform, io, jobId)),
    );
  return reassembly;
}
