/**
 * The SageMaker container contract over node:http: `GET /ping` (200 only once the engine is
 * ready) and `POST /invocations` (download the segment, convert it, upload the result, answer
 * what was done). Errors are JSON `{"error": {"code", "message"}}` with a 4xx/5xx status.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { forJob, logJobError, type Logger } from '@stereo-spot/logging';
import type { InferenceErrorBody, InferenceErrorCode } from '@stereo-spot/shared-types';
import { ConversionQueue } from './conversion-queue';
import type { ConversionEngine } from './engines/engine';
import { checkInvocation, type AccessPolicy } from './access-policy';
import {
  InferenceError,
  UnreadableInputError,
  InvalidInvocationError,
  NotReadyError,
  UnauthorizedError,
  isAbortError,
} from './errors';
import { describeLocation, parseInvocation, type Invocation, type Location } from './request';
import type { Transfer } from './transfer';

/** Checks that a downloaded file is a readable video before an engine spends time on it. */
export interface MediaInspector {
  /** Throws UnreadableInputError (or any error with `permanent: true`) for unreadable input. */
  assertVideo(filePath: string, signal: AbortSignal): Promise<void>;
  /** Frames in a video file, when it can tell. */
  countFrames(filePath: string, signal: AbortSignal): Promise<number | undefined>;
}

export interface InferenceServerOptions {
  readonly logger: Logger;
  readonly transfer: Transfer;
  readonly media: MediaInspector;
  /** Where per-request scratch folders go (the OS temp folder by default). */
  readonly workRoot: string;
  readonly concurrency: number;
  readonly maxWaiting: number;
  /** Largest accepted request body; the contract's JSON is tiny. */
  readonly maxBodyBytes?: number;
  /** When set, `/invocations` needs `Authorization: Bearer <sharedSecret>` (else 401). */
  readonly sharedSecret?: string;
  /** The buckets, keys and URL hosts a request may name. */
  readonly accessPolicy: AccessPolicy;
}

export interface InvocationResponse {
  readonly frames: number | null;
  /** Wall-clock seconds the engine spent converting the segment. */
  readonly seconds: number;
  /** Where the result was written (an S3 URI, or the URL without its signature). */
  readonly output: string;
  readonly engine: string;
  readonly mode: string;
  readonly job_id?: string;
  readonly segment_index?: number;
}

type EngineState =
  | { readonly kind: 'starting' }
  | { readonly kind: 'ready'; readonly engine: ConversionEngine }
  | { readonly kind: 'failed'; readonly reason: string };

const VIDEO_EXTENSIONS = new Set(['.mp4', '.mkv', '.avi', '.mov', '.webm', '.m4v']);

export class InferenceServer {
  readonly http: Server;
  private state: EngineState = { kind: 'starting' };
  private readonly queue: ConversionQueue;
  private readonly inFlight = new Set<AbortController>();
  private readonly secretDigest: Buffer | undefined;

