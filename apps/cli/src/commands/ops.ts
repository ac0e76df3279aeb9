import { Command } from 'commander';
import { hfTokenCommand } from './hf-token';

/**
 * `stereo-spot ops`: the runbooks as commands. Each procedure is its own module under
 * `commands/` and is added here with one `.addCommand(...)` line.
 */
export function opsCommand(): Command {
  return new Command('ops')
    .description('Operate a deployment: the runbook procedures as safe commands.')
    .addCommand(hfTokenCommand());
}
