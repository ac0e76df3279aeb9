import { Command } from 'commander';
import { PIPELINE_ROLES, ROLE_ALIASES, resolveRoles } from '../composition/roles';

/** `stereo-spot worker <role...>`: some roles alone, sharing STEREO_SPOT_HOME (or the AWS resources). */
export function workerCommand(): Command {
  return new Command('worker')
    .description(
      'Run one or more roles alone against the same STEREO_SPOT_HOME (or AWS), e.g. extra video-workers: ' +
        '`stereo-spot worker video-worker`. On AWS each ECS service runs this with STEREO_SPOT_PLATFORM=aws.',
    )
    .argument(
      '<roles...>',
      `${PIPELINE_ROLES.join(' | ')}; older names still accepted: ${Object.entries(ROLE_ALIASES)
        .map(([alias, roles]) => `${alias} = ${roles.join(' + ')}`)
        .join(', ')}`,
    )
    .action(async (names: string[]) => {
      const roles = resolveRoles(names);
      // Loaded only when a worker starts (see up.ts): other commands do not pay for the pipeline.
      const { runRolesUntilSignal } = await import('../composition/run-until-signal');
      await runRolesUntilSignal(roles, process.env);
    });
}
