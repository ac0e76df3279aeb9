import { Command } from 'commander';
import { hfTokenCommand } from './hf-token';
import { selectEnvFile } from './ops/context';
import { dlqCommand } from './ops/dlq';
import { jobCommand } from './ops/job';
import { logsCommand } from './ops/logs';
import { queuesCommand } from './ops/queues';
import { reassemblyCommand } from './ops/reassembly';
import { resendCommand } from './ops/resend';
import { scaleCommand } from './ops/scale';

/**
 * `stereo-spot ops`: the runbooks as commands. Each procedure is its own module under
 * `commands/` and is added here with one `.addCommand(...)` line.
 */
export function opsCommand(): Command {
  return new Command('ops')
    .description(
      'Operate a deployment: the runbook procedures as safe commands. Every run first prints which platform ' +
        'and deployment it looks at.',
    )
    .option(
      '--env-file <file>',
      'the deployment to operate, as KEY=value lines (default: packages/aws-infra/.env when it exists; ' +
        'up-aws-emulated prints the path of its file)',
    )
    .hook('preAction', (ops) => selectEnvFile(ops.opts<{ envFile?: string }>().envFile))
    .addCommand(hfTokenCommand())
    .addCommand(jobCommand())
    .addCommand(queuesCommand())
    .addCommand(dlqCommand())
    .addCommand(reassemblyCommand())
    .addCommand(resendCommand())
    .addCommand(logsCommand())
    .addCommand(scaleCommand());
}
