import {
  createJob,
  deleteJob,
  describeJob,
  InvalidRequestError,
  isPermanentError,
  type JobViewDeps,
} from '@stereo-spot/pipeline';
import {
  parseJobId,
  type Job,
  type JobId,
  type JobListResponse,
  type CreateJobResponse,
} from '@stereo-spot/shared-types';
import { HttpError, readJsonBody, sendJson } from '../http';
import type { RouteContext, Router } from '../router';
import { enforce, type RequestGuards } from '../security/limits';
import type { ApiDeps } from './deps';

const MAX_REQUEST_BYTES = 64 * 1024;
const LISTS = ['in-progress', 'completed', 'failed'] as const;
type JobList = (typeof LISTS)[number];

export function jobIdParam(context: RouteContext): JobId {
  const parsed = parseJobId(context.params.id);
  if (!parsed.ok) throw new HttpError(400, 'INVALID_JOB_ID', parsed.error.message);
  return parsed.value;
}

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
export function registerJobRoutes(router: Router, deps: ApiDeps, guards: RequestGuards): void {
  router.add('POST', '/api/jobs', async ({ req, res }) => {
    enforce(res, guards.jobCreations.take(guards.clientOf(req)), 'too many new jobs from this client');
    const body = await readJsonBody(req, MAX_REQUEST_BYTES);
    try {
      const created = await createJob(deps, body);
      const response: CreateJobResponse = {
        job: await describeJob(viewDeps(deps), created.job),
        upload: created.upload,
      };
      sendJson(res, 201, response);
    } catch (error) {
      if (error instanceof InvalidRequestError) throw new HttpError(400, 'INVALID_REQUEST', error.message);
      throw error;
    }
  });

  router.add('GET', '/api/jobs', async ({ res, url }) => {
    const list = (url.searchParams.get('status') ?? 'in-progress') as JobList;
    if (!LISTS.includes(list)) {
      throw new HttpError(400, 'INVALID_REQUEST', `status must be one of ${LISTS.join(', ')}`);
    }
    const limitText = url.searchParams.get('limit') ?? '20';
    const limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > 100) {
      throw new HttpError(400, 'INVALID_REQUEST', 'limit must be an integer from 1 to 100');
    }
    const cursor = url.searchParams.get('cursor') ?? undefined;
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
    const response: JobListResponse = {
      jobs: await Promise.all(page.items.map((job) => describeJob(viewDeps(deps), job))),
      ...(page.cursor !== undefined ? { next_cursor: page.cursor } : {}),
    };
    sendJson(res, 200, response);
  });

  router.add('GET', '/api/jobs/:id', async (context) => {
    const job = await getJobOr404(deps, jobIdParam(context));
    sendJson(context.res, 200, await describeJob(viewDeps(deps), job));
  });

  router.add('DELETE', '/api/jobs/:id', async (context) => {
    const jobId = jobIdParam(context);
    if (!(await deleteJob(deps, jobId)))
      throw new HttpError(404, 'JOB_NOT_FOUND', `job ${jobId} does not exist`);
    context.res.writeHead(204).end();
  });
}
