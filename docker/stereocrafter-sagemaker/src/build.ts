/**
 * `sagemaker-build`: starts the CodeBuild project that builds and pushes the iw3 image (see
 * buildspec.yml), follows it to the end (phases, and the log lines as CloudWatch receives
 * them) and prints where the full logs are.
 */
import { SageMakerOpsError } from './errors';

export interface BuildView {
  readonly id: string;
  /** IN_PROGRESS, SUCCEEDED, FAILED, FAULT, STOPPED, TIMED_OUT */
  readonly status: string;
  readonly currentPhase?: string;
  readonly complete: boolean;
  readonly logs?: { readonly groupName?: string; readonly streamName?: string; readonly deepLink?: string };
  /** The first phase that did not succeed, with CodeBuild's messages. */
  readonly failedPhase?: { readonly type: string; readonly message: string };
}

/** The CodeBuild calls the follower needs (AWS SDK implementation in codebuild-api.ts). */
export interface CodeBuildApi {
  /** Returns the build id. */
  startBuild(projectName: string, imageTag: string, sourceVersion?: string): Promise<string>;
  getBuild(buildId: string): Promise<BuildView>;
  /** The project's CloudWatch Logs group (CodeBuild's default when it sets none). */
  projectLogGroup(projectName: string): Promise<string>;
}

/** CloudWatch Logs reading; `undefined` while the stream does not exist yet. */
export interface LogEventsApi {
  events(
    groupName: string,
    streamName: string,
    nextToken: string | undefined,
  ): Promise<{ messages: string[]; nextToken: string | undefined } | undefined>;
}

export interface BuildOptions {
  readonly codebuild: CodeBuildApi;
  readonly logs: LogEventsApi;
  readonly projectName: string;
  readonly imageTag: string;
  /** A branch, tag or commit for the build's source (the project's default when absent). */
  readonly sourceVersion?: string;
  readonly region: string;
  readonly pollMs?: number;
  /** Gives up following (the build goes on) after this long. Default 2 h. */
  readonly maxWaitMs?: number;
  readonly print: (line: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface LogLocation {
  readonly groupName: string;
  readonly streamName: string;
  /** The console page of the log stream. */
  readonly consoleUrl: string;
}

export interface BuildOutcome {
  readonly buildId: string;
  readonly status: string;
  readonly imageTag: string;
  readonly logs: LogLocation;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runSagemakerBuild(options: BuildOptions): Promise<BuildOutcome> {
  const sleep = options.sleep ?? defaultSleep;
  const projectLogGroup = await options.codebuild.projectLogGroup(options.projectName);
  const buildId = await options.codebuild.startBuild(options.projectName, options.imageTag, options.sourceVersion);
  options.print(`started CodeBuild ${buildId} (image tag ${options.imageTag})`);

  const tail = new LogTail(options.logs, options.print);
  let lastPhase: string | undefined;
  const deadline = Date.now() + (options.maxWaitMs ?? 2 * 60 * 60 * 1000);
  let build: BuildView;
  for (;;) {
    build = await options.codebuild.getBuild(buildId);
    if (build.currentPhase && build.currentPhase !== lastPhase) {
      lastPhase = build.currentPhase;
      options.print(`phase ${lastPhase}`);
    }
    await tail.follow(logLocation(build, projectLogGroup, options.region));
    if (build.complete || build.status !== 'IN_PROGRESS') break;
    if (Date.now() > deadline) {
      throw new SageMakerOpsError('BUILD_FAILED', `stopped following ${buildId}; it is still running`);
    }
    await sleep(options.pollMs ?? 10_000);
  }
  const logs = logLocation(build, projectLogGroup, options.region);
  await tail.follow(logs);
  options.print(`logs: CloudWatch Logs group ${logs.groupName}, stream ${logs.streamName}`);
  options.print(`      ${logs.consoleUrl}`);
  if (build.status !== 'SUCCEEDED') {
    const reason = build.failedPhase ? ` in phase ${build.failedPhase.type}: ${build.failedPhase.message}` : '';
    throw new SageMakerOpsError(
      'BUILD_FAILED',
      `build ${buildId} ended ${build.status}${reason} (logs: ${logs.groupName} ${logs.streamName})`,
    );
  }
  options.print(`build ${buildId} SUCCEEDED: ${options.imageTag} and latest pushed`);
  return { buildId, status: build.status, imageTag: options.imageTag, logs };
}

/** Where CodeBuild writes the build's log: what the build says, else the project's default. */
export function logLocation(build: BuildView, projectLogGroup: string, region: string): LogLocation {
  const groupName = build.logs?.groupName ?? projectLogGroup;
  // CodeBuild names the stream after the part of the build id behind the project name.
  const streamName = build.logs?.streamName ?? build.id.split(':').slice(1).join(':');
  const twice = (text: string) => encodeURIComponent(encodeURIComponent(text));
  const consoleUrl =
    build.logs?.deepLink ??
    `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/` +
      `${twice(groupName)}/log-events/${twice(streamName)}`;
  return { groupName, streamName, consoleUrl };
}

/** Prints log events as they arrive. */
class LogTail {
  private nextToken: string | undefined;

  constructor(
    private readonly logs: LogEventsApi,
    private readonly print: (line: string) => void,
  ) {}

  async follow(location: LogLocation): Promise<void> {
    if (!location.streamName) return;
    for (let page = 0; page < 100; page++) {
      const answer = await this.logs.events(location.groupName, location.streamName, this.nextToken);
      if (!answer) return;
      for (const message of answer.messages) this.print(`  | ${message.trimEnd()}`);
      const unchanged = answer.nextToken === this.nextToken;
      this.nextToken = answer.nextToken;
      if (unchanged || answer.messages.length === 0) return;
    }
  }
}
