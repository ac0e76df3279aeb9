import { OUTPUT_MODE_INFO, type JobView } from '@stereo-spot/shared-types';
import { html } from './html';
import { STATUS_LABELS } from './labels';
import { layout, timeTag } from './layout';

export const JOB_LISTS = [
  { key: 'in-progress', label: 'In progress' },
  { key: 'completed', label: 'Completed' },
  { key: 'failed', label: 'Failed' },
] as const;
export type JobListKey = (typeof JOB_LISTS)[number]['key'];

export function progressBar(view: JobView) {
  const percent = Math.round(view.progress.fraction * 100);
  return html`<progress max="100" value="${percent}" aria-label="Progress">${percent}%</progress>`;
}

export function jobsPage(csrf: string, list: JobListKey, jobs: readonly JobView[], nextCursor?: string) {
  const tabs = JOB_LISTS.map(
    (tab) =>
      html`<a href="/jobs?list=${tab.key}"${tab.key === list ? html` aria-current="page"` : ''}>${tab.label}</a>`,
  );
  const rows = jobs.map(
    (job) => html`<li class="job status-${job.status}">
<a class="job-title" href="/jobs/${job.job_id}">${job.source_file_name}</a>
<span class="badge">${STATUS_LABELS[job.status]}</span>
<span class="mode-name">${OUTPUT_MODE_INFO[job.mode].label}</span>
${timeTag(job.created_at, true)}
${progressBar(job)}<span class="stage">${job.progress.stage}</span>
</li>`,
  );
  return layout({
    title: 'Jobs',
    csrf,
    current: 'jobs',
    body: html`<h1>Jobs</h1>
<nav class="tabs" aria-label="Job lists">${tabs}</nav>
${jobs.length === 0 ? html`<p class="empty">No jobs here yet. <a href="/">Start one</a>.</p>` : html`<ul class="jobs">${rows}</ul>`}
${nextCursor !== undefined ? html`<p><a class="button" href="/jobs?list=${list}&amp;cursor=${encodeURIComponent(nextCursor)}">Older jobs</a></p>` : ''}`,
  });
}
