import { Worker } from 'node:worker_threads';
import type { DepthField } from '../depth/field';
import { StereoEngineError } from '../errors';
import { availableKernelSet } from '../stereo/kernels';
import { StereoRenderer } from '../stereo/renderer';
import { packedLayout } from '../stereo/geometry';
import { SlotPool, slotLayout, slotViews, type FrameSlot, type SlotSizes } from './frame-slots';
import type { RenderReply, RenderRequest, RenderSetup, WorkerSetup } from './render-protocol';
import { renderWorkerLaunch, type WorkerLaunch } from './worker-launch';

/**
 * Renders frames, possibly in parallel; results resolve in any order. Frames travel in slots
 * (see frame-slots.ts): `take` a slot, fill its `frame`, `render` it with its depth field, write
 * its `output` (and `depth`), then `release` it for the next frame.
 */
export interface FrameRenderer {
  /** A free slot: a released one, or a new one when every slot is in use. */
  take(): FrameSlot;
  /** Renders the slot's frame into its output (and depth); resolves with the same slot. */
  render(slot: FrameSlot, field: DepthField): Promise<FrameSlot>;
  /** Gives a slot back once its output (and depth) has been written. */
  release(slot: FrameSlot): void;
  close(): Promise<void>;
}

/**
 * `threads` 0 renders on the calling thread; otherwise a pool of that many workers, started as
 * `launchWith` says (by default the bundled worker when current, see worker-launch.ts). Where no
 * worker entry can be started (a bundle of the engine without the worker file, no tsx), it
 * renders inline too.
 */
export function createFrameRenderer(
  setup: RenderSetup,
  threads: number,
  launchWith: () => WorkerLaunch | undefined = renderWorkerLaunch,
): FrameRenderer {
  // Probed here, on the main thread, so a missing kernel build is logged once (workers are quiet).
  availableKernelSet();
  const launch = threads > 0 ? launchWith() : undefined;
  return launch ? new WorkerPool(setup, threads, launch) : new InlineRenderer(setup);
}

/** The sizes of a slot for this setup. */
function slotSizes(setup: RenderSetup): SlotSizes {
  return {
    frameBytes: setup.layout.byteLength,
    cells: setup.grid.gridWidth * setup.grid.gridHeight,
    outputBytes: packedLayout(setup.options.mode, setup.layout).byteLength,
    depthBytes: setup.withDepth ? setup.layout.width * setup.layout.height : 0,
  };
}

/** Renders on the calling thread, into slots of ordinary memory. */
class InlineRenderer implements FrameRenderer {
  private readonly renderer: StereoRenderer;
  private readonly slots: SlotPool<FrameSlot>;

  constructor(private readonly setup: RenderSetup) {
    this.renderer = new StereoRenderer(setup.layout, setup.grid, setup.options);
    const layout = slotLayout(slotSizes(setup));
    this.slots = new SlotPool((index) => slotViews(index, new ArrayBuffer(layout.byteLength), layout));
  }

  take(): FrameSlot {
    return this.slots.take();
  }

  render(slot: FrameSlot, field: DepthField): Promise<FrameSlot> {
    try {
      // Same thread: the field is read where it is, no copy into the slot.
      this.renderer.render(slot.frame, field, slot.output, this.setup.withDepth ? slot.depth : undefined);
    } catch (error) {
      return Promise.reject(new StereoEngineError('WORKER_FAILED', `rendering failed: ${String(error)}`, { cause: error }));
    }
    return Promise.resolve(slot);
  }

  release(slot: FrameSlot): void {
    this.slots.release(slot);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Outstanding {
  readonly slot: FrameSlot;
  resolve(slot: FrameSlot): void;
  reject(error: Error): void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly outstanding: Map<number, Outstanding>;
}

/**
 * Render workers sharing the slots with the main thread: a slot's block (a SharedArrayBuffer) is
 * handed to every worker once when the slot is made; after that a frame is one small message
 * each way, and the output is written to the encoder straight from the slot.
 */
class WorkerPool implements FrameRenderer {
  private readonly workers: PoolWorker[] = [];
  private readonly slots: SlotPool<FrameSlot>;
  private nextId = 0;
  private failure: StereoEngineError | undefined;
  private closing = false;

  constructor(setup: RenderSetup, threads: number, launch: WorkerLaunch) {
    const layout = slotLayout(slotSizes(setup));
    const workerSetup: WorkerSetup = { ...setup, slotLayout: layout };
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(launch.file, { workerData: workerSetup, execArgv: launch.execArgv });
      const entry: PoolWorker = { worker, outstanding: new Map() };
      worker.on('message', (reply: RenderReply) => this.settle(entry, reply));
      worker.on('error', (error) => this.fail(new StereoEngineError('WORKER_FAILED', `render worker crashed: ${error.message}`, { cause: error })));
      worker.on('exit', (code) => {
        if (!this.closing) this.fail(new StereoEngineError('WORKER_FAILED', `render worker exited with code ${code}`));
      });
      this.workers.push(entry);
    }
    this.slots = new SlotPool((index) => {
      const block = new SharedArrayBuffer(layout.byteLength);
      const request: RenderRequest = { kind: 'slot', slot: index, block };
      for (const entry of this.workers) entry.worker.postMessage(request);
      return slotViews(index, block, layout);
    });
  }

  take(): FrameSlot {
    return this.slots.take();
  }

  render(slot: FrameSlot, field: DepthField): Promise<FrameSlot> {
    if (this.failure) return Promise.reject(this.failure);
    // The estimator overwrites its field with the next frame's estimate: the worker reads a copy
    // in the shared slot (two grid-sized arrays).
    slot.a.set(field.a);
    slot.b.set(field.b);
    // Least busy worker first: frames cost the same, so this is round-robin with catch-up.
    const target = this.workers.reduce((best, entry) => (entry.outstanding.size < best.outstanding.size ? entry : best));
    const id = this.nextId++;
    const request: RenderRequest = { kind: 'render', id, slot: slot.index };
    return new Promise<FrameSlot>((resolve, reject) => {
      target.outstanding.set(id, { slot, resolve, reject });
      target.worker.postMessage(request);
    });
  }

  release(slot: FrameSlot): void {
    this.slots.release(slot);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((entry) => entry.worker.terminate()));
  }

  private settle(entry: PoolWorker, reply: RenderReply): void {
    const waiting = entry.outstanding.get(reply.id);
    if (!waiting) return;
    entry.outstanding.delete(reply.id);
    if (reply.ok) waiting.resolve(waiting.slot);
    else waiting.reject(new StereoEngineError('WORKER_FAILED', `rendering failed: ${reply.message}`));
  }

  private fail(error: StereoEngineError): void {
    this.failure ??= error;
    for (const entry of this.workers) {
      for (const waiting of entry.outstanding.values()) waiting.reject(error);
      entry.outstanding.clear();
    }
  }
}
