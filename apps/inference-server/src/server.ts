/**
 * The SageMaker container contract over node:http: `GET /ping` (200 only once the engine is
 * ready) and `POST /invocations` (download the segment, convert it, upload the result, answer
 * what was done). Errors are JSON `{"error": {"code", "message"}}` with a 4xx/5xx status.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { forJob, logJobError, type Logger } from '@stereo-spot/logging';
import { ConversionQueue } from './conversion-queue';
import type { StereoEngine } from './engines/engine';
import { InferenceError, InvalidMediaError, InvalidRequestError, NotReadyError, isAbortError } from './errors';
import { describeLocation, parseInvocation, type Invocation, type Location } from './request';
import type { Transfer } from './transfer';

/** Checks that a downloaded file is a readable video before an engine spends time on it. */
export interface MediaInspector {
  /** Throws InvalidMediaError (or any error with `permanent: true`) for unreadable input. */
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
  | { readonly kind: 'ready'; readonly engine: StereoEngine }
  | { readonly kind: 'failed'; readonly reason: string };

const VIDEO_EXTENSIONS = new Set(['.mp4', '.mkv', '.avi', '.mov', '.webm', '.m4v']);

export class InferenceServer {
  readonly http: Server;
  private state: EngineState = { kind: 'starting' };
  private readonly queue: ConversionQueue;
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly options: InferenceServerOptions) {
    this.queue = new ConversionQueue(options.concurrency, options.maxWaiting);
    this.http = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        options.logger.error({ err: error }, 'unhandled error in request handler');
        if (!res.headersSent) sendJson(res, 500, errorBody('ENGINE_FAILED', 'internal error'));
      });
    });
  }

  /** Starts the engine; `/ping` answers 200 from the moment this resolves. */
  async startEngine(engine: StereoEngine): Promise<void> {
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

  async listen(port: number, host = '0.0.0.0'): Promise<AddressInfo> {
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
      return this.invocations(req, res);
    }
    sendJson(res, 404, errorBody('NOT_FOUND', `no route ${req.method} ${url.pathname}`));
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
      const invocation = parseInvocation(await readJson(req, this.options.maxBodyBytes ?? 1024 * 1024));
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
    engine: StereoEngine,
    signal: AbortSignal,
    log: Logger,
  ): Promise<InvocationResponse> {
    const workDir = await mkdtemp(path.join(this.options.workRoot, 'stereo-spot-inference-'));
    try {
      const inputPath = path.join(workDir, `segment${inputExtension(invocation.input)}`);
      log.info(
        { input: describeLocation(invocation.input), output: describeLocation(invocation.output), mode: invocation.mode },
        'invocation received',
      );
      const bytes = await this.options.transfer.download(invocation.input, inputPath, signal);
      log.info({ bytes }, 'segment downloaded');
      await this.options.media.assertVideo(inputPath, signal);

      const queuedAt = Date.now();
      const { result, seconds } = await this.queue.run(async () => {
        const startedAt = Date.now();
        if (startedAt - queuedAt > 1000) log.info({ waitedMs: startedAt - queuedAt }, 'engine slot acquired');
        const converted = await engine.convert({
          inputPath,
          workDir,
          mode: invocation.mode,
          stereo: invocation.stereo,
          signal,
          logger: log,
        });
        return { result: converted, seconds: (Date.now() - startedAt) / 1000 };
      }, signal);
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
  }
}

function inputExtension(input: Location): string {
  const pathname = input.kind === 's3' ? input.key : new URL(input.url).pathname;
  const ext = path.extname(pathname).toLowerCase();
  // iw3 recognises videos by extension; anything unknown is treated as mp4.
  return VIDEO_EXTENSIONS.has(ext) ? ext : '.mp4';
}

function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

export function toErrorResponse(error: unknown): { status: number; body: ReturnType<typeof errorBody> } {
  if (error instanceof InferenceError) return { status: error.status, body: errorBody(error.code, error.message) };
  const message = error instanceof Error ? error.message : String(error);
  // Another package's permanent error about the input (stereo-engine's unreadable media).
  if ((error as { permanent?: unknown })?.permanent === true) {
    const media = new InvalidMediaError(message);
    return { status: media.status, body: errorBody(media.code, message) };
  }
  return { status: 500, body: errorBody('ENGINE_FAILED', message) };
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new InvalidRequestError(`request body larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new InvalidRequestError('empty request body: expected JSON');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidRequestError(`request body is not JSON: ${(error as Error).message}`);
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
