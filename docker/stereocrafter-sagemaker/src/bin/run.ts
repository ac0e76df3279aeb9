/** Runs one command as a process: its report on stdout, a readable error and exit code 1 on failure. */
import { readFileSync } from 'node:fs';
import type { CommandContext } from '../commands';
import { workspaceRoot } from '../workspace';

export function runAsProcess(command: (args: readonly string[], ctx: CommandContext) => Promise<unknown>): void {
  const ctx: CommandContext = {
    root: workspaceRoot(__dirname),
    env: process.env,
    print: (line) => console.log(line),
    readStdin: () => {
      if (process.stdin.isTTY) {
        throw new Error('paste the token into stdin (e.g. `stereo-spot ops hf-token rotate < token.txt`)');
      }
      return readFileSync(0, 'utf8');
    },
  };
  command(process.argv.slice(2), ctx).catch((error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
