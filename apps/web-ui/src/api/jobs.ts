import { createJob, deleteJob, describeJob, InvalidRequestError, isPermanentError, type JobViewDeps } from '@stereo-spot/pipeline';
import {
  CreateJobRequestSchema,
  CreateJobResponseSchema,
  JobListResponseSchema,
  JobViewSchema,
  type Job,
  type JobId,
} from '@stereo-spot/shared-types';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, sendJson } from '../http';
import type { WebUiLimits } from '../security/limits';
import type { ApiDeps } from './deps';
import { errorResponses, JobIdParamsSchema, JobListQuerySchema } from './schemas';

/** Fastify's bodyLimit for the JSON API. */
const MAX_REQUEST_BYTES = 64 * 1024;

export function viewDeps(deps: ApiDeps): JobViewDeps {
  return {
    segmentCompletions: deps.segmentCompletions,
    outputStorage: deps.outputStorage,
    downloadUrlTtlSeconds: deps.downloadUrlTtlSeconds,
  };
}

export async function getJobOr404(deps: ApiDeps, jobId: JobId): Promise<Job> {
  const job = await deps.jobs.get(jobId);
  if (job === undefined) throw new HttpError(404, 'JOB_NOT_FOUND', `job ${jobId} does not exist`);
  return job;
}

/** `/api/jobs` and `/api/jobs/{id}`: create, list, show, delete. */
export function registerJobRoutes(app: FastifyInstance, deps: ApiDeps, limits: WebUiLimits): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/api/jobs',
    {
      bodyLimit: MAX_REQUEST_BYTES,
      // JSON only, refused before the body is read (Fastify would also parse forms and text).
      preParsing: async (request) => {
        if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
          throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the request body as application/json');
        }
      },
      config: {
        rateLimit: {
          max: limits.jobCreationsPerMinute,
          timeWindow: 60_000,
          errorResponseBuilder: (_request, context) =>
            new HttpError(429, 'TOO_MANY_REQUESTS', `too many new jobs from this client; try again in ${Math.max(1, Math.ceil(context.ttl / 1000))} s`),
        },
      },
      schema: {
        summary: 'Create a job and get the presigned URL to upload its video to',
        tags: ['jobs'],
        body: CreateJobRequestSchema,
        response: { 201: CreateJobResponseSchema, ...errorResponses(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      try {
        const created = await createJob(deps, request.body);
        return sendJson(reply, 201, { job: await describeJob(viewDeps(deps), created.job), upload: created.upload });
      } catch (error) {
        if (error instanceof InvalidRequestError) throw new HttpError(400, 'INVALID_REQUEST', error.message);
        throw error;
      }
    },
  );

  api.get(
    '/api/jobs',
    {
      schema: {
        summary: 'List jobs in progress, completed or failed, newest first, a page at a time',
        tags: ['jobs'],
        querystring: JobListQuerySchema,
        response: { 200: JobListResponseSchema, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const { status: list, limit, cursor } = request.query;
      const options = { limit, ...(cursor !== undefined ? { cursor } : {}) };
      const page = await (
        list === 'completed'
          ? deps.jobs.listCompleted(options)
          : list === 'failed'
            ? deps.jobs.listFailed(options)
            : deps.jobs.listInProgress(options)
      ).catch((error: unknown) => {
        // The stores refuse a cursor they did not produce with a permanent error.
        if (cursor !== undefined && isPermanentError(error)) {
          throw new HttpError(
            400,
            'INVALID_CURSOR',
            `cursor is not one this server handed out for the ${list} list (use next_cursor from the previous page)`,
          );
        }
        throw error;
      });
      return sendJson(reply, 200, {
        jobs: await Promise.all(page.items.map((job) => describeJob(viewDeps(deps), job))),
        ...(page.cursor !== undefined ? { next_cursor: page.cursor } : {}),
      });
    },
  );

  api.get(
    '/api/jobs/:id',
    {
      schema: {
        summary: 'Show a job: status, progress, and once completed its download and playback URLs',
        tags: ['jobs'],
        params: JobIdParamsSchema,
        response: { 200: JobViewSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const job = await getJobOr404(deps, request.params.id);
      return sendJson(reply, 200, await describeJob(viewDeps(deps), job));
    },
  );

  api.delete(
    '/api/jobs/:id',
    {
      schema: {
        summary: 'Delete a job with its uploaded and converted videos',
        tags: ['jobs'],
        params: JobIdParamsSchema,
        response: { 204: z.null().describe('deleted'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const jobId = request.params.id;
      if (!(await deleteJob(deps, jobId))) throw new HttpError(404, 'JOB_NOT_FOUND', `job ${jobId} does not exist`);
      return reply.code(204).send(null);
    },
  );
}
