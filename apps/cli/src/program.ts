import { Command } from 'commander';
import cliPackage from '../package.json';
import { convertCommand } from './commands/convert';
import { opsCommand } from './commands/ops';
import { submitCommand } from './commands/submit';
import { upCommand } from './commands/up';
import { upAwsEmulatedCommand } from './commands/up-aws-emulated';
import { workerCommand } from './commands/worker';

/**
 * Builds the `stereo-spot` command tree. Each command lives in its own module under
 * `commands/` and registers itself here; this file only lists them.
 */
export function buildProgram(): Command {
  const program = new Command('stereo-spot')
    .description('Turn 2D videos and images into stereoscopic 3D (anaglyph, side-by-side, top-bottom).')
    .version(cliPackage.version, '-V, --version', 'print the version')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: false });
  program.addCommand(upCommand());
  program.addCommand(upAwsEmulatedCommand());
  program.addCommand(workerCommand());
  program.addCommand(submitCommand());
  program.addCommand(convertCommand());
  program.addCommand(opsCommand());
  return program;
}
