import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyRequestTimeout, replaceServerRequestTimeout } from '../../src/security/request-timeouts';

/** A bare node:http server that reads each body and answers 200 with its size, under the timeouts. */
async function startEchoServer(timeouts: { uploadIdleMs: number; requestTimeoutMs: number }): Promise<Server> {
  const server = createServer((req, res) => {
    applyRequestTimeout(req, res, req.url === '/upload', timeouts);
    let size = 0;
    req.on('data', (chunk: Buffer) => (size += chunk.length));
    req.on('end', () => {
      if (!res.headersSent) res.end(String(size));
    });
  });
  replaceServerRequestTimeout(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Sends `chunks` with `gapMs` between them; resolves with the answer's status and body. */
function trickle(server: Server, path: string, chunks: number, gapMs: number): Promise<{ status: number; body: string }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'PUT', headers: { 'Content-Length': String(chunks) } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    let sent = 0;
    const next = () => {
      if (req.destroyed) return;
      req.write('x');
      sent += 1;
      if (sent === chunks) req.end();
      else setTimeout(next, gapMs);
    };
    next();
  });
}

describe('request timeouts', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('lets an upload run past the total timeout while bytes arrive within the idle timeout', async () => {
    // Prepare
    server = await startEchoServer({ uploadIdleMs: 400, requestTimeoutMs: 300 });

    // Act: 6 bytes, 150 ms apart (~750 ms in all, over the 300 ms total).
    const answer = await trickle(server, '/upload', 6, 150);

    // Assess
    expect(answer).toEqual({ status: 200, body: '6' });
  });

  it('gives any other request the total timeout only: 408 with a reason', async () => {
    // Prepare
    server = await startEchoServer({ uploadIdleMs: 10_000, requestTimeoutMs: 300 });

    // Act
    const answer = await trickle(server, '/other', 6, 150);

    // Assess
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toEqual({
      error: { code: 'REQUEST_TIMEOUT', message: 'the request was not received within 0.3 s' },
    });
  });

  it('stops an upload that goes silent for the idle timeout: 408 with a reason', async () => {
    // Prepare
    server = await startEchoServer({ uploadIdleMs: 200, requestTimeoutMs: 10_000 });

    // Act
    const answer = await trickle(server, '/upload', 2, 600);

    // Assess
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body).error.message).toBe(
      'no upload data arrived for 0.2 s; the upload was stopped, start it again',
    );
  });
});
