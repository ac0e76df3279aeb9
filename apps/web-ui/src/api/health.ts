import { sendJson } from '../http';
import type { Router } from '../router';
import type { ApiDeps } from './deps';

/** `GET /healthz`: 200 when the job store answers (what a load balancer should check). */
export function registerHealthRoutes(router: Router, deps: ApiDeps): void {
  router.add('GET', '/healthz', async ({ res }) => {
    await deps.jobs.listInProgress({ limit: 1 });
    sendJson(res, 200, { status: 'ok' });
  });
}
