import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { type StackContext } from '../context';

export const VPC_CIDR = '10.40.0.0/16';
const AZ_COUNT = 2;

/**
 * VPC with public subnets for the load balancer and the NAT gateway, private subnets for the
 * tasks, and gateway endpoints so S3 and DynamoDB traffic (the bulk: video bytes) never crosses
 * the NAT gateway. One NAT gateway keeps the bill small; tasks in both AZs share it.
 */
export class Network extends Construct {
  readonly vpc: Vpc;
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];

  constructor(scope: Construct, id: string, context: StackContext) {
    super(scope, id);
    const { names } = context;
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

    const natAddress = new Eip(this, 'nat-address', { domain: 'vpc', tags: { Name: `${names.prefix}-nat` } });
    const [natSubnet] = publicSubnets as [Subnet, ...Subnet[]];
    const nat = new NatGateway(this, 'nat', {
      allocationId: natAddress.id,
      subnetId: natSubnet.id,
      tags: { Name: names.prefix },
      dependsOn: [internet],
    });
    const privateRoutes = new RouteTable(this, 'private-routes', {
      vpcId: this.vpc.id,
      tags: { Name: `${names.prefix}-private` },
    });
    new Route(this, 'private-default', {
      routeTableId: privateRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      natGatewayId: nat.id,
    });

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
          routeTableId: privateRoutes.id,
        }),
    );

    for (const service of ['s3', 'dynamodb']) {
      new VpcEndpoint(this, `${service}-endpoint`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${context.region}.${service}`,
        vpcEndpointType: 'Gateway',
        routeTableIds: [privateRoutes.id],
        tags: { Name: `${names.prefix}-${service}` },
      });
    }

    this.publicSubnetIds = publicSubnets.map((subnet) => subnet.id);
    this.privateSubnetIds = privateSubnets.map((subnet) => subnet.id);
  }
}
