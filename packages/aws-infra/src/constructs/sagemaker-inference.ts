import { createHash } from 'node:crypto';
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { type EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { SagemakerEndpoint } from '@cdktf/provider-aws/lib/sagemaker-endpoint';
import { SagemakerEndpointConfiguration } from '@cdktf/provider-aws/lib/sagemaker-endpoint-configuration';
import { SagemakerModel } from '@cdktf/provider-aws/lib/sagemaker-model';
import { Construct } from 'constructs';
import { SAGEMAKER_ASYNC_PREFIX, SAGEMAKER_INVOCATIONS_PER_INSTANCE, SAGEMAKER_SCALING } from '../constants';
import { type StackContext } from '../context';
import { allow, ECR_PULL, ecrAuthorizationToken } from '../iam';
import { type PrivateBucket } from './private-bucket';
import { WorkloadRole } from './workload-role';

/**
 * SageMaker names: letters, digits and dashes, at most 63 characters. The model and the endpoint
 * configuration cannot be changed in place, and they are replaced create-before-destroy, so their
 * names carry a digest of everything that forces a replacement (not only the image tag): a new
 * iw3_env, secret, role or instance type gives a new name instead of "already exists".
 */
export const sagemakerResourceName = (prefix: string, imageTag: string, replacedBy: unknown): string => {
  const digest = createHash('sha256').update(JSON.stringify(replacedBy)).digest('hex').slice(0, 8);
  const tag = imageTag.replace(/[^A-Za-z0-9]+/g, '-');
  return `${`${prefix}-inference-${tag}`.slice(0, 63 - 9).replace(/-+$/, '')}-${digest}`;
};

export interface SageMakerInferenceProps {
  readonly repository: EcrRepository;
  readonly input: PrivateBucket;
  readonly output: PrivateBucket;
  /** Secrets Manager secret with the Hugging Face token, when configured. */
  readonly hfTokenSecretArn?: string;
}

/**
 * The asynchronous SageMaker endpoint that runs iw3 on a GPU.
 *
 * First-apply problem: an endpoint needs an image that exists in ECR, and the image is built by
 * the CodeBuild project this same stack creates. So the execution role and the log group always
 * exist, but the model, the endpoint configuration and the endpoint are created only once
 * `sagemaker_image_tag` names a pushed image. Later image rollouts go through `sagemaker-deploy`
 * (new model + endpoint configuration, UpdateEndpoint), so Terraform ignores the endpoint's
 * configuration name after creating it.
 */
export class SageMakerInference extends Construct {
  readonly executionRole: WorkloadRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly endpoint?: SagemakerEndpoint;
  readonly asyncOutputPath: string;
  readonly asyncFailurePath: string;

  constructor(scope: Construct, id: string, context: StackContext, props: SageMakerInferenceProps) {
    super(scope, id);
    const { names, settings } = context;
    const outputBucket = props.output.bucket.bucket;
    this.asyncOutputPath = `s3://${outputBucket}/${SAGEMAKER_ASYNC_PREFIX}responses/`;
    this.asyncFailurePath = `s3://${outputBucket}/${SAGEMAKER_ASYNC_PREFIX}failures/`;

    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: names.sagemakerLogGroup,
      retentionInDays: settings.log_retention_days,
    });
    this.executionRole = new WorkloadRole(this, 'role', {
      name: names.role('inference'),
      service: 'sagemaker.amazonaws.com',
      description: 'SageMaker inference container: pull its image, read segments, write converted segments',
      statements: [
        ecrAuthorizationToken(),
        allow(ECR_PULL, [props.repository.arn], 'PullImage'),
        allow(
          ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          [this.logGroup.arn, `${this.logGroup.arn}:*`],
          'Logs',
        ),
        {
          Sid: 'MetricsHaveNoResourceLevelPermission',
          Effect: 'Allow',
          Action: ['cloudwatch:PutMetricData'],
          Resource: ['*'],
          Condition: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*', 'stereo-spot*'] } },
        },
        allow(['s3:GetObject'], [`${props.input.arn}/segments/*`], 'ReadSourceSegments'),
        // PutObjectTagging: the writer may set the segment-output expiry tag with the upload.
        allow(
          ['s3:PutObject', 's3:PutObjectTagging', 's3:GetObject'],
          [`${props.output.arn}/jobs/*/segments/*`],
          'WriteConvertedSegments',
        ),
        allow(
          ['s3:GetObject', 's3:PutObject'],
          [`${props.output.arn}/${SAGEMAKER_ASYNC_PREFIX}*`],
          'AsyncRequestsAndResponses',
        ),
        allow(['s3:ListBucket'], [props.input.arn, props.output.arn], 'HeadMissingObjectsAs404'),
        ...(props.hfTokenSecretArn
          ? [
              // DescribeSecret: the server starts without a token while the secret holds no value yet.
              allow(
                ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
                [props.hfTokenSecretArn],
                'HuggingFaceToken',
              ),
            ]
          : []),
      ],
    });

    const imageTag = settings.sagemaker_image_tag;
    if (imageTag === undefined) return;

    const environment = {
      INFERENCE_ENGINE: 'iw3',
      LOG_LEVEL: 'info',
      AWS_REGION: settings.region,
      // SageMaker reaches the container on 0.0.0.0:8080 and authenticates callers with IAM;
      // the server refuses that address without INFERENCE_AUTH=sagemaker (docs/security.md).
      HOST: '0.0.0.0',
      INFERENCE_AUTH: 'sagemaker',
      // The only buckets its s3:// URIs may name.
      INPUT_BUCKET_NAME: props.input.bucket.bucket,
      OUTPUT_BUCKET_NAME: outputBucket,
      ...settings.iw3_env,
      ...(props.hfTokenSecretArn ? { HF_TOKEN_ARN: props.hfTokenSecretArn } : {}),
    };
    // What replaces the model, as literals (references are tokens at synth time): the image, its
    // environment, the secret and the execution role by name.
    const modelInputs = {
      imageTag,
      environment: { ...settings.iw3_env, region: settings.region },
      hfTokenSecret: props.hfTokenSecretArn ? names.hfTokenSecret : null,
      role: names.role('inference'),
      buckets: [names.prefix, settings.region],
    };
    const model = new SagemakerModel(this, 'model', {
      name: sagemakerResourceName(names.prefix, imageTag, modelInputs),
      executionRoleArn: this.executionRole.arn,
      primaryContainer: {
        image: `${props.repository.repositoryUrl}:${imageTag}`,
        environment,
      },
      dependsOn: [this.executionRole.policy],
      lifecycle: { createBeforeDestroy: true },
    });
    const variant = {
      variantName: 'AllTraffic',
      instanceType: settings.sagemaker_instance_type,
      initialInstanceCount: settings.sagemaker_instance_count,
      // The host's NVIDIA driver must run the image's CUDA 12.x wheels (docs/deploy.md, settings).
      inferenceAmiVersion: settings.sagemaker_inference_ami_version,
    };
    const endpointConfiguration = new SagemakerEndpointConfiguration(this, 'endpoint-configuration', {
      name: sagemakerResourceName(names.prefix, imageTag, {
        model: modelInputs,
        variant,
        invocationsPerInstance: SAGEMAKER_INVOCATIONS_PER_INSTANCE,
        asyncPrefix: SAGEMAKER_ASYNC_PREFIX,
      }),
      productionVariants: [{ ...variant, modelName: model.name }],
      asyncInferenceConfig: {
        outputConfig: { s3OutputPath: this.asyncOutputPath, s3FailurePath: this.asyncFailurePath },
        // One GPU job at a time per instance: iw3 uses the whole GPU.
        clientConfig: { maxConcurrentInvocationsPerInstance: SAGEMAKER_INVOCATIONS_PER_INSTANCE },
      },
      lifecycle: { createBeforeDestroy: true },
    });
    this.endpoint = new SagemakerEndpoint(this, 'endpoint', {
      name: names.endpoint,
      endpointConfigName: endpointConfiguration.name,
      dependsOn: [this.logGroup],
      lifecycle: { ignoreChanges: ['endpoint_config_name'] },
    });
    this.scaleOnBacklog(names.endpoint, settings.sagemaker_max_instance_count, this.endpoint);
  }

  /**
   * Instances follow the backlog of asynchronous requests: target tracking on
   * ApproximateBacklogSizePerInstance, down to zero instances when nothing waits (no GPU billed
   * while idle), and a step policy on HasBacklogWithoutCapacity that starts the first instance
   * (target tracking cannot scale out from zero).
   */
  private scaleOnBacklog(endpointName: string, maxCapacity: number, endpoint: SagemakerEndpoint): void {
    const target = new AppautoscalingTarget(this, 'scaling-target', {
      serviceNamespace: 'sagemaker',
      scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      resourceId: `endpoint/${endpointName}/variant/AllTraffic`,
      minCapacity: 0,
      maxCapacity,
      dependsOn: [endpoint],
    });
    const scalable = {
      serviceNamespace: target.serviceNamespace,
      scalableDimension: target.scalableDimension,
      resourceId: target.resourceId,
    };
    new AppautoscalingPolicy(this, 'backlog-per-instance', {
      name: `${endpointName}-backlog-per-instance`,
      policyType: 'TargetTrackingScaling',
      ...scalable,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: SAGEMAKER_SCALING.backlogPerInstance,
        scaleInCooldown: SAGEMAKER_SCALING.scaleInCooldownSeconds,
        scaleOutCooldown: SAGEMAKER_SCALING.scaleOutCooldownSeconds,
        customizedMetricSpecification: {
          metricName: 'ApproximateBacklogSizePerInstance',
          namespace: 'AWS/SageMaker',
          dimensions: [{ name: 'EndpointName', value: endpointName }],
          statistic: 'Average',
        },
      },
    });
    const startFromZero = new AppautoscalingPolicy(this, 'start-from-zero', {
      name: `${endpointName}-start-from-zero`,
      policyType: 'StepScaling',
      ...scalable,
      stepScalingPolicyConfiguration: {
        adjustmentType: 'ChangeInCapacity',
        cooldown: SAGEMAKER_SCALING.scaleOutCooldownSeconds,
        metricAggregationType: 'Average',
        stepAdjustment: [{ metricIntervalLowerBound: '0', scalingAdjustment: 1 }],
      },
    });
    new CloudwatchMetricAlarm(this, 'backlog-without-capacity', {
      alarmName: `${endpointName}-backlog-without-capacity`,
      alarmDescription: `Requests wait for ${endpointName} and no instance runs: start one.`,
      namespace: 'AWS/SageMaker',
      metricName: 'HasBacklogWithoutCapacity',
      dimensions: { EndpointName: endpointName },
      statistic: 'Average',
      period: 60,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'missing',
      alarmActions: [startFromZero.arn],
    });
  }
}
