import type { Router } from '../router';
import type { ApiDeps } from './deps';
import { registerEventRoutes } from './events';
import { registerHealthRoutes } from './health';
import { registerJobRoutes } from './jobs';

export type { ApiDeps } from './deps';

/** Every JSON API route (`/api/...`, `/healthz`). */
export function registerApiRoutes(router: Router, deps: ApiDeps): void {
  registerHealthRoutes(router, deps);
  registerEventRoutes(router, deps);
  registerJobRoutes(router, deps);
}
