import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { type StackContext } from '../context';

export const VPC_CIDR = '10.40.0.0/16';
const AZ_COUNT = 2;

/** Interface endpoints (`interface_endpoints`): what the tasks call besides S3 and DynamoDB. */
export const INTERFACE_ENDPOINT_SERVICES = [
  'ecr.api',
  'ecr.dkr',
  'logs',
  'sqs',
  'sagemaker.runtime',
  'secretsmanager',
  'monitoring',
] as const;

/**
 * VPC with public subnets for the load balancer and the NAT gateway(s), private subnets for the
 * tasks, and gateway endpoints so S3 and DynamoDB traffic (the bulk: video bytes) never crosses
 * a NAT gateway. By default one NAT gateway (the smallest bill; both AZs share it, so its zone is
 * a single point of failure); `nat_gateway_per_zone` gives each zone its own and its own route
 * table. `interface_endpoints` adds PrivateLink endpoints for ECR, Logs, SQS, the SageMaker
 * runtime, Secrets Manager and CloudWatch, so that traffic stays off the NAT gateway too.
 */
export class Network extends Construct {
  readonly vpc: Vpc;
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];

  constructor(scope: Construct, id: string, context: StackContext) {
    super(scope, id);
    const { names, settings } = context;
    const zones = new DataAwsAvailabilityZones(this, 'zones', { state: 'available' });
    this.vpc = new Vpc(this, 'vpc', {
      cidrBlock: VPC_CIDR,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: names.prefix },
    });

    const internet = new InternetGateway(this, 'internet', {
      vpcId: this.vpc.id,
      tags: { Name: names.prefix },
    });
    const publicRoutes = new RouteTable(this, 'public-routes', {
      vpcId: this.vpc.id,
      tags: { Name: `${names.prefix}-public` },
    });
    new Route(this, 'public-default', {
      routeTableId: publicRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: internet.id,
    });

    const publicSubnets: Subnet[] = [];
    const privateSubnets: Subnet[] = [];
    for (let i = 0; i < AZ_COUNT; i += 1) {
      const availabilityZone = Fn.element(zones.names, i);
      publicSubnets.push(
        new Subnet(this, `public-${i}`, {
          vpcId: this.vpc.id,
          availabilityZone,
          cidrBlock: `10.40.${i}.0/24`,
          mapPublicIpOnLaunch: false,
          tags: { Name: `${names.prefix}-public-${i}` },
        }),
      );
      privateSubnets.push(
        new Subnet(this, `private-${i}`, {
          vpcId: this.vpc.id,
          availabilityZone,
          cidrBlock: `10.40.${16 + i * 16}.0/20`,
          tags: { Name: `${names.prefix}-private-${i}` },
        }),
      );
    }

    // Zone i's private subnet routes through NAT gateway i, or through the single one (index 0).
    const natCount = settings.nat_gateway_per_zone ? AZ_COUNT : 1;
    const privateRouteTables: RouteTable[] = [];
    publicSubnets.slice(0, natCount).forEach((natSubnet, i) => {
      const suffix = i === 0 ? '' : `-${i}`;
      const natAddress = new Eip(this, `nat-address${suffix}`, {
        domain: 'vpc',
        tags: { Name: `${names.prefix}-nat${suffix}` },
      });
      const nat = new NatGateway(this, `nat${suffix}`, {
        allocationId: natAddress.id,
        subnetId: natSubnet.id,
        tags: { Name: `${names.prefix}${suffix}` },
        dependsOn: [internet],
      });
      const routes = new RouteTable(this, `private-routes${suffix}`, {
        vpcId: this.vpc.id,
        tags: { Name: `${names.prefix}-private${suffix}` },
      });
      new Route(this, `private-default${suffix}`, {
        routeTableId: routes.id,
        destinationCidrBlock: '0.0.0.0/0',
        natGatewayId: nat.id,
      });
      privateRouteTables.push(routes);
    });
    const [sharedRoutes] = privateRouteTables as [RouteTable, ...RouteTable[]];

    publicSubnets.forEach(
      (subnet, i) =>
        new RouteTableAssociation(this, `public-${i}-routes`, {
          subnetId: subnet.id,
          routeTableId: publicRoutes.id,
        }),
    );
    privateSubnets.forEach(
      (subnet, i) =>
        new RouteTableAssociation(this, `private-${i}-routes`, {
          subnetId: subnet.id,
          routeTableId: (privateRouteTables[i] ?? sharedRoutes).id,
        }),
    );

    for (const service of ['s3', 'dynamodb']) {
      new VpcEndpoint(this, `${service}-endpoint`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${context.region}.${service}`,
        vpcEndpointType: 'Gateway',
        routeTableIds: privateRouteTables.map((table) => table.id),
        tags: { Name: `${names.prefix}-${service}` },
      });
    }

    this.publicSubnetIds = publicSubnets.map((subnet) => subnet.id);
    this.privateSubnetIds = privateSubnets.map((subnet) => subnet.id);

    if (settings.interface_endpoints) {
      const endpointGroup = new SecurityGroup(this, 'interface-endpoints', {
        name: `${names.prefix}-interface-endpoints`,
        description: 'HTTPS from the VPC to the interface endpoints',
        vpcId: this.vpc.id,
        tags: { Name: `${names.prefix}-interface-endpoints` },
      });
      new VpcSecurityGroupIngressRule(this, 'interface-endpoints-https', {
        securityGroupId: endpointGroup.id,
        description: 'HTTPS from the VPC',
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrIpv4: VPC_CIDR,
      });
      for (const service of INTERFACE_ENDPOINT_SERVICES) {
        new VpcEndpoint(this, `${service.replace('.', '-')}-endpoint`, {
          vpcId: this.vpc.id,
          serviceName: `com.amazonaws.${context.region}.${service}`,
          vpcEndpointType: 'Interface',
          privateDnsEnabled: true,
          subnetIds: this.privateSubnetIds,
          securityGroupIds: [endpointGroup.id],
          tags: { Name: `${names.prefix}-${service}` },
        });
      }
    }
  }
}
