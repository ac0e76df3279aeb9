import { type EcsApp, type ImageName, type QueueRoleName } from './constants';

/**
 * Every resource name derived from the name prefix, in one place: the runbooks and the apps find
 * resources by these names (bucket names also carry the account and region, so they are built in
 * the stack where those are known).
 */
export function resourceNames(prefix: string) {
  const lambda = `${prefix}-reassembly-trigger`;
  const endpoint = `${prefix}-inference`;
  const codebuild = `${prefix}-stereocrafter-sagemaker`;
  return {
    prefix,
    jobsTable: `${prefix}-jobs`,
    segmentCompletionsTable: `${prefix}-segment-completions`,
    reassemblyTriggeredTable: `${prefix}-reassembly-triggered`,
    queue: (role: QueueRoleName) => `${prefix}-${role}`,
    deadLetterQueue: (role: QueueRoleName) => `${prefix}-${role}-dlq`,
    triggerFailureQueue: `${lambda}-failures`,
    cluster: prefix,
    service: (app: EcsApp) => `${prefix}-${app}`,
    ecsLogGroup: (app: EcsApp) => `/ecs/${prefix}-${app}`,
    lambda,
    lambdaLogGroup: `/aws/lambda/${lambda}`,
    endpoint,
    sagemakerLogGroup: `/aws/sagemaker/Endpoints/${endpoint}`,
    codebuildProject: codebuild,
    codebuildLogGroup: `/aws/codebuild/${codebuild}`,
    ecrRepository: (image: ImageName) => `${prefix}/${image}`,
    /** ALB and target group names are limited to 32 characters. */
    loadBalancer: `${prefix}-web`.slice(0, 32),
    targetGroup: `${prefix}-web-ui`.slice(0, 32),
    alarmTopic: `${prefix}-alarms`,
    hfTokenSecret: `${prefix}/hf-token`,
    role: (workload: string) => `${prefix}-${workload}`.slice(0, 64),
  };
}

export type ResourceNames = ReturnType<typeof resourceNames>;
