import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sendJson } from '../http';
import type { ApiDeps } from './deps';
import { errorResponses, HealthSchema } from './schemas';

/** `GET /healthz`: 200 when the job store answers (what a load balancer should check). */
export function registerHealthRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/healthz',
    {
      schema: {
        summary: 'Health: 200 when the job store answers',
        tags: ['health'],
        response: { 200: HealthSchema, ...errorResponses(500) },
      },
    },
    async (_request, reply) => {
      await deps.jobs.listInProgress({ limit: 1 });
      return sendJson(reply, 200, { status: 'ok' as const });
    },
  );
}
