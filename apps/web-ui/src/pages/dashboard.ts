import { OUTPUT_MODES, OUTPUT_MODE_INFO, STEREO_LIMITS, DEFAULT_OUTPUT_MODE, formatBytes } from '@stereo-spot/shared-types';
import { html } from './html';
import { layout } from './layout';

/** The new-job page: mode, stereo settings and the file; the script creates the job and uploads. */
export function dashboardPage(csrf: string, maxUploadBytes: number) {
  const { divergence, convergence } = STEREO_LIMITS;
  const modes = OUTPUT_MODES.map((mode) => {
    const info = OUTPUT_MODE_INFO[mode];
    return html`<label class="mode">
<input type="radio" name="mode" value="${mode}"${mode === DEFAULT_OUTPUT_MODE ? html` checked` : ''}>
<img src="/static/modes/${mode}.svg" alt="" width="96" height="54">
<span class="mode-text"><strong>${info.label}</strong><span>${info.description}</span></span>
</label>`;
  });
  return layout({
    title: 'New job',
    csrf,
    current: 'new',
    body: html`<h1>Convert a video to 3D</h1>
<form id="new-job" class="card" data-max-bytes="${maxUploadBytes}" novalidate>
<fieldset><legend>Output mode</legend><div class="modes">${modes}</div></fieldset>
<fieldset><legend>Depth</legend>
<div class="field"><label for="divergence">3D strength (divergence, % of width)</label>
<input id="divergence" name="divergence" type="number" min="${divergence.min}" max="${divergence.max}" step="0.1" value="${divergence.default}" required>
<p class="hint">${divergence.min} is flat, ${divergence.max} is extreme; ${divergence.default} suits most screens.</p></div>
<div class="field"><label for="convergence">Convergence (screen plane)</label>
<input id="convergence" name="convergence" type="number" min="${convergence.min}" max="${convergence.max}" step="0.05" value="${convergence.default}" required>
<p class="hint">0 puts everything in front of the screen, 1 everything behind it.</p></div>
</fieldset>
<fieldset><legend>Video</legend>
<div class="drop" id="drop"><label for="file">Choose a video or drop it here</label>
<input id="file" name="file" type="file" accept="video/*" required>
<p class="hint" id="size-limit">Up to ${formatBytes(maxUploadBytes)} (${maxUploadBytes} bytes).</p></div>
</fieldset>
<p class="error" id="form-error" role="alert" hidden></p>
<div class="upload" id="upload" hidden>
<progress id="upload-progress" max="100" value="0">0%</progress>
<p id="upload-status" aria-live="polite"></p>
</div>
<button type="submit" id="start">Upload and convert</button>
<noscript><p class="error">Uploading needs JavaScript; the API (POST /api/jobs) works without it.</p></noscript>
</form>`,
  });
}
