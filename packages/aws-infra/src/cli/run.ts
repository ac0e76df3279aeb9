import { AwsInfraError } from '../errors';

/**
 * Runs a command and turns failures into one readable line on stderr and a non-zero exit code.
 * Known problems (missing terraform, credentials, settings) never print a stack trace; other
 * errors print theirs only with STEREO_SPOT_DEBUG=1.
 */
export async function runCommand(command: () => Promise<void> | void): Promise<void> {
  try {
    await command();
  } catch (error) {
    if (error instanceof AwsInfraError) {
      console.error(`aws-infra: ${error.message}`);
      process.exitCode = error.code === 'USAGE' ? 2 : 1;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(`aws-infra: ${message}`);
    if (process.env.STEREO_SPOT_DEBUG === '1' && error instanceof Error) console.error(error.stack);
    process.exitCode = 1;
  }
}
