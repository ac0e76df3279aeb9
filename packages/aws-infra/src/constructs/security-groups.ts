import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';
import { WEB_UI_PORT } from '../constants';
import { type StackContext } from '../context';

/** The TCP port of an http(s) URL (explicit, or 80/443 by scheme). */
export function portOfUrl(url: string): number {
  const parsed = new URL(url);
  if (parsed.port) return Number(parsed.port);
  return parsed.protocol === 'https:' ? 443 : 80;
}

/**
 * Who may talk to whom: the internet reaches only the load balancer (80/443), the load balancer
 * reaches only the web UI's port, the tasks accept nothing and call out on 443 (AWS APIs, ECR),
 * plus the inference server's port for the video-worker with the http backend.
 */
export class SecurityGroups extends Construct {
  readonly loadBalancer: SecurityGroup;
  readonly webUi: SecurityGroup;
  readonly mediaWorker: SecurityGroup;
  readonly videoWorker: SecurityGroup;

  constructor(scope: Construct, id: string, context: StackContext, props: { vpcId: string }) {
    super(scope, id);
    const { names, settings } = context;
    const group = (groupId: string, description: string) =>
      new SecurityGroup(this, groupId, {
        name: `${names.prefix}-${groupId}`,
        description,
        vpcId: props.vpcId,
        tags: { Name: `${names.prefix}-${groupId}` },
      });
    this.loadBalancer = group('load-balancer', 'Internet-facing load balancer of the web UI');
    this.webUi = group('web-ui', 'web-ui tasks: reachable from the load balancer only');
    this.mediaWorker = group('media-worker', 'media-worker tasks: no inbound traffic');
    this.videoWorker = group('video-worker', 'video-worker tasks: no inbound traffic');

    const listenerPorts = settings.certificate_arn ? [80, 443] : [80];
    for (const port of listenerPorts) {
      for (const [family, cidr] of [
        ['ipv4', { cidrIpv4: '0.0.0.0/0' }],
        ['ipv6', { cidrIpv6: '::/0' }],
      ] as const) {
        new VpcSecurityGroupIngressRule(this, `load-balancer-in-${port}-${family}`, {
          securityGroupId: this.loadBalancer.id,
          description: `HTTP${port === 443 ? 'S' : ''} from the internet`,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          ...cidr,
        });
      }
    }
    new VpcSecurityGroupEgressRule(this, 'load-balancer-to-web-ui', {
      securityGroupId: this.loadBalancer.id,
      description: 'to the web UI tasks',
      ipProtocol: 'tcp',
      fromPort: WEB_UI_PORT,
      toPort: WEB_UI_PORT,
      referencedSecurityGroupId: this.webUi.id,
    });
    new VpcSecurityGroupIngressRule(this, 'web-ui-from-load-balancer', {
      securityGroupId: this.webUi.id,
      description: 'from the load balancer',
      ipProtocol: 'tcp',
      fromPort: WEB_UI_PORT,
      toPort: WEB_UI_PORT,
      referencedSecurityGroupId: this.loadBalancer.id,
    });

    const videoWorkerPorts = new Set([443]);
    if (settings.inference_backend === 'http' && settings.inference_http_url) {
      videoWorkerPorts.add(portOfUrl(settings.inference_http_url));
    }
    const outboundPorts: [string, SecurityGroup, Set<number>][] = [
      ['web-ui', this.webUi, new Set([443])],
      ['media-worker', this.mediaWorker, new Set([443])],
      ['video-worker', this.videoWorker, videoWorkerPorts],
    ];
    for (const [groupId, securityGroup, ports] of outboundPorts) {
      for (const port of ports) {
        new VpcSecurityGroupEgressRule(this, `${groupId}-out-${port}`, {
          securityGroupId: securityGroup.id,
          description: port === 443 ? 'HTTPS to AWS APIs and ECR' : 'to the inference server',
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          cidrIpv4: '0.0.0.0/0',
        });
      }
    }
  }
}
