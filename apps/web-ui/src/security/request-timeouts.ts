/**
 * Request timeouts that fit uploads of MAX_UPLOAD_BYTES. Node's own `requestTimeout` (a total of
 * 300 s for receiving a request) cut a 100 MiB upload at 200 KB/s; it is turned off and replaced
 * per request: an upload to a presigned URL may take as long as it needs while bytes keep
 * arriving (it fails after `uploadIdleMs` without any), every other request must be received
 * within `requestTimeoutMs` in total (headers are bounded separately by Node's `headersTimeout`).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface RequestTimeouts {
  /** An upload fails when no byte arrives for this long. */
  readonly uploadIdleMs: number;
  /** Any other request must be fully received within this. */
  readonly requestTimeoutMs: number;
}

export const DEFAULT_REQUEST_TIMEOUTS: RequestTimeouts = { uploadIdleMs: 60_000, requestTimeoutMs: 300_000 };

/** Disables Node's total request timeout on `server` (this module applies its own per request). */
export function replaceServerRequestTimeout(server: Server): void {
  server.requestTimeout = 0;
}

export function applyRequestTimeout(
  req: IncomingMessage,
  res: ServerResponse,
  isUpload: boolean,
  timeouts: RequestTimeouts,
): void {
  if (req.complete) return;
  const refuse = (message: string) => {
    if (req.complete) return; // received in time; the answer may take longer (SSE, a large download)
    if (!res.headersSent) {
      const body = JSON.stringify({ error: { code: 'REQUEST_TIMEOUT', message } });
      res.writeHead(408, { 'Content-Type': 'application/json; charset=utf-8', Connection: 'close' });
      res.end(body);
    }
    // The rest of the body is not worth waiting for: close once the answer is written.
    res.once('finish', () => req.socket.destroy());
    if (res.writableFinished) req.socket.destroy();
  };
  if (isUpload) {
    // Socket inactivity: any byte received (or sent) restarts the clock.
    req.setTimeout(timeouts.uploadIdleMs, () =>
      refuse(`no upload data arrived for ${timeouts.uploadIdleMs / 1000} s; the upload was stopped, start it again`),
    );
    res.once('finish', () => req.socket.setTimeout(0));
    return;
  }
  const timer = setTimeout(
    () => refuse(`the request was not received within ${timeouts.requestTimeoutMs / 1000} s`),
    timeouts.requestTimeoutMs,
  );
  timer.unref();
  const done = () => clearTimeout(timer);
  req.once('end', done);
  req.once('close', done);
  res.once('close', done);
}
