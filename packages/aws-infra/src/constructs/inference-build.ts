import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CodebuildProject } from '@cdktf/provider-aws/lib/codebuild-project';
import { type EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { Construct } from 'constructs';
import { CODEBUILD_SOURCE_KEY, INFERENCE_BUILDSPEC } from '../constants';
import { type StackContext } from '../context';
import { allow, ECR_PUSH, ecrAuthorizationToken, LOG_WRITE } from '../iam';
import { PrivateBucket } from './private-bucket';
import { WorkloadRole } from './workload-role';

/**
 * The CodeBuild project that builds the inference image (CUDA + PyTorch + iw3: too big and too
 * slow for a laptop) from a snapshot of the repository uploaded to its source bucket, with
 * `docker/stereocrafter-sagemaker/buildspec.yml`, and pushes it to ECR.
 */
export class InferenceBuild extends Construct {
  readonly project: CodebuildProject;
  readonly sourceBucket: PrivateBucket;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, context: StackContext, props: { repository: EcrRepository }) {
    super(scope, id);
    const { names, settings } = context;
    this.sourceBucket = new PrivateBucket(this, 'sources', {
      bucketName: `${names.prefix}-build-sources-${context.accountId}-${settings.region}`,
      forceDestroy: settings.force_destroy,
    });
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: names.codebuildLogGroup,
      retentionInDays: settings.log_retention_days,
    });
    const role = new WorkloadRole(this, 'role', {
      name: names.role('inference-build'),
      service: 'codebuild.amazonaws.com',
      description: 'CodeBuild: read the source snapshot, build the inference image, push it to ECR',
      statements: [
        allow(LOG_WRITE, [`${this.logGroup.arn}:*`], 'Logs'),
        allow(['s3:GetObject', 's3:GetObjectVersion'], [`${this.sourceBucket.arn}/*`], 'ReadSource'),
        allow(['s3:GetBucketLocation', 's3:GetBucketAcl'], [this.sourceBucket.arn], 'SourceBucket'),
        ecrAuthorizationToken(),
        allow(ECR_PUSH, [props.repository.arn], 'PushImage'),
      ],
    });

    this.project = new CodebuildProject(this, 'project', {
      name: names.codebuildProject,
      description: 'Builds the stereocrafter-sagemaker inference image (iw3 on CUDA) and pushes it to ECR',
      serviceRole: role.arn,
      buildTimeout: 120,
      source: {
        type: 'S3',
        location: `${this.sourceBucket.bucket.bucket}/${CODEBUILD_SOURCE_KEY}`,
        buildspec: INFERENCE_BUILDSPEC,
      },
      artifacts: { type: 'NO_ARTIFACTS' },
      cache: { type: 'LOCAL', modes: ['LOCAL_DOCKER_LAYER_CACHE'] },
      environment: {
        type: 'LINUX_CONTAINER',
        computeType: 'BUILD_GENERAL1_LARGE',
        image: 'aws/codebuild/standard:7.0',
        // Docker builds need the privileged mode.
        privilegedMode: true,
        environmentVariable: [
          { name: 'ECR_REPOSITORY_URI', value: props.repository.repositoryUrl },
          { name: 'IMAGE_TAG', value: 'latest' },
          { name: 'AWS_ACCOUNT_ID', value: context.accountId },
        ],
      },
      logsConfig: { cloudwatchLogs: { groupName: this.logGroup.name, status: 'ENABLED' } },
      dependsOn: [role.policy],
    });
  }
}
