/** The API's parameters in zod (the bodies are shared-types' schemas): Fastify validates with them. */
import { z } from 'zod';
import { ApiErrorSchema, JobIdSchema } from '@stereo-spot/shared-types';

export const JOB_LISTS = ['in-progress', 'completed', 'failed'] as const;

export const JobIdParamsSchema = z.object({ id: JobIdSchema });

export const JobListQuerySchema = z.object({
  status: z
    .enum(JOB_LISTS, { error: `status must be one of ${JOB_LISTS.join(', ')}` })
    .default('in-progress'),
  limit: z.coerce
    .number({ error: 'limit must be an integer from 1 to 100' })
    .int('limit must be an integer from 1 to 100')
    .min(1, 'limit must be an integer from 1 to 100')
    .max(100, 'limit must be an integer from 1 to 100')
    .default(20),
  cursor: z.string().max(2048).optional().describe('next_cursor of the previous page'),
});

export const HealthSchema = z.object({ status: z.literal('ok') });

/** The error answers every API route may give, in the ApiError shape. */
export function errorResponses<const S extends readonly number[]>(...statuses: S) {
  return Object.fromEntries(statuses.map((status) => [status, ApiErrorSchema])) as Record<
    S[number],
    typeof ApiErrorSchema
  >;
}
