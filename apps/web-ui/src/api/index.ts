import type { Router } from '../router';
import type { RequestGuards } from '../security/limits';
import type { ApiDeps } from './deps';
import { registerEventRoutes } from './events';
import { registerHealthRoutes } from './health';
import { registerJobRoutes } from './jobs';

export type { ApiDeps } from './deps';

/** Every JSON API route (`/api/...`, `/healthz`). */
export function registerApiRoutes(router: Router, deps: ApiDeps, guards: RequestGuards): void {
  registerHealthRoutes(router, deps);
  registerEventRoutes(router, deps, guards);
  registerJobRoutes(router, deps, guards);
}
