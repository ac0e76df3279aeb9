import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { type EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsService, type EcsServiceLoadBalancer } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { type EcsApp } from '../constants';
import { type StackContext } from '../context';
import { allow, ECR_PULL, ecrAuthorizationToken, LOG_WRITE, type PolicyStatement } from '../iam';
import { WorkloadRole } from './workload-role';

export interface FargateServiceProps {
  readonly app: EcsApp;
  readonly cluster: EcsCluster;
  readonly image: string;
  readonly repositoryArn: string;
  /** Fargate CPU units and MiB. */
  readonly cpu: number;
  readonly memory: number;
  /** Task disk in GiB (21–200); video files pass through it. */
  readonly ephemeralStorageGiB?: number;
  readonly environment: Readonly<Record<string, string>>;
  /** Variable name → Secrets Manager secret ARN, resolved by ECS at task start. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** What the app itself may do (the task role). */
  readonly taskStatements: readonly PolicyStatement[];
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly desiredCount: number;
  /** Auto scaling owns the desired count: Terraform sets it once and then leaves it alone. */
  readonly autoscaled: boolean;
  readonly stopTimeoutSeconds?: number;
  readonly port?: number;
  readonly healthCheckCommand?: readonly string[];
  readonly loadBalancer?: EcsServiceLoadBalancer;
  /**
   * Resources the service must wait for, written as `depends_on` on the service itself (ECS
   * refuses a service whose target group has no listener yet; `node.addDependency` on the service
   * does not reach the synthesized JSON).
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * One app as an ECS service on Fargate: its log group, an execution role (pull its image, write
 * its logs, read its secrets), a task role (what the app does), the task definition and the service.
 */
export class FargateService extends Construct {
  readonly service: EcsService;
  readonly taskDefinition: EcsTaskDefinition;
  readonly logGroup: CloudwatchLogGroup;
  readonly taskRole: WorkloadRole;
  readonly executionRole: WorkloadRole;

  constructor(scope: Construct, id: string, context: StackContext, props: FargateServiceProps) {
    super(scope, id);
    const { names, settings } = context;
    const name = names.service(props.app);

    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: names.ecsLogGroup(props.app),
      retentionInDays: settings.log_retention_days,
    });

    const secretArns = Object.values(props.secrets ?? {});
    this.executionRole = new WorkloadRole(this, 'execution-role', {
      name: names.role(`${props.app}-execution`),
      service: 'ecs-tasks.amazonaws.com',
      description: `ECS starts ${props.app} tasks: pull the image, write the logs, read the secrets`,
      statements: [
        ecrAuthorizationToken(),
        allow(ECR_PULL, [props.repositoryArn], 'PullImage'),
        allow(LOG_WRITE, [`${this.logGroup.arn}:*`], 'Logs'),
        ...(secretArns.length > 0 ? [allow(['secretsmanager:GetSecretValue'], secretArns, 'Secrets')] : []),
      ],
    });
    this.taskRole = new WorkloadRole(this, 'task-role', {
      name: names.role(`${props.app}-task`),
      service: 'ecs-tasks.amazonaws.com',
      description: `What the ${props.app} app may do`,
      statements: props.taskStatements,
    });

    const environment = Object.entries(props.environment)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([envName, value]) => ({ name: envName, value }));
    const secrets = Object.entries(props.secrets ?? {}).map(([envName, valueFrom]) => ({
      name: envName,
      valueFrom,
    }));
    const container = {
      name: props.app,
      image: props.image,
      essential: true,
      environment,
      ...(secrets.length > 0 ? { secrets } : {}),
      ...(props.port !== undefined ? { portMappings: [{ containerPort: props.port, protocol: 'tcp' }] } : {}),
      ...(props.healthCheckCommand
        ? {
            healthCheck: {
              command: props.healthCheckCommand,
              interval: 30,
              timeout: 5,
              retries: 3,
              startPeriod: 20,
            },
          }
        : {}),
      ...(props.stopTimeoutSeconds !== undefined ? { stopTimeout: props.stopTimeoutSeconds } : {}),
      // An init process reaps ffmpeg children and forwards SIGTERM to node.
      linuxParameters: { initProcessEnabled: true },
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': this.logGroup.name,
          'awslogs-region': settings.region,
          'awslogs-stream-prefix': props.app,
        },
      },
    };

    this.taskDefinition = new EcsTaskDefinition(this, 'task', {
      family: name,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: String(props.cpu),
      memory: String(props.memory),
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      ...(props.ephemeralStorageGiB !== undefined
        ? { ephemeralStorage: { sizeInGib: props.ephemeralStorageGiB } }
        : {}),
      executionRoleArn: this.executionRole.arn,
      taskRoleArn: this.taskRole.arn,
      containerDefinitions: JSON.stringify([container]),
    });

    this.service = new EcsService(this, 'service', {
      name,
      cluster: props.cluster.arn,
      taskDefinition: this.taskDefinition.arn,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      desiredCount: props.desiredCount,
      enableEcsManagedTags: true,
      propagateTags: 'SERVICE',
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      networkConfiguration: {
        subnets: [...props.subnetIds],
        securityGroups: [...props.securityGroupIds],
        assignPublicIp: false,
      },
      ...(props.loadBalancer
        ? { loadBalancer: [props.loadBalancer], healthCheckGracePeriodSeconds: 30 }
        : {}),
      ...(props.autoscaled ? { lifecycle: { ignoreChanges: ['desired_count'] } } : {}),
      ...(props.dependsOn ? { dependsOn: [...props.dependsOn] } : {}),
    });
  }
}
