/** The CodeBuildApi and LogEventsApi of build.ts over the AWS SDK. */
import {
  GetLogEventsCommand,
  ResourceNotFoundException,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  BatchGetBuildsCommand,
  BatchGetProjectsCommand,
  StartBuildCommand,
  type CodeBuildClient,
} from '@aws-sdk/client-codebuild';
import type { BuildView, CodeBuildApi, LogEventsApi } from './build';
import { SageMakerOpsError } from './errors';

export function sdkCodeBuildApi(client: CodeBuildClient): CodeBuildApi {
  return {
    async startBuild(projectName, imageTag, sourceVersion) {
      const started = await client.send(
        new StartBuildCommand({
          projectName,
          ...(sourceVersion ? { sourceVersion } : {}),
          environmentVariablesOverride: [{ name: 'IMAGE_TAG', value: imageTag, type: 'PLAINTEXT' }],
        }),
      );
      if (!started.build?.id) throw new SageMakerOpsError('BUILD_FAILED', `CodeBuild did not start ${projectName}`);
      return started.build.id;
    },
    async getBuild(buildId): Promise<BuildView> {
      const answer = await client.send(new BatchGetBuildsCommand({ ids: [buildId] }));
      const build = answer.builds?.[0];
      if (!build) throw new SageMakerOpsError('BUILD_FAILED', `CodeBuild does not know build ${buildId}`);
      const failed = build.phases?.find((p) => p.phaseStatus && p.phaseStatus !== 'SUCCEEDED');
      return {
        id: buildId,
        status: build.buildStatus ?? 'IN_PROGRESS',
        complete: build.buildComplete === true,
        ...(build.currentPhase ? { currentPhase: build.currentPhase } : {}),
        ...(build.logs
          ? {
              logs: {
                ...(build.logs.groupName ? { groupName: build.logs.groupName } : {}),
                ...(build.logs.streamName ? { streamName: build.logs.streamName } : {}),
                ...(build.logs.deepLink ? { deepLink: build.logs.deepLink } : {}),
              },
            }
          : {}),
        ...(failed
          ? {
              failedPhase: {
                type: failed.phaseType ?? 'UNKNOWN',
                message: (failed.contexts ?? []).map((c) => c.message).join('; ') || (failed.phaseStatus ?? ''),
              },
            }
          : {}),
      };
    },
    async projectLogGroup(projectName) {
      const answer = await client.send(new BatchGetProjectsCommand({ names: [projectName] }));
      const project = answer.projects?.[0];
      if (!project) {
        throw new SageMakerOpsError(
          'BUILD_FAILED',
          `CodeBuild project ${projectName} does not exist (CODEBUILD_PROJECT_NAME in packages/aws-infra/.env)`,
        );
      }
      return project.logsConfig?.cloudWatchLogs?.groupName ?? `/aws/codebuild/${projectName}`;
    },
  };
}

export function sdkLogEventsApi(client: CloudWatchLogsClient): LogEventsApi {
  return {
    async events(groupName, streamName, nextToken) {
      try {
        const answer = await client.send(
          new GetLogEventsCommand({
            logGroupName: groupName,
            logStreamName: streamName,
            startFromHead: true,
            ...(nextToken ? { nextToken } : {}),
          }),
        );
        return {
          messages: (answer.events ?? []).map((event) => event.message ?? ''),
          nextToken: answer.nextForwardToken,
        };
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      }
    },
  };
}
