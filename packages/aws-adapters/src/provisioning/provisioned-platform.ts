import type { AwsPlatformConfig } from '@stereo-spot/config';
import { createAwsClients, type StaticCredentials } from '../clients';
import { createAwsPlatform, type AwsPlatform, type CreateAwsPlatformOptions } from '../platform';
import {
  provisionPipelineResources,
  type ProvisionedPipeline,
  type ProvisionOptions,
} from './pipeline-resources';

/** An endpoint that starts empty, e.g. a `MotoServer` from @stereo-spot/aws-emulator. */
export interface EmulatorEndpoint {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: StaticCredentials;
}

export interface ProvisionedPlatform {
  /** Every port over the provisioned resources (close it when done). */
  readonly platform: AwsPlatform;
  /** The configuration the platform was opened with (what an `ops` process would load). */
  readonly config: AwsPlatformConfig;
  readonly provisioned: ProvisionedPipeline;
}

/**
 * Creates the pipeline's resources on an emulator (`provisionPipelineResources`) and opens the
 * platform over all of them, as a process given every resource variable would. For tests that
 * drive the AWS adapters on moto_server; give each test its own `prefix` to keep them apart.
 */
export async function provisionAwsPlatform(
  emulator: EmulatorEndpoint,
  options: ProvisionOptions & Pick<CreateAwsPlatformOptions, 'clock'>,
): Promise<ProvisionedPlatform> {
  const { clock, ...provisionOptions } = options;
  const clients = createAwsClients({
    region: emulator.region,
    endpoint: emulator.endpoint,
    credentials: emulator.credentials,
  });
  const provisioned = await provisionPipelineResources(clients, provisionOptions).finally(() =>
    clients.destroy(),
  );
  const config: AwsPlatformConfig = {
    kind: 'aws',
    region: emulator.region,
    endpointUrl: emulator.endpoint,
    resources: provisioned.env,
  };
  const platform = await createAwsPlatform(config, {
    credentials: emulator.credentials,
    ...(clock !== undefined ? { clock } : {}),
  });
  return { platform, config, provisioned };
}
