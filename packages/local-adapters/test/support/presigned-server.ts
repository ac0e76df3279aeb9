/** A real HTTP server that serves presigned URLs with the adapters' handler (as the web-ui does). */
import { createServer, type Server } from 'node:http';
import type { PresignedRequestHandler } from '../../src/storage/presigned-handler';

export interface PresignedServer {
  readonly baseUrl: string;
  close(): Promise<void>;
}

export async function startPresignedServer(handler: () => PresignedRequestHandler): Promise<PresignedServer> {
  const server: Server = createServer((req, res) => {
    handler()(req, res)
      .then((handled) => {
        if (!handled) {
          res.statusCode = 404;
          res.end('not a presigned path');
        }
      })
      .catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
