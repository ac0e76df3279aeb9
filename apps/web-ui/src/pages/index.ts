import type { IncomingMessage } from 'node:http';
import { deleteJob, describeJob } from '@stereo-spot/pipeline';
import type { ApiDeps } from '../api';
import { getJobOr404, jobIdParam, viewDeps } from '../api/jobs';
import { HttpError } from '../http';
import type { Router } from '../router';
import { dashboardPage } from './dashboard';
import { deleteConfirmPage, jobDetailPage, loginPage } from './job-detail';
import { JOB_LISTS, jobsPage, type JobListKey } from './jobs';
import { redirect, sendHtml } from './layout';
import type { RequestGuards } from '../security/limits';
import { enforce } from '../security/limits';
import { sameOriginPath } from '../security/safe-redirect';
import type { SessionSigner } from '../security/session-cookie';
import { csrfToken, csrfTokenMatches, sameSecret, setSessionCookie } from './security';
import { registerPreviewRoutes } from './previews';
import { registerStaticRoutes } from './static-files';

export { html, escapeHtml, Html } from './html';
export { errorPage } from './job-detail';
export { sendHtml } from './layout';
export * from './security';

const MAX_FORM_BYTES = 8 * 1024;
const PAGE_SIZE = 20;

export interface PageOptions {
  /** WEB_UI_AUTH_TOKEN and the signer of the sessions that sign-in hands out. */
  readonly auth?: { readonly token: string; readonly session: SessionSigner };
  readonly guards: RequestGuards;
}

/** The server-rendered pages: new job, jobs, job detail, delete, sign-in, and the static files. */
export function registerPageRoutes(router: Router, deps: ApiDeps, options: PageOptions): void {
  registerStaticRoutes(router);
  registerPreviewRoutes(router, deps);

  router.add('GET', '/', ({ req, res }) => {
    sendHtml(res, 200, dashboardPage(csrfToken(req, res), deps.maxUploadBytes));
  });

  router.add('GET', '/jobs', async ({ req, res, url }) => {
    const requested = url.searchParams.get('list') ?? 'in-progress';
    const list = JOB_LISTS.find((tab) => tab.key === requested)?.key ?? 'in-progress';
    const cursor = url.searchParams.get('cursor') ?? undefined;
    const query = { limit: PAGE_SIZE, ...(cursor !== undefined && cursor !== '' ? { cursor } : {}) };
    const page = await listJobs(deps, list, query).catch((error: unknown) => {
      throw new HttpError(400, 'INVALID_REQUEST', `that page of jobs cannot be read: ${(error as Error).message}`);
    });
    const views = await Promise.all(page.items.map((job) => describeJob(viewDeps(deps), job)));
    sendHtml(res, 200, jobsPage(csrfToken(req, res), list, views, page.cursor));
  });

  router.add('GET', '/jobs/:id', async (context) => {
    const job = await getJobOr404(deps, jobIdParam(context));
    const view = await describeJob(viewDeps(deps), job);
    sendHtml(context.res, 200, jobDetailPage(csrfToken(context.req, context.res), view));
  });

  router.add('GET', '/jobs/:id/delete', async (context) => {
    const job = await getJobOr404(deps, jobIdParam(context));
    const view = await describeJob(viewDeps(deps), job);
    sendHtml(context.res, 200, deleteConfirmPage(csrfToken(context.req, context.res), view));
  });

  router.add('POST', '/jobs/:id/delete', async (context) => {
    const jobId = jobIdParam(context);
    await readForm(context.req);
    await deleteJob(deps, jobId);
    redirect(context.res, '/jobs');
  });

  router.add('GET', '/login', ({ req, res, url }) => {
    sendHtml(res, 200, loginPage(csrfToken(req, res), safeNext(url.searchParams.get('next')), false));
  });

  router.add('POST', '/login', async ({ req, res }) => {
    const form = await readForm(req);
    const next = safeNext(form.get('next'));
    const { auth } = options;
    if (auth === undefined) {
      redirect(res, next);
      return;
    }
    const client = options.guards.clientOf(req);
    enforce(res, options.guards.loginFailures.check(client), 'too many failed sign-ins from this client');
    if (sameSecret(form.get('token') ?? '', auth.token)) {
      setSessionCookie(res, auth.session.issue(Date.now()));
      redirect(res, next);
      return;
    }
    options.guards.loginFailures.record(client);
    sendHtml(res, 401, loginPage(csrfToken(req, res), next, true));
  });
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

/** A urlencoded form body, refused unless its `_csrf` field matches the browser's CSRF cookie. */
async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the form as application/x-www-form-urlencoded');
  }
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new HttpError(413, 'BODY_TOO_LARGE', 'the form is too large');
    chunks.push(chunk);
  }
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  if (!csrfTokenMatches(req, form.get('_csrf') ?? undefined)) {
    throw new HttpError(403, 'CSRF', 'this form is out of date or came from another site; reload the page and try again');
  }
  return form;
}
