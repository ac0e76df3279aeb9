/** The config package's error: one stable code, the role and platform, and every problem found. */
export interface ConfigIssue {
  readonly variable: string;
  readonly problem: string;
}

/** The config package's base error: a stable `code`; none is fixed by retrying with the same input. */
export abstract class ConfigPackageError extends Error {
  abstract readonly code: string;
  /** Restarting with the same environment (or file) cannot fix it. */
  readonly permanent = true;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class ConfigError extends ConfigPackageError {
  readonly code = 'INVALID_CONFIGURATION';

  constructor(
    readonly role: string,
    readonly platform: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      [
        `Invalid configuration for ${role} (STEREO_SPOT_PLATFORM=${platform}): ${issues.length} problem(s)`,
        ...issues.map((issue) => `  - ${issue.variable}: ${issue.problem}`),
      ].join('\n'),
    );
  }
}

/** A `.env` file that cannot be read or written as `KEY=value` lines. */
export class EnvFileError extends ConfigPackageError {
  readonly code = 'INVALID_ENV_FILE';
}
