/**
 * Behind the AWS load balancer (idle timeout 300 s) the web UI must keep idle connections longer
 * than the balancer, or the balancer reuses a connection Node already closed and answers 502.
 */
import { Agent, request } from 'node:http';
import { startPageServer, type PageServer } from './pages/support';

let server: PageServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function keepAliveHeader(url: string): Promise<string | undefined> {
  const agent = new Agent({ keepAlive: true });
  try {
    return await new Promise((resolve, reject) => {
      const req = request(`${url}/api/jobs`, { agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.headers['keep-alive'] as string | undefined));
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    agent.destroy();
  }
}

describe('keep-alive', () => {
  it("keeps idle connections for the configured time (HTTP_KEEP_ALIVE_TIMEOUT_SECONDS), not Node's 5 s", async () => {
    // Prepare
    server = await startPageServer({ limits: { keepAliveTimeoutMs: 305_000 } });

    // Act
    const header = await keepAliveHeader(server.url);

    // Assess
    expect(header).toBe('timeout=305');
  });

  it('defaults to 72 s (Fastify\'s own default)', async () => {
    server = await startPageServer();
    expect(await keepAliveHeader(server.url)).toBe('timeout=72');
  });
});
