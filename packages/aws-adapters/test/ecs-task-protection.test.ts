/**
 * The ECS agent's task-protection endpoint is not emulated by moto (UpdateTaskProtection is not
 * implemented there), so these tests answer as the agent documents it, over real HTTP.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EcsTaskProtection } from '../src/ecs/ecs-task-protection';

interface Received {
  method: string;
  url: string;
  body: unknown;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** An agent that records each request and answers with `answer(body)`. */
async function agent(answer: (body: Record<string, unknown>) => { status: number; json: unknown }) {
  const received: Received[] = [];
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
      received.push({ method: req.method ?? '', url: req.url ?? '', body });
      const { status, json } = answer(body);
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { uri: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/api/task-1`, received };
}

describe('EcsTaskProtection', () => {
  it('turns protection on with an expiry and off again through the agent', async () => {
    // Prepare
    const { uri, received } = await agent((body) => ({
      status: 200,
      json: {
        protection: {
          ProtectionEnabled: body.ProtectionEnabled,
          TaskArn: 'arn:aws:ecs:us-east-1:123456789012:task/c/1',
        },
      },
    }));
    const protection = new EcsTaskProtection({ agentUri: uri });

    // Act
    await protection.protect(120);
    await protection.release();

    // Assess
    expect(received).toEqual([
      {
        method: 'PUT',
        url: '/api/task-1/task-protection/v1/state',
        body: { ProtectionEnabled: true, ExpiresInMinutes: 120 },
      },
      { method: 'PUT', url: '/api/task-1/task-protection/v1/state', body: { ProtectionEnabled: false } },
    ]);
  });

  it("reports a refusal with the agent's reason; access denied is permanent", async () => {
    // Prepare
    const { uri } = await agent(() => ({
      status: 400,
      json: {
        failure: {
          Arn: 'arn:aws:ecs:us-east-1:123456789012:task/c/1',
          Reason: 'AccessDeniedException',
          Detail: 'not authorized to perform ecs:UpdateTaskProtection',
        },
      },
    }));

    // Act + Assess
    await expect(new EcsTaskProtection({ agentUri: uri }).protect(120)).rejects.toMatchObject({
      code: 'AWS_REQUEST_FAILED',
      permanent: true,
      message:
        'ECS task protection on refused (HTTP 400): AccessDeniedException: not authorized to perform ecs:UpdateTaskProtection',
    });
  });

  it('reports an unreachable agent as transient', async () => {
    const { uri } = await agent(() => ({ status: 200, json: {} }));
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    await expect(new EcsTaskProtection({ agentUri: uri }).release()).rejects.toMatchObject({
      permanent: false,
      message: expect.stringContaining('ECS agent unreachable'),
    });
  });
});
