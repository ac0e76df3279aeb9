import { AwsEmulatorError } from '../src/errors';
import { startMotoServer, type MotoServer } from '../src/moto-server';

jest.setTimeout(60_000);

describe('startMotoServer', () => {
  let server: MotoServer | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('serves the AWS API on loopback and forgets its resources on reset', async () => {
    // Prepare
    server = await startMotoServer({ region: 'eu-west-1' });
    const createBucket = () => fetch(`${server!.endpoint}/emulator-probe`, { method: 'PUT' });
    expect((await createBucket()).status).toBe(200);

    // Act
    await server.reset();
    const listing = await (await fetch(`${server.endpoint}/`)).text();

    // Assess
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.env).toMatchObject({ AWS_ENDPOINT_URL: server.endpoint, AWS_REGION: 'eu-west-1' });
    expect(listing).not.toContain('emulator-probe');
  });

  it('answers no more once stopped', async () => {
    // Prepare
    server = await startMotoServer();
    const endpoint = server.endpoint;

    // Act
    await server.stop();

    // Assess
    await expect(fetch(`${endpoint}/moto-api/`)).rejects.toThrow();
  });

  it('names the missing command and how to install moto when it cannot start', async () => {
    // Prepare
    const configured = process.env.MOTO_SERVER;
    process.env.MOTO_SERVER = '/nonexistent/moto_server';

    // Act
    const failure = await startMotoServer().catch((error: unknown) => error);
    if (configured === undefined) delete process.env.MOTO_SERVER;
    else process.env.MOTO_SERVER = configured;

    // Assess
    expect(failure).toBeInstanceOf(AwsEmulatorError);
    expect(failure).toMatchObject({ code: 'EMULATOR_UNAVAILABLE' });
    expect((failure as Error).message).toMatch(/\/nonexistent\/moto_server: not found/);
    expect((failure as Error).message).toContain("pip install 'moto[server]");
  });
});
