import path from 'node:path';
import { estimateDepth } from '@stereo-spot/stereo-engine';
import { describeError, isPermanentError, withScratchDir, type RgbImage } from '@stereo-spot/pipeline';
import { inputKey, segmentOutputKey, type JobId } from '@stereo-spot/shared-types';
import type { ApiDeps } from '../api';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getJobOr404 } from '../api/jobs';
import { JobIdParamsSchema } from '../api/schemas';
import { HttpError } from '../http';
import { encodePng } from './png';
import { LimiterFullError, WorkLimiter } from './work-limiter';

export const PREVIEW_KINDS = ['source', 'depth', 'result'] as const;
const PREVIEW_WIDTH = 320;
const CACHE_ENTRIES = 60;
/** Requests that may wait per preview slot before the server answers 503. */
const WAITING_PER_SLOT = 8;

/**
 * `/jobs/{id}/preview/{source|depth|result}.png`: the source's first frame, its estimated depth
 * (the built-in engine's estimator) and the first frame of the first converted segment.
 *
 * User media is hostile: the file is copied from storage to a local scratch folder and read by
 * the MediaProcessor port (the media gate: accepted containers only, `file`/`pipe` protocols
 * only), never handed to ffmpeg as a URL — an HLS upload naming `http://...` must not make the
 * server fetch it. At most `previews.concurrency` are made at once; each frame and PNG is made
 * once and kept in a small memory cache.
 */
export function registerPreviewRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const frames = new BoundedCache<RgbImage>(CACHE_ENTRIES);
  const pngs = new BoundedCache<Buffer>(CACHE_ENTRIES);
  const limiter = new WorkLimiter(deps.previews.concurrency, deps.previews.concurrency * WAITING_PER_SLOT);

  const params = JobIdParamsSchema.extend({ file: z.string() });
  app.withTypeProvider<ZodTypeProvider>().get('/jobs/:id/preview/:file', { schema: { hide: true, params } }, async (request, reply) => {
    const jobId = request.params.id;
    const kind = PREVIEW_KINDS.find((k) => `${k}.png` === request.params.file);
    if (kind === undefined) throw new HttpError(404, 'NOT_FOUND', 'previews are source.png, depth.png, result.png');
    const job = await getJobOr404(deps, jobId);
    if (job.status === 'created') throw new HttpError(404, 'NOT_READY', 'the source is not uploaded yet');
    let segment = 0;
    if (kind === 'result') {
      const done = await deps.segmentCompletions.list(jobId);
      if (done.length === 0) throw new HttpError(404, 'NOT_READY', 'no segment is converted yet');
      segment = Math.min(...done.map((completion) => completion.segment_index));
    }
    const source = kind === 'result' ? `result/${segment}` : 'source';
    const png = await pngs
      .get(`${jobId}/${kind}/${segment}`, async () => {
        const frame = await frames.get(`${jobId}/${source}`, () =>
          limiter.run(() => firstFrameOf(deps, jobId, kind === 'result' ? segment : undefined)),
        );
        return kind === 'depth' ? depthPng(frame) : encodePng({ ...frame, channels: 3 });
      })
      .catch((error: unknown) => {
        if (error instanceof LimiterFullError) {
          reply.header('retry-after', '5');
          throw new HttpError(503, 'BUSY', 'too many previews are being made; try again in a few seconds');
        }
        deps.logger.warn({ err: error, job_id: jobId }, `job_id=${jobId} preview ${kind} failed`);
        // A permanent error is the media gate's readable reason (the same words as a failed job's).
        const reason = isPermanentError(error) ? `: ${describeError(error).split('\n')[0]}` : '';
        throw new HttpError(404, 'NO_PREVIEW', `the ${kind} preview could not be made${reason}`);
      });
    return reply.code(200).type('image/png').header('cache-control', 'private, max-age=300').send(png);
  });
}

/** The first frame of the source (or of a converted segment), from a local copy, through the port. */
async function firstFrameOf(deps: ApiDeps, jobId: JobId, segment: number | undefined): Promise<RgbImage> {
  const storage = segment !== undefined ? deps.outputStorage : deps.inputStorage;
  const key = segment !== undefined ? segmentOutputKey(jobId, segment) : inputKey(jobId);
  return withScratchDir(deps.previews.scratchDir, `preview-${jobId}`, async (dir) => {
    const file = path.join(dir, 'media');
    await storage.downloadToFile(key, file);
    return deps.previews.media.firstFrame(file, { width: PREVIEW_WIDTH, maxPixels: deps.previews.maxPixels });
  });
}

function depthPng(frame: RgbImage): Buffer {
  const depth = estimateDepth({ width: frame.width, height: frame.height, data: frame.data });
  const gray = new Uint8Array(depth.data.length);
  depth.data.forEach((value, i) => (gray[i] = Math.round(Math.min(1, Math.max(0, value)) * 255)));
  return encodePng({ width: depth.width, height: depth.height, channels: 1, data: gray });
}

/** Promises by key, oldest dropped beyond `maxEntries`; a rejected one is forgotten (tried again next time). */
class BoundedCache<T> {
  private readonly entries = new Map<string, Promise<T>>();

  constructor(private readonly maxEntries: number) {}

  get(key: string, make: () => Promise<T>): Promise<T> {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = make();
      this.entries.set(key, entry);
      if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
      entry.catch(() => this.entries.delete(key));
    }
    return entry;
  }
}
