import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http';
import type { WebUiLimits } from '../security/limits';
import type { ConcurrencyLimit } from '../security/stream-limit';
import type { ApiDeps } from './deps';
import { registerEventRoutes } from './events';
import { registerHealthRoutes } from './health';
import { registerJobRoutes } from './jobs';

export type { ApiDeps } from './deps';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Every JSON API route (`/api/...`, `/healthz`). */
export function registerApiRoutes(app: FastifyInstance, deps: ApiDeps, limits: WebUiLimits, streams: ConcurrencyLimit): void {
  registerHealthRoutes(app, deps);
  registerEventRoutes(app, deps, streams);
  registerJobRoutes(app, deps, limits);
  allowOnly(app, '/api/jobs', ['POST', 'GET']);
  allowOnly(app, '/api/jobs/:id', ['GET', 'DELETE']);
  allowOnly(app, '/api/jobs/:id/events', ['GET']);
}

/** 405 with Allow for the other methods on a path (Fastify alone answers 404). */
export function allowOnly(app: FastifyInstance, url: string, allowed: readonly (typeof METHODS)[number][]): void {
  const others = METHODS.filter((method) => !allowed.includes(method) && !(method === 'HEAD' && allowed.includes('GET')));
  app.route({
    method: others,
    url,
    schema: { hide: true },
    handler: async (request, reply) => {
      reply.header('allow', allowed.join(', '));
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${url}`);
    },
  });
}
