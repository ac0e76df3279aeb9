/** The config package's error: one stable code, the role and platform, and every problem found. */
export interface ConfigIssue {
  readonly variable: string;
  readonly problem: string;
}

export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIGURATION';
  /** Restarting with the same environment cannot fix it. */
  readonly permanent = true;

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
    this.name = new.target.name;
  }
}
