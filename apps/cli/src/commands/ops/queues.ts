/** `stereo-spot ops queues`: visible and in-flight counts of every queue and DLQ, as a table. */
import { Command } from 'commander';
import { QUEUE_ROLES, type QueueDepth, type QueueRole } from '@stereo-spot/pipeline';
import { EXIT_DONE, runOps, type OpsIo, type OpsPlatform } from './context';

export interface QueueDepths {
  readonly role: QueueRole;
  readonly queue: QueueDepth;
  readonly deadLetter: QueueDepth;
}

export async function readQueueDepths(platform: OpsPlatform): Promise<QueueDepths[]> {
  return Promise.all(
    QUEUE_ROLES.map(async (role) => {
      const pair = platform.queues[role];
      const [queue, deadLetter] = await Promise.all([pair.queue.depth(), pair.deadLetter.depth()]);
      return { role, queue, deadLetter };
    }),
  );
}

export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
}

export async function showQueues(platform: OpsPlatform, io: OpsIo): Promise<number> {
  const depths = await readQueueDepths(platform);
  const rows = [['QUEUE', 'NAME', 'VISIBLE', 'IN FLIGHT']];
  for (const { role, queue, deadLetter } of depths) {
    const pair = platform.queues[role];
    rows.push([role, pair.queue.name, String(queue.visible), String(queue.inFlight)]);
    rows.push([`${role} DLQ`, pair.deadLetter.name, String(deadLetter.visible), String(deadLetter.inFlight)]);
  }
  for (const line of formatTable(rows)) io.out(line);
  return EXIT_DONE;
}

export function queuesCommand(): Command {
  return new Command('queues')
    .description('Visible and in-flight message counts of every queue and dead-letter queue.')
    .action(() => runOps(true, showQueues));
}
