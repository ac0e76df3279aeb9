import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { FfmpegMediaProcessor } from '@stereo-spot/media-worker';
import { createLogger } from '@stereo-spot/logging';
import { createLocalPlatform, type LocalPlatform } from '@stereo-spot/local-adapters';
import { systemClock } from '@stereo-spot/pipeline';
import { makeTempDir, type TempDir } from '@stereo-spot/testing';
import { startWebServer, type WebServer } from '../../src';

export interface PageServer {
  readonly url: string;
  readonly platform: LocalPlatform;
  close(): Promise<void>;
}

/** The web-ui server on a real embedded platform (SQLite, files), on a free port. */
export async function startPageServer(
  options: { authToken?: string; maxUploadBytes?: number; previewConcurrency?: number; previewMaxPixels?: number } = {},
): Promise<PageServer> {
  const home: TempDir = await makeTempDir('web-ui-pages');
  let url = 'http://127.0.0.1:1';
  const platform = createLocalPlatform({ home: home.path, publicBaseUrl: () => url, pollIntervalMs: 20 });
  const logger = createLogger({ name: 'web-ui-test', level: 'silent' });
  const server: WebServer = await startWebServer({
    api: {
      ...platform,
      logger,
      clock: systemClock,
      ids: { newJobId: () => randomUUID() },
      maxUploadBytes: options.maxUploadBytes ?? 1_000_000,
      uploadUrlTtlSeconds: 600,
      downloadUrlTtlSeconds: 600,
      eventsPollMs: 20,
      previews: {
        media: new FfmpegMediaProcessor(),
        concurrency: options.previewConcurrency ?? 2,
        maxPixels: options.previewMaxPixels ?? 7680 * 4320,
        scratchDir: path.join(home.path, 'previews'),
      },
    },
    host: '127.0.0.1',
    port: 0,
    logger,
    passthrough: [platform.handlePresignedRequest],
    ...(options.authToken !== undefined ? { authToken: options.authToken } : {}),
  });
  url = server.url;
  return {
    url,
    platform,
    async close() {
      await server.close();
      await platform.close();
      await home.remove();
    },
  };
}

/** GETs a page and returns its body and the browser's CSRF cookie pair. */
export async function openPage(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers: { Accept: 'text/html', ...headers }, redirect: 'manual' });
  const setCookies = response.headers.getSetCookie();
  const csrfCookie = setCookies.find((c) => c.startsWith('stereo_spot_csrf='))?.split(';')[0];
  const token = csrfCookie?.split('=')[1];
  return { response, body: await response.text(), csrfCookie, token };
}
