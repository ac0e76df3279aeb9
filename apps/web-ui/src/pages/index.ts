import { deleteJob, describeJob } from '@stereo-spot/pipeline';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiDeps } from '../api';
import { getJobOr404, viewDeps } from '../api/jobs';
import { JobIdParamsSchema } from '../api/schemas';
import { HttpError, isForm } from '../http';
import { sameSecret, type FailureThrottle } from '../security/auth';
import { sameOriginPath } from '../security/safe-redirect';
import { SESSION_COOKIE, sessionValue } from '../security/session-cookie';
import { dashboardPage } from './dashboard';
import { deleteConfirmPage, jobDetailPage, loginPage } from './job-detail';
import { JOB_LISTS, jobsPage, type JobListKey } from './jobs';
import { redirect, sendHtml } from './layout';
import { registerPreviewRoutes } from './previews';
import { registerStaticRoutes } from './static-files';

export { html, escapeHtml, Html } from './html';
export { errorPage } from './job-detail';
export { sendHtml } from './layout';

/** Fastify's bodyLimit for the sign-in and delete forms. */
const MAX_FORM_BYTES = 8 * 1024;
const PAGE_SIZE = 20;

export interface PageOptions {
  /** WEB_UI_AUTH_TOKEN, how long a sign-in lasts, and the counter of failed sign-ins. */
  readonly auth?: { readonly token: string; readonly sessionTtlMs: number; readonly failures: FailureThrottle };
  /** Cookies get `Secure` (PUBLIC_BASE_URL is https). */
  readonly secureCookies: boolean;
}

const HIDDEN = { hide: true } as const;
const JobPageParams = JobIdParamsSchema;
const JobsQuery = z.object({ list: z.string().optional(), cursor: z.string().max(2048).optional() });
const LoginQuery = z.object({ next: z.string().optional() });
const LoginForm = z.object({ token: z.string().max(1024).default(''), next: z.string().max(2048).optional() });

/** The server-rendered pages: new job, jobs, job detail, delete, sign-in, and the static files. */
export async function registerPageRoutes(app: FastifyInstance, deps: ApiDeps, options: PageOptions): Promise<void> {
  await registerStaticRoutes(app);
  registerPreviewRoutes(app, deps);
  const pages = app.withTypeProvider<ZodTypeProvider>();

  pages.get('/', { schema: HIDDEN }, async (_request, reply) =>
    sendHtml(reply, 200, dashboardPage(reply.generateCsrf(), deps.maxUploadBytes)),
  );

  pages.get('/jobs', { schema: { ...HIDDEN, querystring: JobsQuery } }, async (request, reply) => {
    const list = JOB_LISTS.find((tab) => tab.key === request.query.list)?.key ?? 'in-progress';
    const cursor = request.query.cursor;
    const query = { limit: PAGE_SIZE, ...(cursor !== undefined && cursor !== '' ? { cursor } : {}) };
    const page = await listJobs(deps, list, query).catch((error: unknown) => {
      throw new HttpError(400, 'INVALID_REQUEST', `that page of jobs cannot be read: ${(error as Error).message}`);
    });
    const views = await Promise.all(page.items.map((job) => describeJob(viewDeps(deps), job)));
    return sendHtml(reply, 200, jobsPage(reply.generateCsrf(), list, views, page.cursor));
  });

  pages.get('/jobs/:id', { schema: { ...HIDDEN, params: JobPageParams } }, async (request, reply) => {
    const view = await describeJob(viewDeps(deps), await getJobOr404(deps, request.params.id));
    return sendHtml(reply, 200, jobDetailPage(reply.generateCsrf(), view));
  });

  pages.get('/jobs/:id/delete', { schema: { ...HIDDEN, params: JobPageParams } }, async (request, reply) => {
    const view = await describeJob(viewDeps(deps), await getJobOr404(deps, request.params.id));
    return sendHtml(reply, 200, deleteConfirmPage(reply.generateCsrf(), view));
  });

  // The CSRF check (security/csrf.ts) has read the form's `_csrf` field before these run.
  pages.post('/jobs/:id/delete', { bodyLimit: MAX_FORM_BYTES, schema: { ...HIDDEN, params: JobPageParams } }, async (request, reply) => {
    requireForm(request);
    await deleteJob(deps, request.params.id);
    return redirect(reply, '/jobs');
  });

  pages.get('/login', { schema: { ...HIDDEN, querystring: LoginQuery } }, async (request, reply) =>
    sendHtml(reply, 200, loginPage(reply.generateCsrf(), safeNext(request.query.next), false)),
  );

  pages.post('/login', { bodyLimit: MAX_FORM_BYTES, schema: { ...HIDDEN } }, async (request, reply) => {
    requireForm(request);
    const form = LoginForm.parse(request.body ?? {});
    const next = safeNext(form.next);
    const { auth } = options;
    if (auth === undefined) return redirect(reply, next);
    await auth.failures.refuseIfThrottled(request, reply, 'too many failed sign-ins from this client');
    if (sameSecret(form.token, auth.token)) {
      const session = sessionValue(Date.now(), auth.sessionTtlMs);
      reply.setCookie(SESSION_COOKIE, session.value, {
        signed: true,
        path: '/',
        sameSite: 'strict',
        httpOnly: true,
        secure: options.secureCookies,
        maxAge: session.maxAgeSeconds,
      });
      return redirect(reply, next);
    }
    await auth.failures.recordFailure(request);
    return sendHtml(reply, 401, loginPage(reply.generateCsrf(), next, true));
  });
}

function requireForm(request: FastifyRequest): void {
  if (!isForm(request)) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the form as application/x-www-form-urlencoded');
  }
}

function listJobs(deps: ApiDeps, list: JobListKey, query: { limit: number; cursor?: string }) {
  if (list === 'completed') return deps.jobs.listCompleted(query);
  if (list === 'failed') return deps.jobs.listFailed(query);
  return deps.jobs.listInProgress(query);
}

/** Only a path on this site (security/safe-redirect.ts), else the new-job page. */
function safeNext(next: string | null | undefined): string {
  return sameOriginPath(next) ?? '/';
}
