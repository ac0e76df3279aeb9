import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { createLogger, type CreateLoggerOptions } from '@stereo-spot/logging';
import { FfmpegMediaProcessor } from '@stereo-spot/media-worker';
import { createLocalPlatform, type LocalPlatform } from '@stereo-spot/local-adapters';
import { systemClock } from '@stereo-spot/pipeline';
import { makeTempDir, type TempDir } from '@stereo-spot/testing';
import { startWebServer, type WebServer } from '../../src/server';
import type { WebUiLimits } from '../../src/security/limits';

export interface PageServer {
  readonly url: string;
  readonly port: number;
  readonly platform: LocalPlatform;
  close(): Promise<void>;
}

/** The web-ui server on a real embedded platform (SQLite, files), on a free port. */
export async function startPageServer(
  options: {
    authToken?: string;
    maxUploadBytes?: number;
    publicBaseUrl?: string;
    limits?: Partial<WebUiLimits>;
    /** Where the server's log lines go (default: nowhere). */
    logTo?: CreateLoggerOptions['destination'];
    logLevel?: string;
    previewConcurrency?: number;
    previewMaxPixels?: number;
  } = {},
): Promise<PageServer> {
  const home: TempDir = await makeTempDir('web-ui-pages');
  let url = 'http://127.0.0.1:1';
  const platform = createLocalPlatform({ home: home.path, publicBaseUrl: () => url, pollIntervalMs: 20 });
  const logger = createLogger({
    name: 'web-ui-test',
    level: options.logLevel ?? 'silent',
    ...(options.logTo !== undefined ? { destination: options.logTo } : {}),
  });
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
    ...(options.publicBaseUrl !== undefined ? { publicBaseUrl: options.publicBaseUrl } : {}),
    ...(options.limits !== undefined ? { limits: options.limits } : {}),
  });
  url = server.url;
  return {
    url,
    port: Number(new URL(url).port),
    platform,
    async close() {
      await server.close();
      await platform.close();
      await home.remove();
    },
  };
}

/**
 * GETs a page and returns its body, the browser's CSRF secret cookie pair, and the CSRF token the
 * page carries (its `<meta name="csrf-token">`, which the script sends and forms repeat).
 */
export async function openPage(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers: { Accept: 'text/html', ...headers }, redirect: 'manual' });
  const setCookies = response.headers.getSetCookie();
  const csrfCookie = setCookies.find((c) => c.startsWith('stereo_spot_csrf='))?.split(';')[0];
  const body = await response.text();
  return { response, body, csrfCookie, token: csrfTokenOf(body) };
}

/** The CSRF token a page carries. */
export function csrfTokenOf(page: string): string | undefined {
  return /<meta name="csrf-token" content="([^"]+)">/.exec(page)?.[1];
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * One request with node:http, which (unlike fetch) sends the Host header it is given: what a
 * browser sends for a page whose name was rebound to this server's address.
 */
export function rawRequest(
  baseUrl: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(new URL(path, baseUrl), { method: options.method ?? 'GET', headers: options.headers ?? {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(options.body);
  });
}
