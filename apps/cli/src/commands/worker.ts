import { Command } from 'commander';
import { runStackUntilSignal } from '../composition/run-until-signal';
import { ROLE_ALIASES, resolveRoles } from '../composition/start-roles';

/** `stereo-spot worker <role...>`: some roles alone, sharing STEREO_SPOT_HOME (or the AWS resources). */
export function workerCommand(): Command {
  return new Command('worker')
    .description(
      'Run one or more roles alone against the same STEREO_SPOT_HOME (or AWS), e.g. extra video-workers: ' +
        '`stereo-spot worker video`. On AWS each ECS service runs this with STEREO_SPOT_PLATFORM=aws.',
    )
    .argument('<roles...>', `${Object.keys(ROLE_ALIASES).join(' | ')} (media = chunking + reassembly)`)
    .action(async (names: string[]) => {
      await runStackUntilSignal(resolveRoles(names), process.env);
    });
}
