/**
 * The error hierarchy of aws-infra. `code` is stable; the deploy commands print `message` alone
 * (never a stack trace) for these errors, because each one says what to do next.
 */
export type AwsInfraErrorCode =
  | 'INVALID_SETTINGS'
  | 'TERRAFORM_NOT_FOUND'
  | 'PROVIDER_NOT_FOUND'
  | 'EMULATOR_FAILED'
  | 'AWS_CREDENTIALS_MISSING'
  | 'DOCKER_UNAVAILABLE'
  | 'TOOL_NOT_FOUND'
  | 'BUNDLE_FAILED'
  | 'NOT_SYNTHESIZED'
  | 'ENV_FILE_MISSING'
  | 'COMMAND_FAILED'
  | 'USAGE';

export class AwsInfraError extends Error {
  /** None of these is fixed by retrying: each needs a change of settings, tools or credentials. */
  readonly permanent = true;

  constructor(
    readonly code: AwsInfraErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
