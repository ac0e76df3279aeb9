import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { type EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { SagemakerEndpoint } from '@cdktf/provider-aws/lib/sagemaker-endpoint';
import { SagemakerEndpointConfiguration } from '@cdktf/provider-aws/lib/sagemaker-endpoint-configuration';
import { SagemakerModel } from '@cdktf/provider-aws/lib/sagemaker-model';
import { Construct } from 'constructs';
import { SAGEMAKER_ASYNC_PREFIX } from '../constants';
import { type StackContext } from '../context';
import { allow, ECR_PULL, ecrAuthorizationToken } from '../iam';
import { type PrivateBucket } from './private-bucket';
import { WorkloadRole } from './workload-role';

/** SageMaker names: letters, digits and dashes, at most 63 characters. */
export const sagemakerResourceName = (prefix: string, imageTag: string): string =>
  `${prefix}-inference-tf-${imageTag.replace(/[^A-Za-z0-9]+/g, '-')}`.slice(0, 63).replace(/-+$/, '');

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
          ? [allow(['secretsmanager:GetSecretValue'], [props.hfTokenSecretArn], 'HuggingFaceToken')]
          : []),
      ],
    });

    const imageTag = settings.sagemaker_image_tag;
    if (imageTag === undefined) return;

    const resourceName = sagemakerResourceName(names.prefix, imageTag);
    const model = new SagemakerModel(this, 'model', {
      name: resourceName,
      executionRoleArn: this.executionRole.arn,
      primaryContainer: {
        image: `${props.repository.repositoryUrl}:${imageTag}`,
        environment: {
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
        },
      },
      dependsOn: [this.executionRole.policy],
      lifecycle: { createBeforeDestroy: true },
    });
    const endpointConfiguration = new SagemakerEndpointConfiguration(this, 'endpoint-configuration', {
      name: resourceName,
      productionVariants: [
        {
          variantName: 'AllTraffic',
          modelName: model.name,
          instanceType: settings.sagemaker_instance_type,
          initialInstanceCount: settings.sagemaker_instance_count,
        },
      ],
      asyncInferenceConfig: {
        outputConfig: { s3OutputPath: this.asyncOutputPath, s3FailurePath: this.asyncFailurePath },
        // One GPU job at a time per instance: iw3 uses the whole GPU.
        clientConfig: { maxConcurrentInvocationsPerInstance: 1 },
      },
      lifecycle: { createBeforeDestroy: true },
    });
    this.endpoint = new SagemakerEndpoint(this, 'endpoint', {
      name: names.endpoint,
      endpointConfigName: endpointConfiguration.name,
      dependsOn: [this.logGroup],
      lifecycle: { ignoreChanges: ['endpoint_config_name'] },
    });
  }
}
