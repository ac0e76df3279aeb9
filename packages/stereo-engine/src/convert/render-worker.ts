// Worker thread entry: renders frames with a StereoRenderer. Started by RenderPool with
// `--import tsx` so it runs from TypeScript sources under jest, tsx and the CLI alike.
import { parentPort, workerData } from 'node:worker_threads';
import { StereoRenderer } from '../stereo/renderer';
import type { RenderReply, RenderRequest, RenderSetup } from './render-protocol';

const setup = workerData as RenderSetup;
const renderer = new StereoRenderer(setup.layout, setup.grid, setup.options);
const outputBytes = renderer.outputLayout.byteLength;
const depthBytes = setup.layout.width * setup.layout.height;
const port = parentPort;
if (!port) throw new Error('render-worker must run as a worker thread');

port.on('message', (request: RenderRequest) => {
  try {
    const output = request.output && request.output.byteLength === outputBytes ? request.output : new ArrayBuffer(outputBytes);
    const depth = setup.withDepth
      ? request.depth && request.depth.byteLength === depthBytes
        ? request.depth
        : new ArrayBuffer(depthBytes)
      : undefined;
    const field = { ...setup.grid, a: new Float32Array(request.a), b: new Float32Array(request.b) };
    renderer.render(new Uint8Array(request.frame), field, new Uint8Array(output), depth ? new Uint8Array(depth) : undefined);
    const reply: RenderReply = { id: request.id, ok: true, frame: request.frame, output, ...(depth ? { depth } : {}) };
    port.postMessage(reply, depth ? [request.frame, output, depth] : [request.frame, output]);
  } catch (error) {
    const reply: RenderReply = { id: request.id, ok: false, message: error instanceof Error ? error.stack ?? error.message : String(error) };
    port.postMessage(reply);
  }
});
