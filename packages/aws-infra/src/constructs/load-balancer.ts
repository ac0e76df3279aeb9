import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { Construct } from 'constructs';
import { ALB_IDLE_TIMEOUT_SECONDS, WEB_UI_HEALTH_PATH, WEB_UI_PORT } from '../constants';
import { type StackContext } from '../context';

/** TLS 1.2+ with TLS 1.3 preferred (AWS's recommended policy). */
export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

export interface LoadBalancerProps {
  readonly vpcId: string;
  readonly publicSubnetIds: readonly string[];
  readonly securityGroupId: string;
}

/**
 * Internet-facing ALB for the web UI. With a certificate: HTTPS on 443 and a redirect from 80;
 * without one: HTTP on 80. The idle timeout is long enough for the SSE progress stream.
 */
export class LoadBalancer extends Construct {
  readonly alb: Lb;
  readonly targetGroup: LbTargetGroup;
  readonly listeners: LbListener[] = [];

  constructor(scope: Construct, id: string, context: StackContext, props: LoadBalancerProps) {
    super(scope, id);
    const { names, settings } = context;
    this.alb = new Lb(this, 'alb', {
      name: names.loadBalancer,
      loadBalancerType: 'application',
      internal: false,
      subnets: [...props.publicSubnetIds],
      securityGroups: [props.securityGroupId],
      dropInvalidHeaderFields: true,
      idleTimeout: ALB_IDLE_TIMEOUT_SECONDS,
    });
    this.targetGroup = new LbTargetGroup(this, 'web-ui', {
      name: names.targetGroup,
      port: WEB_UI_PORT,
      protocol: 'HTTP',
      targetType: 'ip',
      vpcId: props.vpcId,
      deregistrationDelay: '30',
      healthCheck: {
        path: WEB_UI_HEALTH_PATH,
        matcher: '200',
        interval: 15,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
    });
    const forward = [{ type: 'forward', targetGroupArn: this.targetGroup.arn }];

    if (settings.certificate_arn) {
      this.listeners.push(
        new LbListener(this, 'https', {
          loadBalancerArn: this.alb.arn,
          port: 443,
          protocol: 'HTTPS',
          sslPolicy: TLS_POLICY,
          certificateArn: settings.certificate_arn,
          defaultAction: forward,
        }),
        new LbListener(this, 'http-redirect', {
          loadBalancerArn: this.alb.arn,
          port: 80,
          protocol: 'HTTP',
          defaultAction: [
            { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } },
          ],
        }),
      );
    } else {
      this.listeners.push(
        new LbListener(this, 'http', {
          loadBalancerArn: this.alb.arn,
          port: 80,
          protocol: 'HTTP',
          defaultAction: forward,
        }),
      );
    }
  }
}
