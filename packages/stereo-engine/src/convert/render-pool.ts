import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DepthField } from '../depth/field';
import { StereoEngineError } from '../errors';
import { availableKernelSet } from '../stereo/kernels';
import { StereoRenderer } from '../stereo/renderer';
import type { RenderReply, RenderRequest, RenderSetup } from './render-protocol';

export interface RenderedFrame {
  /** The input frame's bytes, handed back for reuse. */
  readonly frame: Uint8Array;
  readonly output: Uint8Array;
  readonly depth: Uint8Array | undefined;
}

/** Renders frames, possibly in parallel; results resolve in any order. */
export interface FrameRenderer {
  /** `frame` must own its whole ArrayBuffer: it is transferred to a worker (and handed back). */
  render(frame: Uint8Array, field: DepthField): Promise<RenderedFrame>;
  /** Gives an output (and depth) buffer back once it has been written, to be reused. */
  recycle(output: Uint8Array, depth: Uint8Array | undefined): void;
  close(): Promise<void>;
}

/**
 * `threads` 0 renders on the calling thread; otherwise a pool of that many workers. Where no
 * worker entry can be started (a bundle without the worker file, no tsx), it renders inline too.
 */
export function createFrameRenderer(setup: RenderSetup, threads: number): FrameRenderer {
  // Probed here, on the main thread, so a missing kernel build is logged once (workers are quiet).
  availableKernelSet();
  const launch = threads > 0 ? workerLaunch() : undefined;
  return launch ? new WorkerPool(setup, threads, launch) : new InlineRenderer(setup);
}

interface WorkerLaunch {
  readonly file: string;
  readonly execArgv: string[];
}

/**
 * A compiled `render-worker.js` next to this module runs as is. The TypeScript worker runs
 * through tsx's CommonJS hook: `execArgv: ['--import', 'tsx']` does not load .ts worker entries
 * on Node 20 (ERR_UNKNOWN_FILE_EXTENSION); `--require <tsx/cjs>` works on Node 20 and later,
 * under jest, tsx and the CLI.
 */
function workerLaunch(): WorkerLaunch | undefined {
  const compiled = path.join(__dirname, 'render-worker.js');
  if (existsSync(compiled)) return { file: compiled, execArgv: [] };
  const source = path.join(__dirname, 'render-worker.ts');
  if (!existsSync(source)) return undefined;
  try {
    return { file: source, execArgv: ['--require', createRequire(__filename).resolve('tsx/cjs')] };
  } catch {
    return undefined;
  }
}

class InlineRenderer implements FrameRenderer {
  private readonly renderer: StereoRenderer;
  private spare: { output: Uint8Array; depth: Uint8Array | undefined } | undefined;

  constructor(private readonly setup: RenderSetup) {
    this.renderer = new StereoRenderer(setup.layout, setup.grid, setup.options);
  }

  render(frame: Uint8Array, field: DepthField): Promise<RenderedFrame> {
    const spare = this.spare;
    this.spare = undefined;
    const output = spare?.output ?? new Uint8Array(this.renderer.outputLayout.byteLength);
    const depth = this.setup.withDepth
      ? (spare?.depth ?? new Uint8Array(this.setup.layout.width * this.setup.layout.height))
      : undefined;
    try {
      this.renderer.render(frame, field, output, depth);
    } catch (error) {
      return Promise.reject(new StereoEngineError('WORKER_FAILED', `rendering failed: ${String(error)}`, { cause: error }));
    }
    return Promise.resolve({ frame, output, depth });
  }

  recycle(output: Uint8Array, depth: Uint8Array | undefined): void {
    this.spare = { output, depth };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Outstanding {
  resolve(frame: RenderedFrame): void;
  reject(error: Error): void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly outstanding: Map<number, Outstanding>;
}


class WorkerPool implements FrameRenderer {
  private readonly workers: PoolWorker[] = [];
  private readonly spareOutputs: ArrayBuffer[] = [];
  private readonly spareDepths: ArrayBuffer[] = [];
  private nextId = 0;
  private failure: StereoEngineError | undefined;
  private closing = false;

  constructor(setup: RenderSetup, threads: number, launch: WorkerLaunch) {
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(launch.file, { workerData: setup, execArgv: launch.execArgv });
      const entry: PoolWorker = { worker, outstanding: new Map() };
      worker.on('message', (reply: RenderReply) => this.settle(entry, reply));
      worker.on('error', (error) => this.fail(new StereoEngineError('WORKER_FAILED', `render worker crashed: ${error.message}`, { cause: error })));
      worker.on('exit', (code) => {
        if (!this.closing) this.fail(new StereoEngineError('WORKER_FAILED', `render worker exited with code ${code}`));
      });
      this.workers.push(entry);
    }
  }

  render(frame: Uint8Array, field: DepthField): Promise<RenderedFrame> {
    if (this.failure) return Promise.reject(this.failure);
    // Least busy worker first: frames cost the same, so this is round-robin with catch-up.
    const target = this.workers.reduce((best, entry) => (entry.outstanding.size < best.outstanding.size ? entry : best));
    const id = this.nextId++;
    const output = this.spareOutputs.pop();
    const depth = this.spareDepths.pop();
    const request: RenderRequest = {
      id,
      frame: frame.buffer as ArrayBuffer,
      a: field.a.buffer as ArrayBuffer,
      b: field.b.buffer as ArrayBuffer,
      ...(output ? { output } : {}),
      ...(depth ? { depth } : {}),
    };
    const transfer = [request.frame, request.a, request.b, ...(output ? [output] : []), ...(depth ? [depth] : [])];
    return new Promise<RenderedFrame>((resolve, reject) => {
      target.outstanding.set(id, { resolve, reject });
      target.worker.postMessage(request, transfer);
    });
  }

  recycle(output: Uint8Array, depth: Uint8Array | undefined): void {
    this.spareOutputs.push(output.buffer as ArrayBuffer);
    if (depth) this.spareDepths.push(depth.buffer as ArrayBuffer);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((entry) => entry.worker.terminate()));
  }

  private settle(entry: PoolWorker, reply: RenderReply): void {
    const waiting = entry.outstanding.get(reply.id);
    if (!waiting) return;
    entry.outstanding.delete(reply.id);
    if (reply.ok) {
      waiting.resolve({
        frame: new Uint8Array(reply.frame),
        output: new Uint8Array(reply.output),
        depth: reply.depth ? new Uint8Array(reply.depth) : undefined,
      });
    } else {
      waiting.reject(new StereoEngineError('WORKER_FAILED', `rendering failed: ${reply.message}`));
    }
  }

  private fail(error: StereoEngineError): void {
    this.failure ??= error;
    for (const entry of this.workers) {
      for (const waiting of entry.outstanding.values()) waiting.reject(error);
      entry.outstanding.clear();
    }
  }
}
