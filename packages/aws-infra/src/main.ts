/**
 * Entry of the aws-infra Nx targets: `node --import tsx packages/aws-infra/src/main.ts <command>`.
 * synth [--hcl] · plan · deploy [--auto-approve] · destroy [--auto-approve] · output ·
 * docker-build [app...] [--tag T] · docker-push [app...] [--tag T] · apply-emulated [--hold] [--plugin-dir D]
 */
import { deployCommand, destroyCommand, outputCommand, planCommand, synthCommand } from './cli/commands';
import { dockerBuildCommand, dockerPushCommand } from './cli/docker';
import { runCommand } from './cli/run';
import { AwsInfraError } from './errors';

const COMMANDS: Record<string, (args: readonly string[]) => Promise<void> | void> = {
  synth: synthCommand,
  plan: planCommand,
  diff: planCommand,
  deploy: deployCommand,
  destroy: destroyCommand,
  // Loaded on demand: it starts moto_server through @stereo-spot/aws-emulator.
  'apply-emulated': async (args) => (await import('./emulator/apply-emulated')).applyEmulatedCommand(args),
  output: outputCommand,
  'docker-build': dockerBuildCommand,
  'docker-push': dockerPushCommand,
};

const [name = 'synth', ...args] = process.argv.slice(2);
void runCommand(() => {
  const command = COMMANDS[name];
  if (!command) {
    throw new AwsInfraError(
      'USAGE',
      `unknown command "${name}"; one of: ${Object.keys(COMMANDS).join(', ')}`,
    );
  }
  return command(args);
});
