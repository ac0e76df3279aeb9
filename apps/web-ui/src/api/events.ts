import { describeJob, pause } from '@stereo-spot/pipeline';
import { isTerminalStatus, type JobView } from '@stereo-spot/shared-types';
import { HttpError } from '../http';
import type { Router } from '../router';
import type { RequestGuards } from '../security/limits';
import type { ApiDeps } from './deps';
import { getJobOr404, jobIdParam, viewDeps } from './jobs';

const KEEPALIVE_MS = 15_000;

/**
 * `GET /api/jobs/{id}/events`: Server-Sent Events. An `event: job` with the JobView whenever the
 * status or progress changes (looked at every `eventsPollMs`), ending after the completed or
 * failed view; `event: gone` when the job is deleted meanwhile. Comments keep proxies from
 * closing an idle stream.
 */
export function registerEventRoutes(router: Router, deps: ApiDeps, guards: RequestGuards): void {
  router.add('GET', '/api/jobs/:id/events', async (context) => {
    const { req, res } = context;
    const jobId = jobIdParam(context);
    const first = await getJobOr404(deps, jobId);
    const slot = guards.eventStreams.acquire(guards.clientOf(req));
    if (!slot.acquired) {
      res.setHeader('Retry-After', '10');
      throw slot.reason === 'client'
        ? new HttpError(429, 'TOO_MANY_STREAMS', 'this client has too many progress streams open; close some pages')
        : new HttpError(503, 'TOO_MANY_STREAMS', 'the server has too many progress streams open; try again shortly');
    }

    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');

    let closed = false;
    const stop = new AbortController();
    req.on('close', () => {
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
  });
}

