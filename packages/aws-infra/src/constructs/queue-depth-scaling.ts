import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { QUEUE_SCALING } from '../constants';

export interface QueueDepthScalingProps {
  /** Literal names (not references): they also name the policies and metric dimensions. */
  readonly clusterName: string;
  readonly serviceName: string;
  /** Queues whose messages (waiting + in flight) this service works off. */
  readonly queueNames: readonly string[];
  readonly maxCapacity: number;
  readonly service: ITerraformDependable;
}

/**
 * Application Auto Scaling of a worker service between 0 and `maxCapacity` tasks:
 *
 * - target tracking keeps (messages waiting + in flight) / running tasks near
 *   QUEUE_SCALING.messagesPerTask. In-flight messages count, so a task still working is not
 *   scaled in just because nothing is waiting.
 * - target tracking multiplies the current capacity, so it cannot start the first task: a step
 *   policy adds one task when messages exist and no task runs (the service rests at 0).
 */
export class QueueDepthScaling extends Construct {
  readonly target: AppautoscalingTarget;
  readonly targetTracking: AppautoscalingPolicy;
  readonly startFromZero: AppautoscalingPolicy;
  readonly startFromZeroAlarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: QueueDepthScalingProps) {
    super(scope, id);
    const resourceId = `service/${props.clusterName}/${props.serviceName}`;
    this.target = new AppautoscalingTarget(this, 'target', {
      serviceNamespace: 'ecs',
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId,
      minCapacity: 0,
      maxCapacity: props.maxCapacity,
      // The names are literals, so the order comes from here: the service must exist first.
      dependsOn: [props.service],
    });
    const scalable = {
      serviceNamespace: this.target.serviceNamespace,
      scalableDimension: this.target.scalableDimension,
      resourceId: this.target.resourceId,
    };

    const sqsMetric = (metricName: string, queueName: string) => ({
      namespace: 'AWS/SQS',
      metricName,
      dimensions: [{ name: 'QueueName', value: queueName }],
    });
    const queueMetrics = props.queueNames.flatMap((queueName, i) => [
      { id: `visible${i}`, metric: sqsMetric('ApproximateNumberOfMessagesVisible', queueName) },
      { id: `inflight${i}`, metric: sqsMetric('ApproximateNumberOfMessagesNotVisible', queueName) },
    ]);
    const tasksMetric = {
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensions: [
        { name: 'ClusterName', value: props.clusterName },
        { name: 'ServiceName', value: props.serviceName },
      ],
    };
    const messages = queueMetrics.map((metric) => metric.id).join(' + ');
    const waiting = props.queueNames.map((_, i) => `visible${i}`).join(' + ');

    this.targetTracking = new AppautoscalingPolicy(this, 'queue-depth', {
      name: `${props.serviceName}-messages-per-task`,
      policyType: 'TargetTrackingScaling',
      ...scalable,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: QUEUE_SCALING.messagesPerTask,
        scaleOutCooldown: QUEUE_SCALING.scaleOutCooldownSeconds,
        scaleInCooldown: QUEUE_SCALING.scaleInCooldownSeconds,
        customizedMetricSpecification: {
          metrics: [
            ...queueMetrics.map(({ id: metricId, metric }) => ({
              id: metricId,
              metricStat: {
                metric: {
                  namespace: metric.namespace,
                  metricName: metric.metricName,
                  dimensions: metric.dimensions,
                },
                stat: 'Sum',
              },
              returnData: false,
            })),
            { id: 'tasks', metricStat: { metric: tasksMetric, stat: 'Average' }, returnData: false },
            {
              id: 'messages_per_task',
              label: 'queue messages per running task',
              expression: `(${messages}) / tasks`,
              returnData: true,
            },
          ],
        },
      },
    });

    this.startFromZero = new AppautoscalingPolicy(this, 'start-from-zero', {
      name: `${props.serviceName}-start-from-zero`,
      policyType: 'StepScaling',
      ...scalable,
      stepScalingPolicyConfiguration: {
        adjustmentType: 'ChangeInCapacity',
        cooldown: QUEUE_SCALING.scaleOutCooldownSeconds,
        metricAggregationType: 'Maximum',
        stepAdjustment: [{ metricIntervalLowerBound: '0', scalingAdjustment: 1 }],
      },
    });

    const alarmDimensions = (dimensions: readonly { name: string; value: string }[]) =>
      Object.fromEntries(dimensions.map((d) => [d.name, d.value]));
    this.startFromZeroAlarm = new CloudwatchMetricAlarm(this, 'work-without-tasks', {
      alarmName: `${props.serviceName}-work-without-tasks`,
      alarmDescription: `Messages wait for ${props.serviceName} and none of its tasks runs: start one.`,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
      alarmActions: [this.startFromZero.arn],
      metricQuery: [
        ...queueMetrics
          .filter((metric) => metric.id.startsWith('visible'))
          .map(({ id: metricId, metric }) => ({
            id: metricId,
            returnData: false,
            metric: {
              namespace: metric.namespace,
              metricName: metric.metricName,
              dimensions: alarmDimensions(metric.dimensions),
              period: 60,
              stat: 'Sum',
            },
          })),
        {
          id: 'tasks',
          returnData: false,
          metric: {
            namespace: tasksMetric.namespace,
            metricName: tasksMetric.metricName,
            dimensions: alarmDimensions(tasksMetric.dimensions),
            period: 60,
            stat: 'Average',
          },
        },
        {
          id: 'work_without_tasks',
          label: 'messages waiting while no task runs',
          expression: `IF((${waiting}) > 0 AND FILL(tasks, 0) == 0, 1, 0)`,
          returnData: true,
        },
      ],
    });
  }
}
