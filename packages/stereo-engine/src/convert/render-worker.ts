// Worker thread entry: renders frames with a StereoRenderer, in and out of the slots it shares
// with the main thread. The render pool starts the one-file bundle of it that
// scripts/build-bundles.mjs builds (no TypeScript loader needed), or, when that is missing
// or older than the sources, this file through tsx's CommonJS hook (worker-launch.ts).
import { parentPort, workerData } from 'node:worker_threads';
import type { DepthField } from '../depth/field';
import { StereoRenderer } from '../stereo/renderer';
import { slotViews, type FrameSlot } from './frame-slots';
import type { RenderReply, RenderRequest, WorkerSetup } from './render-protocol';

const setup = workerData as WorkerSetup;
const renderer = new StereoRenderer(setup.layout, setup.grid, setup.options);
const port = parentPort;
if (!port) throw new Error('render-worker must run as a worker thread');

/** Per slot, its views and the field on them, made once when the slot is handed over. */
const slots: { slot: FrameSlot; field: DepthField }[] = [];

port.on('message', (request: RenderRequest) => {
  if (request.kind === 'slot') {
    const slot = slotViews(request.slot, request.block, setup.slotLayout);
    slots[request.slot] = { slot, field: { ...setup.grid, a: slot.a, b: slot.b } };
    return;
  }
  let reply: RenderReply;
  try {
    const entry = slots[request.slot];
    if (!entry) throw new Error(`slot ${request.slot} was never handed over`);
    renderer.render(entry.slot.frame, entry.field, entry.slot.output, setup.withDepth ? entry.slot.depth : undefined);
    reply = { id: request.id, ok: true };
  } catch (error) {
    reply = { id: request.id, ok: false, message: error instanceof Error ? error.stack ?? error.message : String(error) };
  }
  port.postMessage(reply);
});
