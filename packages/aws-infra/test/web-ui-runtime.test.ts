import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { startMotoServer, type MotoServer } from '@stereo-spot/aws-emulator';
import { freePort } from '@stereo-spot/testing';
import { bundleNodeApp, resolveAppEntry } from '../src/bundle/bundle';
import { WEB_UI_HEALTH_CHECK } from '../src/stack';
import { containerOf, environmentOf, synth, type Json, type Synthesized } from './support/synth';

/**
 * The web-ui image's runtime, minus Docker: the esbuild bundle, started with the Dockerfile's
 * command and the task definition's environment, against tables created from the synthesized
 * stack on moto_server, answers the image's own health check.
 */
const ACCOUNT = '123456789012';

let moto: MotoServer;
let stack: Synthesized;
let server: ChildProcess | undefined;
let output = '';

/** Terraform references → the values they will have (literal names from the stack, moto URLs). */
function resolve(value: string): string {
  return value
    .replaceAll('${data.aws_caller_identity.identity.account_id}', ACCOUNT)
    .replace(/\$\{([a-z0-9_]+)\.([^.}]+)\.([a-z_]+)\}/g, (_, type: string, id: string, attribute: string) => {
      const body = stack.json.resource[type]?.[id] as Json | undefined;
      if (!body) throw new Error(`unresolvable reference ${type}.${id}.${attribute}`);
      if (attribute === 'url') return `${moto.endpoint}/${ACCOUNT}/${resolve(body.name as string)}`;
      if (attribute === 'dns_name') return 'stereo-spot-web.example';
      return resolve(body[attribute] as string);
    });
}

async function createTables(): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: moto.endpoint,
    region: moto.region,
    credentials: moto.credentials,
  });
  for (const { body } of stack.all('aws_dynamodb_table')) {
    const key = (name: string, type: 'HASH' | 'RANGE') => ({ AttributeName: name, KeyType: type });
    const input: CreateTableCommandInput = {
      TableName: body.name as string,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: (body.attribute as Json[]).map((a) => ({
        AttributeName: a.name,
        AttributeType: a.type,
      })),
      KeySchema: [
        key(body.hash_key as string, 'HASH'),
        ...(body.range_key ? [key(body.range_key as string, 'RANGE')] : []),
      ],
      ...(body.global_secondary_index
        ? {
            GlobalSecondaryIndexes: (body.global_secondary_index as Json[]).map((index) => ({
              IndexName: index.name,
              KeySchema: [key(index.hash_key as string, 'HASH'), key(index.range_key as string, 'RANGE')],
              Projection: { ProjectionType: index.projection_type },
            })),
          }
        : {}),
    };
    await client.send(new CreateTableCommand(input));
  }
  client.destroy();
}

beforeAll(async () => {
  stack = synth({ ecs_image_tag: 'v1' });
  moto = await startMotoServer();
  await createTables();
}, 60_000);

afterAll(async () => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  await moto?.stop();
});

it('starts with the task environment and passes the HEALTHCHECK of the image', async () => {
  // Prepare: the bundle as the build stage makes it, the command as the Dockerfile runs it.
  const dir = mkdtempSync(path.join(tmpdir(), 'web-ui-runtime-'));
  const bundle = path.join(dir, 'stereo-spot.cjs');
  bundleNodeApp(resolveAppEntry('cli'), bundle);
  const port = await freePort();
  const env: Record<string, string> = {
    ...Object.fromEntries(Object.entries(environmentOf(stack, 'web-ui')).map(([k, v]) => [k, resolve(v)])),
    ...moto.env,
    // Not 0.0.0.0:8080 on a shared test machine.
    HOST: '127.0.0.1',
    PORT: String(port),
    PATH: process.env.PATH ?? '',
  };
  expect(containerOf(stack, 'web-ui').portMappings).toEqual([{ containerPort: 8080, protocol: 'tcp' }]);

  // Act: start it, wait until it listens, then run the health check command against it.
  server = spawn(process.execPath, ['--enable-source-maps', bundle, 'worker', 'web-ui'], { cwd: dir, env });
  server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  for (let i = 0; i < 100 && !/running on/.test(output) && server.exitCode === null; i++) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  const [, ...command] = WEB_UI_HEALTH_CHECK.map((part) => part.replace(':8080/', `:${port}/`));
  const health = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', timeout: 30_000 });

  // Assess
  expect({ exitCode: server.exitCode, output: output.slice(-2000) }).toMatchObject({ exitCode: null });
  expect(health.status).toBe(0);
  const exited = new Promise<number | null>((resolveExit) =>
    server!.once('exit', (code) => resolveExit(code)),
  );
  server.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 90_000);
