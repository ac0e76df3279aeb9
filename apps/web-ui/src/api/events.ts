import { describeJob, pause } from '@stereo-spot/pipeline';
import { isTerminalStatus, type JobView } from '@stereo-spot/shared-types';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError } from '../http';
import type { ConcurrencyLimit } from '../security/stream-limit';
import type { ApiDeps } from './deps';
import { getJobOr404, viewDeps } from './jobs';
import { errorResponses, JobIdParamsSchema } from './schemas';
import { hijackWithHeaders } from './hijack';

const KEEPALIVE_MS = 15_000;

/**
 * `GET /api/jobs/{id}/events`: Server-Sent Events. An `event: job` with the JobView whenever the
 * status or progress changes (looked at every `eventsPollMs`), ending after the completed or
 * failed view; `event: gone` when the job is deleted meanwhile. Comments keep proxies from
 * closing an idle stream. Open streams are capped per client and in total.
 */
export function registerEventRoutes(app: FastifyInstance, deps: ApiDeps, streams: ConcurrencyLimit): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/jobs/:id/events',
    {
      schema: {
        summary: 'Follow a job over Server-Sent Events (`event: job` with the JobView on every change, `event: gone` if deleted)',
        tags: ['jobs'],
        params: JobIdParamsSchema,
        response: {
          200: z.string().describe('text/event-stream: `event: job` / `data: <JobView JSON>` blocks'),
          ...errorResponses(400, 401, 404, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const jobId = request.params.id;
      const first = await getJobOr404(deps, jobId);
      const slot = streams.acquire(request.ip);
      if (!slot.acquired) {
        reply.header('retry-after', '10');
        throw slot.reason === 'client'
          ? new HttpError(429, 'TOO_MANY_STREAMS', 'this client has too many progress streams open; close some pages')
          : new HttpError(503, 'TOO_MANY_STREAMS', 'the server has too many progress streams open; try again shortly');
      }

      const res = hijackWithHeaders(reply);
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.write('retry: 2000\n\n');

      let closed = false;
      const stop = new AbortController();
      request.raw.on('close', () => {
        closed = true;
        stop.abort();
      });
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);

      let last = '';
      const send = (view: JobView): void => {
        const fingerprint = JSON.stringify({ s: view.status, p: view.progress, e: view.error });
        if (fingerprint === last) return;
        last = fingerprint;
        res.write(`event: job\ndata: ${JSON.stringify(view)}\n\n`);
      };

      try {
        let job = first;
        for (;;) {
          send(await describeJob(viewDeps(deps), job));
          if (isTerminalStatus(job.status) || closed) break;
          await pause(deps.eventsPollMs, stop.signal);
          if (closed) break;
          const next = await deps.jobs.get(jobId);
          if (next === undefined) {
            res.write(`event: gone\ndata: ${JSON.stringify({ job_id: jobId })}\n\n`);
            break;
          }
          job = next;
        }
      } catch (error) {
        deps.logger.warn({ err: error, job_id: jobId }, `job_id=${jobId} event stream ended by an error`);
      } finally {
        clearInterval(keepalive);
        slot.release();
        res.end();
      }
    },
  );
}