  constructor(private readonly options: InferenceServerOptions) {
    this.queue = new ConversionQueue(options.concurrency, options.maxWaiting);
    this.secretDigest = options.sharedSecret === undefined ? undefined : sha256(options.sharedSecret);
    this.http = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        options.logger.error({ err: error }, 'unhandled error in request handler');
        if (!res.headersSent) sendJson(res, 500, errorBody('ENGINE_FAILED', 'internal error'));
      });
    });
  }

  /** Starts the engine; `/ping` answers 200 from the moment this resolves. */
  async startEngine(engine: ConversionEngine): Promise<void> {
    try {
      await engine.start();
      this.state = { kind: 'ready', engine };
      this.options.logger.info({ engine: engine.name }, `engine ${engine.name} is ready`);
    } catch (error) {
      this.markFailed(error);
      throw error;
    }
  }

  /** Keeps answering `/ping` with 503 and the reason (start-up work outside the engine failed). */
  markFailed(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.state = { kind: 'failed', reason };
    this.options.logger.error({ err: error }, `engine failed to start: ${reason}`);
  }

  get ready(): boolean {
    return this.state.kind === 'ready';
  }

  /** Loopback unless told otherwise: start.ts refuses a wider address without authentication. */
  async listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    return this.http.address() as AddressInfo;
  }

  /** Stops accepting connections and cancels running conversions. */
  async close(): Promise<void> {
    for (const controller of this.inFlight) controller.abort();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/ping') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET');
      return this.ping(res);
    }
    if (url.pathname === '/invocations') {
      if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
      if (!this.authorized(req)) {
        // Refused before the body is read: an unauthenticated caller costs nothing.
        const refusal = new UnauthorizedError();
        this.options.logger.warn({ code: refusal.code }, 'invocation refused: missing or wrong shared secret');
        res.setHeader('www-authenticate', 'Bearer');
        res.setHeader('connection', 'close');
        return sendJson(res, refusal.status, errorBody(refusal.code, refusal.message));
      }
      return this.invocations(req, res);
    }
    sendJson(res, 404, errorBody('NOT_FOUND', `no route ${req.method} ${url.pathname}`));
  }

  /** Constant-time: compares digests of equal length, so neither content nor length leaks through timing. */
  private authorized(req: IncomingMessage): boolean {
    if (this.secretDigest === undefined) return true;
    const header = req.headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    const given = sha256(match?.[1] ?? '');
    return timingSafeEqual(given, this.secretDigest) && match !== null;
  }

  private ping(res: ServerResponse): void {
    const state = this.state;
    if (state.kind === 'ready') {
      sendJson(res, 200, { status: 'ready', engine: state.engine.name, queue: this.queue.depth });
    } else if (state.kind === 'failed') {
      sendJson(res, 503, { status: 'failed', reason: state.reason });
    } else {
      sendJson(res, 503, { status: 'starting' });
    }
  }

  private async invocations(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const controller = new AbortController();
    // The caller hung up: stop the engine instead of converting for nobody.
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    let log = forJob(this.options.logger, {});
    try {
      const invocation = checkInvocation(
        parseInvocation(await readJson(req, this.options.maxBodyBytes ?? 1024 * 1024)),
        this.options.accessPolicy,
      );
      log = forJob(this.options.logger, { jobId: invocation.jobId, segmentIndex: invocation.segmentIndex });
      if (this.state.kind !== 'ready') {
        throw new NotReadyError(
          this.state.kind === 'failed' ? `the engine failed to start: ${this.state.reason}` : undefined,
        );
      }
      this.inFlight.add(controller);
      const result = await this.handle(invocation, this.state.engine, controller.signal, log);
      sendJson(res, 200, result);
    } catch (error) {
      if (controller.signal.aborted && isAbortError(error)) {
        log.warn('the caller went away; conversion cancelled');
        return;
      }
      const { status, body } = toErrorResponse(error);
      if (status >= 500) logJobError(log, {}, error, 'invocation failed');
      else log.warn({ code: body.error.code }, `invocation rejected: ${body.error.message}`);
      if (!res.headersSent && !res.destroyed) sendJson(res, status, body);
    } finally {
      this.inFlight.delete(controller);
    }
  }

  private async handle(
    invocation: Invocation,
    engine: ConversionEngine,
    signal: AbortSignal,
    log: Logger,
  ): Promise<InvocationResponse> {
    // The download is inside the slot too: a burst of requests waits in the queue instead of
    // filling the disk and the network with segments no engine is free to convert.
    log.info(
      { input: describeLocation(invocation.input), output: describeLocation(invocation.output), mode: invocation.mode },
      'invocation received',
    );
    const queuedAt = Date.now();
    return this.queue.run(async () => {
      const startedAt = Date.now();
      if (startedAt - queuedAt > 1000) log.info({ waitedMs: startedAt - queuedAt }, 'engine slot acquired');
      const workDir = await mkdtemp(path.join(this.options.workRoot, 'stereo-spot-inference-'));
      try {
        const inputPath = path.join(workDir, `segment${inputExtension(invocation.input)}`);
        const bytes = await this.options.transfer.download(invocation.input, inputPath, signal);
        log.info({ bytes }, 'segment downloaded');
        await this.options.media.assertVideo(inputPath, signal);

        const convertStartedAt = Date.now();
        const result = await engine.convert({
          inputPath,
          workDir,
          mode: invocation.mode,
          stereo: invocation.stereo,
          signal,
          logger: log,
        });
        const seconds = (Date.now() - convertStartedAt) / 1000;
        const frames = result.frames ?? (await this.options.media.countFrames(result.outputPath, signal));
        log.info({ seconds, frames }, `converted with ${engine.name}`);

        await this.options.transfer.upload(result.outputPath, invocation.output, signal);
        const output = describeLocation(invocation.output);
        log.info({ output }, 'result uploaded');
        return {
          frames: frames ?? null,
          seconds,
          output,
          engine: engine.name,
          mode: invocation.mode,
          ...(invocation.jobId !== undefined ? { job_id: invocation.jobId } : {}),
          ...(invocation.segmentIndex !== undefined ? { segment_index: invocation.segmentIndex } : {}),
        };
      } finally {
        await rm(workDir, { recursive: true, force: true });
      }
    }, signal);
  }
}

function inputExtension(input: Location): string {
  const pathname = input.kind === 's3' ? input.key : new URL(input.url).pathname;
  const ext = path.extname(pathname).toLowerCase();
  // iw3 recognises videos by extension; anything unknown is treated as mp4.
  return VIDEO_EXTENSIONS.has(ext) ? ext : '.mp4';
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function errorBody(code: InferenceErrorCode, message: string): InferenceErrorBody {
  return { error: { code, message } };
}

export function toErrorResponse(error: unknown): { status: number; body: InferenceErrorBody } {
  if (error instanceof InferenceError) return { status: error.status, body: errorBody(error.code, error.message) };
  const message = error instanceof Error ? error.message : String(error);
  // Another package's permanent error about the input (stereo-engine's unreadable media).
  if ((error as { permanent?: unknown })?.permanent === true) {
    const media = new UnreadableInputError(message);
    return { status: media.status, body: errorBody(media.code, message) };
  }
  return { status: 500, body: errorBody('ENGINE_FAILED', message) };
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new InvalidInvocationError(`request body larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new InvalidInvocationError('empty request body: expected JSON');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidInvocationError(`request body is not JSON: ${(error as Error).message}`);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function methodNotAllowed(res: ServerResponse, allowed: string): void {
  res.setHeader('allow', allowed);
  sendJson(res, 405, errorBody('METHOD_NOT_ALLOWED', `use ${allowed}`));
}
