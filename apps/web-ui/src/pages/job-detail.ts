import { OUTPUT_MODE_INFO, type JobView } from '@stereo-spot/shared-types';
import { html } from './html';
import { STATUS_LABELS } from './labels';
import { progressBar } from './jobs';
import { layout, timeTag } from './layout';

/** Job detail: live progress (the script follows the SSE stream), the error, or the player. */
export function jobDetailPage(csrf: string, job: JobView) {
  const info = OUTPUT_MODE_INFO[job.mode];
  const total = job.progress.total_segments ?? 0;
  const strip = Array.from(
    { length: total },
    (_, i) => html`<span class="${i < job.progress.segments_done ? 'done' : ''}"></span>`,
  );
  const layoutAttr = info.isStereoPair ? (info.heightFactor === 2 || job.mode.endsWith('tb') ? 'tb' : 'sbs') : '';
  const player =
    job.status === 'completed' && job.playback_url !== undefined
      ? html`<section class="card" aria-labelledby="result-title"><h2 id="result-title">Result</h2>
<div class="player"><video id="player" controls preload="metadata" playsinline crossorigin="anonymous" src="${job.playback_url}"></video>
<canvas id="anaglyph" hidden></canvas></div>
<p class="actions">
${job.download_url !== undefined ? html`<a class="button" id="download" href="${job.download_url}" download="${job.download_file_name ?? ''}">Download ${job.download_file_name ?? ''}</a>` : ''}
${layoutAttr !== '' ? html`<button type="button" id="anaglyph-toggle" data-layout="${layoutAttr}" data-swap="${job.mode === 'cross-eyed' ? '1' : '0'}" aria-pressed="false">Preview as anaglyph</button>` : ''}
</p></section>`
      : '';
  return layout({
    title: job.source_file_name,
    csrf,
    current: 'jobs',
    body: html`<h1 class="title">${job.source_file_name}</h1>
<section class="card" id="job" data-job-id="${job.job_id}" data-status="${job.status}" aria-labelledby="progress-title">
<h2 id="progress-title">Progress</h2>
<dl class="facts">
<dt>Status</dt><dd id="job-status">${STATUS_LABELS[job.status]}</dd>
<dt>Stage</dt><dd id="job-stage">${job.progress.stage}</dd>
<dt>Mode</dt><dd>${info.label}</dd>
<dt>Depth</dt><dd>divergence ${job.stereo.divergence}, convergence ${job.stereo.convergence}</dd>
<dt>Created</dt><dd>${timeTag(job.created_at)}</dd>
<dt>Elapsed</dt><dd><span id="elapsed" data-since="${job.created_at}" data-until="${job.completed_at ?? (job.status === 'failed' ? (job.updated_at ?? '') : '')}"></span></dd>
<dt>Segments</dt><dd id="job-segments">${job.progress.segments_done} / ${total === 0 ? '?' : total}</dd>
</dl>
<div id="job-progress">${progressBar(job)}</div>
<div class="strip" id="strip" aria-hidden="true">${strip}</div>
<p class="error" id="job-error" role="alert"${job.error === undefined ? html` hidden` : ''}>${job.error === undefined ? '' : `This job failed: ${job.error}`}</p>
</section>
${previews(job)}
${player}
<p><a class="button danger" id="delete" href="/jobs/${job.job_id}/delete">Delete job…</a></p>`,
  });
}

export function deleteConfirmPage(csrf: string, job: JobView) {
  return layout({
    title: 'Delete job',
    csrf,
    current: 'jobs',
    body: html`<h1>Delete this job?</h1>
<form class="card" method="post" action="/jobs/${job.job_id}/delete">
<p>“${job.source_file_name}” and its uploaded and converted videos will be removed for good.</p>
<input type="hidden" name="_csrf" value="${csrf}">
<p class="actions"><button type="submit" class="danger" id="confirm-delete">Delete</button>
<a class="button" href="/jobs/${job.job_id}">Cancel</a></p>
</form>`,
  });
}

export function loginPage(csrf: string, next: string, failed: boolean) {
  return layout({
    title: 'Sign in',
    csrf,
    body: html`<h1>Sign in</h1>
<form class="card" method="post" action="/login">
<input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="next" value="${next}">
<div class="field"><label for="token">Access token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required></div>
${failed ? html`<p class="error" role="alert">That token is not right.</p>` : ''}
<button type="submit">Sign in</button>
</form>`,
  });
}

export function errorPage(csrf: string, status: number, message: string) {
  return layout({
    title: `Error ${status}`,
    csrf,
    body: html`<h1>Something is wrong (${status})</h1><p class="error" role="alert">${message}</p><p><a href="/">Back to the start</a></p>`,
  });
}

/** Stills of the source, its depth and the 3D result, shown once a segment is converted. */
function previews(job: JobView) {
  const ready = job.progress.segments_done > 0 && job.status !== 'failed';
  const figure = (kind: string, caption: string) => {
    const src = `/jobs/${job.job_id}/preview/${kind}.png`;
    return html`<figure><img ${ready ? html`src="${src}"` : html`data-src="${src}"`} alt="${caption}" width="320"><figcaption>${caption}</figcaption></figure>`;
  };
  return html`<section class="card" id="previews" aria-labelledby="previews-title"${ready ? '' : html` hidden`}>
<h2 id="previews-title">Preview</h2>
<div class="previews">${figure('source', 'Source')}${figure('depth', 'Depth map (light is near)')}${figure('result', '3D result')}</div>
</section>`;
}
