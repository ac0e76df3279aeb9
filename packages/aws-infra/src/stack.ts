import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { QUEUE_SETTINGS } from '@stereo-spot/contracts';
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { type Construct } from 'constructs';
import {
  mediaWorkerEnvironment,
  reassemblyTriggerEnvironment,
  videoWorkerEnvironment,
  webUiEnvironment,
  type PipelineResources,
} from './app-environment';
import {
  mediaWorkerPermissions,
  videoWorkerPermissions,
  webUiPermissions,
  type PermissionTargets,
} from './app-permissions';
import {
  CODEBUILD_SOURCE_KEY,
  WEB_UI_HEALTH_PATH,
  WEB_UI_PORT,
  WORKER_STOP_TIMEOUT_SECONDS,
} from './constants';
import { FargateService } from './constructs/fargate-service';
import { ImageRepositories } from './constructs/image-repositories';
import { InferenceBuild } from './constructs/inference-build';
import { LoadBalancer } from './constructs/load-balancer';
import { Network } from './constructs/network';
import { QueueDepthScaling } from './constructs/queue-depth-scaling';
import { ReassemblyTrigger } from './constructs/reassembly-trigger';
import { SageMakerInference } from './constructs/sagemaker-inference';
import { SecurityGroups } from './constructs/security-groups';
import { inputNotifications, s3MaySend, Storage } from './constructs/storage';
import { Tables } from './constructs/tables';
import { WorkQueue } from './constructs/work-queue';
import { arnOf, type StackContext } from './context';
import { resourceNames } from './naming';
import { type OutputName } from './outputs';
import { assertWebUiExposureAccepted, videoWorkerMaxCapacity, type StackSettings } from './settings';

