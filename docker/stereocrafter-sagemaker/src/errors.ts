/**
 * The one error class of the image's build and deploy tooling. `code` is stable; the message is
 * written for the operator who ran the command (what failed and what to do).
 */
export type SageMakerOpsErrorCode =
  | 'INFRA_ENV'
  | 'BUILD_FAILED'
  | 'DEPLOY_FAILED'
  | 'ENDPOINT_MISSING'
  | 'INVALID_ARGUMENTS'
  | 'SECRET';

export class SageMakerOpsError extends Error {
  readonly permanent = true;

  constructor(
    readonly code: SageMakerOpsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
