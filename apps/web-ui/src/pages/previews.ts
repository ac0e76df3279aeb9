import { execFile } from 'node:child_process';
import { estimateDepth, resolveFfmpegPath } from '@stereo-spot/stereo-engine';
import { inputKey, segmentOutputKey, type JobId } from '@stereo-spot/shared-types';
import type { ApiDeps } from '../api';
import { getJobOr404, jobIdParam } from '../api/jobs';
import { HttpError } from '../http';
import type { Router } from '../router';

export const PREVIEW_KINDS = ['source', 'depth', 'result'] as const;
type PreviewKind = (typeof PREVIEW_KINDS)[number];
const PREVIEW_WIDTH = 320;
const CACHE_ENTRIES = 60;

/**
 * `/jobs/{id}/preview/{source|depth|result}.png`: the source's first frame, its estimated depth
 * (the built-in engine's estimator) and the first frame of the first converted segment, made once with
 * ffmpeg from presigned URLs and kept in a small memory cache.
 */
export function registerPreviewRoutes(router: Router, deps: ApiDeps): void {
  const cache = new Map<string, Promise<Buffer>>();
  router.add('GET', '/jobs/:id/preview/:file', async (context) => {
    const jobId = jobIdParam(context);
    const kind = PREVIEW_KINDS.find((k) => `${k}.png` === context.params.file);
    if (kind === undefined) throw new HttpError(404, 'NOT_FOUND', 'previews are source.png, depth.png, result.png');
    const job = await getJobOr404(deps, jobId);
    if (job.status === 'created') throw new HttpError(404, 'NOT_READY', 'the source is not uploaded yet');
    let segment = 0;
    if (kind === 'result') {
      const done = await deps.segmentCompletions.list(jobId);
      if (done.length === 0) throw new HttpError(404, 'NOT_READY', 'no segment is converted yet');
      segment = Math.min(...done.map((completion) => completion.segment_index));
    }
    const cacheKey = `${jobId}/${kind}/${segment}`;
    let image = cache.get(cacheKey);
    if (image === undefined) {
      image = makePreview(deps, jobId, kind, segment);
      cache.set(cacheKey, image);
      if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
      image.catch(() => cache.delete(cacheKey));
    }
    const png = await image.catch((error: unknown) => {
      deps.logger.warn({ err: error, job_id: jobId }, `job_id=${jobId} preview ${kind} failed`);
      throw new HttpError(404, 'NO_PREVIEW', `the ${kind} preview could not be made`);
    });
    context.res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length, 'Cache-Control': 'private, max-age=300' });
    context.res.end(context.req.method === 'HEAD' ? undefined : png);
  });
}

async function makePreview(deps: ApiDeps, jobId: JobId, kind: PreviewKind, segment: number): Promise<Buffer> {
  const storage = kind === 'result' ? deps.outputStorage : deps.inputStorage;
  const key = kind === 'result' ? segmentOutputKey(jobId, segment) : inputKey(jobId);
  const { url } = await storage.presignGet(key, { expiresInSeconds: 300 });
  const scale = `scale=${PREVIEW_WIDTH}:-2`;
  if (kind !== 'depth') {
    return ffmpeg(['-i', url, '-frames:v', '1', '-vf', scale, '-f', 'image2pipe', '-c:v', 'png', '-']);
  }
  const rgb = await ffmpeg(['-i', url, '-frames:v', '1', '-vf', scale, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
  const height = rgb.length / (PREVIEW_WIDTH * 3);
  if (!Number.isInteger(height) || height < 1) throw new Error(`unexpected frame of ${rgb.length} bytes`);
  const depth = estimateDepth({ width: PREVIEW_WIDTH, height, data: rgb });
  const gray = Buffer.alloc(depth.data.length);
  depth.data.forEach((value, i) => (gray[i] = Math.round(Math.min(1, Math.max(0, value)) * 255)));
  const args = ['-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${PREVIEW_WIDTH}x${height}`, '-i', '-'];
  return ffmpeg([...args, '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', '-'], gray);
}

function ffmpeg(args: readonly string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      resolveFfmpegPath(),
      ['-hide_banner', '-loglevel', 'error', ...args],
      { encoding: 'buffer', maxBuffer: 32 * 1024 * 1024, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`ffmpeg failed: ${stderr.toString('utf8').slice(0, 500) || error.message}`));
        else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