/** The web-ui's container health check (also the Dockerfile's HEALTHCHECK): node's own fetch. */
export const WEB_UI_HEALTH_CHECK = [
  'CMD',
  'node',
  '-e',
  `fetch('http://127.0.0.1:${WEB_UI_PORT}${WEB_UI_HEALTH_PATH}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
];

export interface StereoSpotStackOptions {
  /** The reassembly-trigger handler module to bundle (tests); default: the app's own entry. */
  readonly lambdaEntry?: string;
}

/**
 * Everything stereo-spot needs in one AWS account and region. The stack's name is the name
 * prefix, so two deployments (e.g. staging and production) are two stacks with their own state.
 */
export class StereoSpotStack extends TerraformStack {
  /** The module the reassembly-trigger zip was bundled from. */
  readonly lambdaEntry: string;

  constructor(scope: Construct, settings: StackSettings, options: StereoSpotStackOptions = {}) {
    super(scope, settings.name_prefix);
    assertWebUiExposureAccepted(settings);
    configureBackend(this, settings);
    new AwsProvider(this, 'aws', {
      region: settings.region,
      defaultTags: [{ tags: { Project: 'stereo-spot', Deployment: settings.name_prefix } }],
    });

    const names = resourceNames(settings.name_prefix);
    const identity = new DataAwsCallerIdentity(this, 'identity');
    const partition = new DataAwsPartition(this, 'partition');
    const alarmTopic = settings.alarm_email
      ? this.alarmTopic(names.alarmTopic, settings.alarm_email)
      : undefined;
    const context: StackContext = {
      settings,
      names,
      accountId: identity.accountId,
      partition: partition.partition,
      region: settings.region,
      alarmActions: alarmTopic ? [alarmTopic.arn] : [],
    };
    const output = (name: OutputName, value: string | number, description?: string) =>
      new TerraformOutput(this, name, { value, ...(description ? { description } : {}) });

    // Network and load balancer first: the web UI's address is the buckets' CORS origin.
    const network = new Network(this, 'network', context);
    const securityGroups = new SecurityGroups(this, 'security-groups', context, { vpcId: network.vpc.id });
    const loadBalancer = new LoadBalancer(this, 'load-balancer', context, {
      vpcId: network.vpc.id,
      publicSubnetIds: network.publicSubnetIds,
      securityGroupId: securityGroups.loadBalancer.id,
    });
    const scheme = settings.certificate_arn ? 'https' : 'http';
    const webUiUrl = `${scheme}://${settings.web_ui_domain_name ?? loadBalancer.alb.dnsName}`;
    const webOrigins = [`${scheme}://${loadBalancer.alb.dnsName}`];
    if (settings.web_ui_domain_name) webOrigins.push(`https://${settings.web_ui_domain_name}`);

    // Storage, queues (S3 may notify the first two), tables.
    const storage = new Storage(this, 'storage', context, { webOrigins });
    const chunking = new WorkQueue(this, 'chunking-queue', context, {
      name: names.queue('chunking'),
      deadLetterName: names.deadLetterQueue('chunking'),
      settings: QUEUE_SETTINGS.chunking,
      extraStatements: s3MaySend(context, storage.input.arn),
    });
    const videoWork = new WorkQueue(this, 'video-worker-queue', context, {
      name: names.queue('video-worker'),
      deadLetterName: names.deadLetterQueue('video-worker'),
      settings: QUEUE_SETTINGS['video-worker'],
      extraStatements: s3MaySend(context, storage.input.arn),
    });
    const reassembly = new WorkQueue(this, 'reassembly-queue', context, {
      name: names.queue('reassembly'),
      deadLetterName: names.deadLetterQueue('reassembly'),
      settings: QUEUE_SETTINGS.reassembly,
    });
    inputNotifications(this, storage, {
      chunking: { arn: chunking.queue.arn, policy: chunking.queuePolicy },
      videoWorker: { arn: videoWork.queue.arn, policy: videoWork.queuePolicy },
    });
    const tables = new Tables(this, 'tables', context);

    const resources: PipelineResources = {
      INPUT_BUCKET_NAME: storage.input.bucket.bucket,
      OUTPUT_BUCKET_NAME: storage.output.bucket.bucket,
      JOBS_TABLE_NAME: tables.jobs.name,
      SEGMENT_COMPLETIONS_TABLE_NAME: tables.segmentCompletions.name,
      REASSEMBLY_TRIGGERED_TABLE_NAME: tables.reassemblyTriggered.name,
      CHUNKING_QUEUE_URL: chunking.queue.url,
      VIDEO_WORKER_QUEUE_URL: videoWork.queue.url,
      REASSEMBLY_QUEUE_URL: reassembly.queue.url,
      CHUNKING_DLQ_URL: chunking.deadLetter.url,
      VIDEO_WORKER_DLQ_URL: videoWork.deadLetter.url,
      REASSEMBLY_DLQ_URL: reassembly.deadLetter.url,
    };

    const trigger = new ReassemblyTrigger(this, 'reassembly-trigger', context, {
      jobs: tables.jobs,
      segmentCompletions: tables.segmentCompletions,
      reassemblyTriggered: tables.reassemblyTriggered,
      reassemblyQueue: reassembly.queue,
      environment: reassemblyTriggerEnvironment(resources),
      ...(options.lambdaEntry ? { entry: options.lambdaEntry } : {}),
    });
    this.lambdaEntry = trigger.entry;

    // Images, the inference image's build, and the inference endpoint.
    const images = new ImageRepositories(this, 'images', context);
    const inferenceBuild = new InferenceBuild(this, 'inference-build', context, {
      repository: images.repositories['stereocrafter-sagemaker'],
    });
    const hfToken = settings.hf_token_secret
      ? new SecretsmanagerSecret(this, 'hf-token', {
          name: names.hfTokenSecret,
          description: 'Hugging Face token for the inference image: {"token": "..."}',
          recoveryWindowInDays: settings.secret_recovery_window_days,
        })
      : undefined;
    const sagemaker =
      settings.inference_backend === 'sagemaker'
        ? new SageMakerInference(this, 'sagemaker', context, {
            repository: images.repositories['stereocrafter-sagemaker'],
            input: storage.input,
            output: storage.output,
            ...(hfToken ? { hfTokenSecretArn: hfToken.arn } : {}),
          })
        : undefined;

    // ECS: the web UI behind the load balancer, the workers scaled on their queues.
    const cluster = new EcsCluster(this, 'cluster', {
      name: names.cluster,
      // Container Insights publishes RunningTaskCount, which the queue-depth scaling divides by.
      setting: [{ name: 'containerInsights', value: 'enabled' }],
    });
    const targets: PermissionTargets = {
      inputBucketArn: storage.input.arn,
      outputBucketArn: storage.output.arn,
      jobsTableArn: tables.jobs.arn,
      segmentCompletionsTableArn: tables.segmentCompletions.arn,
      reassemblyTriggeredTableArn: tables.reassemblyTriggered.arn,
      chunkingQueueArn: chunking.queue.arn,
      videoWorkerQueueArn: videoWork.queue.arn,
      reassemblyQueueArn: reassembly.queue.arn,
      clusterTasksArn: arnOf(context, 'ecs', `task/${names.cluster}/*`),
      ...(sagemaker
        ? { sagemakerEndpointArn: arnOf(context, 'sagemaker', `endpoint/${names.endpoint}`) }
        : {}),
    };
    // Until an image tag is given the repositories are empty: nothing is started.
    const imageTag = settings.ecs_image_tag ?? 'latest';
    const image = (app: 'web-ui' | 'media-worker' | 'video-worker') =>
      `${images.repositories[app].repositoryUrl}:${imageTag}`;
    const common = { cluster, subnetIds: network.privateSubnetIds };

    const webUi = new FargateService(this, 'web-ui', context, {
      ...common,
      app: 'web-ui',
      image: image('web-ui'),
      repositoryArn: images.repositories['web-ui'].arn,
      cpu: 512,
      memory: 1024,
      environment: webUiEnvironment(settings, resources, webUiUrl),
      ...(settings.web_ui_auth_secret_arn
        ? { secrets: { WEB_UI_AUTH_TOKEN: settings.web_ui_auth_secret_arn } }
        : {}),
      taskStatements: webUiPermissions(targets),
      securityGroupIds: [securityGroups.webUi.id],
      desiredCount: settings.ecs_image_tag ? settings.web_ui_desired_count : 0,
      autoscaled: false,
      port: WEB_UI_PORT,
      healthCheckCommand: WEB_UI_HEALTH_CHECK,
      loadBalancer: {
        targetGroupArn: loadBalancer.targetGroup.arn,
        containerName: 'web-ui',
        containerPort: WEB_UI_PORT,
      },
      dependsOn: loadBalancer.listeners,
    });

    const mediaWorker = new FargateService(this, 'media-worker', context, {
      ...common,
      app: 'media-worker',
      image: image('media-worker'),
      repositoryArn: images.repositories['media-worker'].arn,
      cpu: 2048,
      memory: 4096,
      ephemeralStorageGiB: 100,
      environment: mediaWorkerEnvironment(settings, resources),
      taskStatements: mediaWorkerPermissions(targets),
      securityGroupIds: [securityGroups.mediaWorker.id],
      desiredCount: 0,
      autoscaled: true,
      stopTimeoutSeconds: WORKER_STOP_TIMEOUT_SECONDS,
    });
    const videoWorker = new FargateService(this, 'video-worker', context, {
      ...common,
      app: 'video-worker',
      image: image('video-worker'),
      repositoryArn: images.repositories['video-worker'].arn,
      cpu: 1024,
      memory: 2048,
      ephemeralStorageGiB: 50,
      environment: videoWorkerEnvironment(settings, resources, names.endpoint),
      ...(settings.inference_backend === 'http' && settings.inference_shared_secret_arn
        ? { secrets: { INFERENCE_SHARED_SECRET: settings.inference_shared_secret_arn } }
        : {}),
      taskStatements: videoWorkerPermissions(targets),
      securityGroupIds: [securityGroups.videoWorker.id],
      desiredCount: 0,
      autoscaled: true,
      stopTimeoutSeconds: WORKER_STOP_TIMEOUT_SECONDS,
    });
    new QueueDepthScaling(this, 'media-worker-scaling', {
      clusterName: names.cluster,
      serviceName: names.service('media-worker'),
      queueNames: [names.queue('chunking'), names.queue('reassembly')],
      maxCapacity: settings.ecs_media_worker_max_capacity,
      service: mediaWorker.service,
    });
    new QueueDepthScaling(this, 'video-worker-scaling', {
      clusterName: names.cluster,
      serviceName: names.service('video-worker'),
      queueNames: [names.queue('video-worker')],
      maxCapacity: videoWorkerMaxCapacity(settings),
      service: videoWorker.service,
    });

    // Outputs: every name the runbooks, the apps and the image targets read from .env.
    output('aws_region', settings.region);
    output('name_prefix', settings.name_prefix);
    for (const [variable, value] of Object.entries(resources))
      output(variable.toLowerCase() as OutputName, value);
    output('reassembly_trigger_failures_queue_url', trigger.failures.url);
    output('ecs_cluster_name', cluster.name);
    output('web_ui_service_name', webUi.service.name);
    output('media_worker_service_name', mediaWorker.service.name);
    output('video_worker_service_name', videoWorker.service.name);
    output('reassembly_trigger_function_name', trigger.function.functionName);
    output('web_ui_url', webUiUrl, 'Open this in a browser');
    output('web_ui_ecr_url', images.repositories['web-ui'].repositoryUrl);
    output('media_worker_ecr_url', images.repositories['media-worker'].repositoryUrl);
    output('video_worker_ecr_url', images.repositories['video-worker'].repositoryUrl);
    output('stereocrafter_sagemaker_ecr_url', images.repositories['stereocrafter-sagemaker'].repositoryUrl);
    output('codebuild_project_name', inferenceBuild.project.name);
    output('codebuild_source_bucket', inferenceBuild.sourceBucket.bucket.bucket);
    output('codebuild_source_key', CODEBUILD_SOURCE_KEY);
    output('web_ui_log_group', webUi.logGroup.name);
    output('media_worker_log_group', mediaWorker.logGroup.name);
    output('video_worker_log_group', videoWorker.logGroup.name);
    output('reassembly_trigger_log_group', trigger.logGroup.name);
    output('codebuild_log_group', inferenceBuild.logGroup.name);
    output('inference_backend', settings.inference_backend);
    output('segment_duration_seconds', settings.segment_duration_seconds);
    if (sagemaker) {
      output('sagemaker_endpoint_name', names.endpoint);
      output('sagemaker_execution_role_arn', sagemaker.executionRole.arn);
      output('sagemaker_log_group', sagemaker.logGroup.name);
      output('sagemaker_async_output_s3_uri', sagemaker.asyncOutputPath);
      output('sagemaker_async_failure_s3_uri', sagemaker.asyncFailurePath);
      output('sagemaker_instance_type', settings.sagemaker_instance_type);
      output('sagemaker_instance_count', settings.sagemaker_instance_count);
    }
    if (settings.inference_http_url && settings.inference_backend === 'http') {
      output('inference_http_url', settings.inference_http_url);
    }
    if (hfToken) output('hf_token_arn', hfToken.arn);
    if (alarmTopic) output('alarm_topic_arn', alarmTopic.arn);
  }

  /**
   * Where DLQ alarms go. Not KMS-encrypted: CloudWatch cannot publish to a topic encrypted with
   * the AWS-managed SNS key, and alarm notifications carry no job data.
   */
  private alarmTopic(name: string, email: string): SnsTopic {
    const topic = new SnsTopic(this, 'alarms', { name });
    new SnsTopicSubscription(this, 'alarm-email', {
      topicArn: topic.arn,
      protocol: 'email',
      endpoint: email,
    });
    return topic;
  }
}

/** Local state next to the package by default; S3 with locking when configured. */
function configureBackend(stack: TerraformStack, settings: StackSettings): void {
  // (The settings schema requires state_bucket with the s3 backend.)
  if (settings.state_backend === 's3' && settings.state_bucket) {
    const backend = new S3Backend(stack, {
      bucket: settings.state_bucket,
      key: settings.state_key,
      region: settings.state_region ?? settings.region,
      encrypt: true,
      ...(settings.state_dynamodb_table ? { dynamodbTable: settings.state_dynamodb_table } : {}),
    });
    // Terraform ≥ 1.10 locks with a lock object next to the state; cdktf 0.21 predates the option.
    if (settings.state_lockfile) backend.addOverride('use_lockfile', true);
    return;
  }
  // Relative to the stack's directory (cdktf.out/stacks/<name>): packages/aws-infra/.
  new LocalBackend(stack, { path: `../../../terraform.${settings.name_prefix}.tfstate` });
}
