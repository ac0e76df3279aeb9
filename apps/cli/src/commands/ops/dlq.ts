/**
 * `stereo-spot ops dlq inspect|replay|purge <chunking|video-worker|reassembly>`: look at a
 * dead-letter queue without consuming it, move its messages back to the main queue (all, or the
 * ones named with --message-id), or empty it. Replay and purge ask first unless --yes.
 */
import { Command, Option } from 'commander';
import { QUEUE_ROLES, type QueueRole } from '@stereo-spot/pipeline';
import { EXIT_DONE, EXIT_REFUSED, runOps, type OpsIo, type OpsPlatform } from './context';

export async function inspectDlq(platform: OpsPlatform, io: OpsIo, role: QueueRole, max: number): Promise<number> {
  const deadLetter = platform.queues[role].deadLetter;
  const messages = await deadLetter.peek(max);
  io.out(`${deadLetter.name}: ${messages.length} message(s) shown (not consumed)`);
  for (const message of messages) {
    io.out(`- ${message.messageId} (received ${message.receiveCount} time(s)): ${message.body}`);
  }
  return EXIT_DONE;
}

export async function replayDlq(
  platform: OpsPlatform,
  io: OpsIo,
  role: QueueRole,
  messageIds?: readonly string[],
): Promise<number> {
  const { queue, deadLetter } = platform.queues[role];
  const what = messageIds?.length ? `${messageIds.length} selected message(s)` : 'every message';
  if (!(await io.confirm(`Move ${what} of ${deadLetter.name} back to ${queue.name}?`))) {
    io.out('nothing changed');
    return EXIT_REFUSED;
  }
  const moved = await deadLetter.replay(queue, messageIds?.length ? messageIds : undefined);
  io.out(`moved ${moved} message(s) from ${deadLetter.name} to ${queue.name}`);
  return EXIT_DONE;
}

export async function purgeDlq(platform: OpsPlatform, io: OpsIo, role: QueueRole): Promise<number> {
  const deadLetter = platform.queues[role].deadLetter;
  if (!(await io.confirm(`Delete every message of ${deadLetter.name}? They cannot be replayed afterwards.`))) {
    io.out('nothing changed');
    return EXIT_REFUSED;
  }
  const removed = await deadLetter.purge();
  io.out(
    removed >= 0
      ? `purged ${deadLetter.name}: ${removed} message(s) deleted`
      : `purged ${deadLetter.name} (SQS does not say how many; it may take up to 60 s)`,
  );
  return EXIT_DONE;
}

const roleArgument = () =>
  new Command().createArgument('<queue>', QUEUE_ROLES.join(' | ')).choices([...QUEUE_ROLES]);

export function dlqCommand(): Command {
  const dlq = new Command('dlq').description("A queue's dead-letter queue: inspect, replay, purge.");
  dlq
    .command('inspect')
    .description('Show the messages without consuming them.')
    .addArgument(roleArgument())
    .addOption(new Option('--max <n>', 'at most this many messages').default(10).argParser(Number))
    .action((role: QueueRole, options: { max: number }) =>
      runOps(true, (platform, io) => inspectDlq(platform, io, role, options.max)),
    );
  dlq
    .command('replay')
    .description('Move the messages back to the main queue (all, or those given with --message-id).')
    .addArgument(roleArgument())
    .option('--message-id <id...>', 'only these messages (ids from inspect)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action((role: QueueRole, options: { messageId?: string[]; yes?: boolean }) =>
      runOps(options.yes, (platform, io) => replayDlq(platform, io, role, options.messageId)),
    );
  dlq
    .command('purge')
    .description('Delete every message of the dead-letter queue.')
    .addArgument(roleArgument())
    .option('-y, --yes', 'do not ask for confirmation')
    .action((role: QueueRole, options: { yes?: boolean }) =>
      runOps(options.yes, (platform, io) => purgeDlq(platform, io, role)),
    );
  return dlq;
}
