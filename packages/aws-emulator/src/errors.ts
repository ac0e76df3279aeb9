/**
 * The one error class of @stereo-spot/aws-emulator, with a stable `code`. Both are the machine's
 * state (moto not installed, the server unwell), never the caller's input.
 */
export type AwsEmulatorErrorCode = 'EMULATOR_UNAVAILABLE' | 'EMULATOR_RESET_FAILED';

export class AwsEmulatorError extends Error {
  constructor(
    readonly code: AwsEmulatorErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
