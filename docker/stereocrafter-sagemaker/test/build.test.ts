/**
 * The build follower: a scripted CodeBuild (the phase sequence CodeBuild reports; moto's
 * CodeBuild answers timestamps the SDK cannot parse) and real CloudWatch Logs on moto_server.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { runSagemakerBuild, type BuildView, type CodeBuildApi } from '../src/build';
import { sdkLogEventsApi } from '../src/codebuild-api';
import { startMotoServer, type MotoServer } from '@stereo-spot/aws-emulator';

const PROJECT = 'stereo-spot-inference-image';
let moto: MotoServer;
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  moto = await startMotoServer();
  logs = new CloudWatchLogsClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  await logs.send(new CreateLogGroupCommand({ logGroupName: `/aws/codebuild/${PROJECT}` }));
}, 60_000);
afterAll(async () => {
  await moto?.stop();
});

class ScriptedCodeBuild implements CodeBuildApi {
  started: { projectName: string; imageTag: string; sourceVersion?: string } | undefined;
  constructor(
    private readonly id: string,
    private readonly sequence: Array<Omit<BuildView, 'id'>>,
    private readonly onPoll: (poll: number) => Promise<void> = async () => undefined,
  ) {}
  private polls = 0;
  async startBuild(projectName: string, imageTag: string, sourceVersion?: string) {
    this.started = { projectName, imageTag, ...(sourceVersion ? { sourceVersion } : {}) };
    return this.id;
  }
  async getBuild() {
    await this.onPoll(this.polls);
    const view = this.sequence[Math.min(this.polls, this.sequence.length - 1)]!;
    this.polls += 1;
    return { id: this.id, ...view };
  }
  async projectLogGroup(projectName: string) {
    return `/aws/codebuild/${projectName}`;
  }
}

async function putLines(stream: string, lines: string[]) {
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: `/aws/codebuild/${PROJECT}`,
      logStreamName: stream,
      logEvents: lines.map((message, i) => ({ message, timestamp: Date.now() + i })),
    }),
  );
}

it('starts the build with the tag, prints phases and log lines, and says where the logs are', async () => {
  // Prepare: the stream appears after the first poll, as CodeBuild creates it while provisioning
  const stream = 'b7f1c1d2-0000-4000-8000-000000000001';
  const codebuild = new ScriptedCodeBuild(
    `${PROJECT}:${stream}`,
    [
      { status: 'IN_PROGRESS', currentPhase: 'PROVISIONING', complete: false },
      { status: 'IN_PROGRESS', currentPhase: 'BUILD', complete: false },
      { status: 'SUCCEEDED', currentPhase: 'COMPLETED', complete: true },
    ],
    async (poll) => {
      if (poll === 1) {
        await logs.send(new CreateLogStreamCommand({ logGroupName: `/aws/codebuild/${PROJECT}`, logStreamName: stream }));
        await putLines(stream, ['[Container] Entering phase BUILD', 'Step 1/12 : FROM node:20-bookworm-slim AS server']);
      }
      if (poll === 2) await putLines(stream, ['pushed abc123']);
    },
  );
  const lines: string[] = [];
  // Act
  const outcome = await runSagemakerBuild({
    codebuild,
    logs: sdkLogEventsApi(logs),
    projectName: PROJECT,
    imageTag: 'abc123',
    sourceVersion: 'main',
    region: 'us-east-1',
    print: (line) => lines.push(line),
    sleep: async () => undefined,
  });
  // Assess
  expect(codebuild.started).toEqual({ projectName: PROJECT, imageTag: 'abc123', sourceVersion: 'main' });
  expect(outcome).toMatchObject({ status: 'SUCCEEDED', logs: { groupName: `/aws/codebuild/${PROJECT}`, streamName: stream } });
  expect(lines).toEqual([
    `started CodeBuild ${PROJECT}:${stream} (image tag abc123)`,
    'phase PROVISIONING',
    'phase BUILD',
    '  | [Container] Entering phase BUILD',
    '  | Step 1/12 : FROM node:20-bookworm-slim AS server',
    'phase COMPLETED',
    '  | pushed abc123',
    `logs: CloudWatch Logs group /aws/codebuild/${PROJECT}, stream ${stream}`,
    expect.stringContaining(`https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/`),
    `build ${PROJECT}:${stream} SUCCEEDED: abc123 and latest pushed`,
  ]);
});

it('fails with the phase and CodeBuild’s message when the build fails', async () => {
  const codebuild = new ScriptedCodeBuild(`${PROJECT}:no-logs-yet`, [
    { status: 'IN_PROGRESS', currentPhase: 'BUILD', complete: false },
    {
      status: 'FAILED',
      currentPhase: 'COMPLETED',
      complete: true,
      failedPhase: { type: 'BUILD', message: 'COMMAND_EXECUTION_ERROR: Error while executing command: docker build' },
    },
  ]);
  await expect(
    runSagemakerBuild({
      codebuild,
      logs: sdkLogEventsApi(logs),
      projectName: PROJECT,
      imageTag: 'abc123',
      region: 'us-east-1',
      print: () => undefined,
      sleep: async () => undefined,
    }),
  ).rejects.toThrow(
    `build ${PROJECT}:no-logs-yet ended FAILED in phase BUILD: COMMAND_EXECUTION_ERROR: Error while executing command: docker build ` +
      `(logs: /aws/codebuild/${PROJECT} no-logs-yet)`,
  );
});
