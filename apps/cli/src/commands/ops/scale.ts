/**
 * `stereo-spot ops scale <media-worker|video-worker> --desired N`: a temporary ECS desired count
 * (UpdateService). Application Auto Scaling owns the desired count of these services and may set
 * it back at its next evaluation; the command says so before acting.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { deploymentLookup, type Lookup } from './aws-env';
import { EXIT_DONE, EXIT_ERROR, EXIT_REFUSED, runOps, type OpsIo, type OpsPlatform } from './context';

export const SCALABLE_SERVICES = ['media-worker', 'video-worker'] as const;
export type ScalableService = (typeof SCALABLE_SERVICES)[number];

export const AUTOSCALING_WARNING =
  'warning: auto scaling manages this desired count (queue-depth target tracking between its min and max); ' +
  'it may change it back at its next evaluation. For a lasting change, set the min/max capacity in ' +
  'packages/aws-infra settings and redeploy.';

export function serviceNames(lookup: Lookup, service: ScalableService): { cluster?: string; service?: string } {
  const prefix = lookup('NAME_PREFIX');
  const variable = `${service.toUpperCase().replace(/-/g, '_')}_SERVICE_NAME`;
  const cluster = lookup('ECS_CLUSTER_NAME') ?? prefix;
  const name = lookup(variable) ?? (prefix !== undefined ? `${prefix}-${service}` : undefined);
  return { ...(cluster !== undefined ? { cluster } : {}), ...(name !== undefined ? { service: name } : {}) };
}

export async function scaleService(
  platform: OpsPlatform,
  io: OpsIo,
  service: ScalableService,
  desired: number,
): Promise<number> {
  if (platform.kind !== 'aws' || platform.aws === undefined) {
    io.out('refused: scaling is for ECS services on AWS; embedded, start more `stereo-spot worker` processes');
    return EXIT_REFUSED;
  }
  const names = serviceNames(deploymentLookup(platform.env ?? process.env), service);
  if (names.cluster === undefined || names.service === undefined) {
    io.out('ECS_CLUSTER_NAME and the service name are unknown: set NAME_PREFIX or run terraform-output');
    return EXIT_ERROR;
  }
  io.out(AUTOSCALING_WARNING);
  if (!(await io.confirm(`Set the desired count of ${names.service} (cluster ${names.cluster}) to ${desired}?`))) {
    io.out('nothing changed');
    return EXIT_REFUSED;
  }
  const { ECSClient, UpdateServiceCommand } = await import('@aws-sdk/client-ecs');
  const client = new ECSClient({
    region: platform.aws.region,
    ...(platform.aws.endpointUrl !== undefined ? { endpoint: platform.aws.endpointUrl } : {}),
  });
  try {
    const updated = await client.send(
      new UpdateServiceCommand({ cluster: names.cluster, service: names.service, desiredCount: desired }),
    );
    io.out(
      `${names.service}: desired count set to ${updated.service?.desiredCount ?? desired} ` +
        `(running ${updated.service?.runningCount ?? '?'})`,
    );
    return EXIT_DONE;
  } finally {
    client.destroy();
  }
}

function count(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('a whole number ≥ 0');
  return parsed;
}

export function scaleCommand(): Command {
  return new Command('scale')
    .description('Set the desired task count of an ECS worker service for now (auto scaling may change it back).')
    .addArgument(new Command().createArgument('<service>', SCALABLE_SERVICES.join(' | ')).choices([...SCALABLE_SERVICES]))
    .addOption(new Option('--desired <n>', 'desired task count').argParser(count).makeOptionMandatory())
    .option('-y, --yes', 'do not ask for confirmation')
    .action((service: ScalableService, options: { desired: number; yes?: boolean }) =>
      runOps(options.yes, (platform, io) => scaleService(platform, io, service, options.desired)),
    );
}
