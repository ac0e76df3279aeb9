import { startMotoServer, type MotoServer } from '@stereo-spot/aws-emulator';
import { uniqueResourcePrefix } from '@stereo-spot/testing';
import { createAwsClients, type AwsClients } from '../../src/clients';

/** One moto_server per test file, and SDK clients pointed at it. */
export interface MotoFixture {
  readonly server: MotoServer;
  readonly clients: AwsClients;
  /** A fresh name prefix: every test gets its own buckets, queues and tables. */
  prefix(label: string): string;
  stop(): Promise<void>;
}

export async function startMotoFixture(): Promise<MotoFixture> {
  const server = await startMotoServer();
  const clients = createAwsClients({
    region: server.region,
    endpoint: server.endpoint,
    credentials: server.credentials,
  });
  return {
    server,
    clients,
    prefix: uniqueResourcePrefix,
    async stop() {
      clients.destroy();
      await server.stop();
    },
  };
}
