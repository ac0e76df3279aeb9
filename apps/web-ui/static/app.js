// stereo-spot pages: upload with progress, live job progress over SSE, local times, anaglyph preview.
// Sizes are shown by formatBytes from /static/sizes.js (shared-types' formatter, loaded first).
/* global formatBytes */
'use strict';

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

  function formatDuration(seconds) {
    if (!Number.isFinite(seconds) || seconds < 0) return '?';
    const s = Math.round(seconds);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const r = s % 60;
    return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${r} s` : `${r} s`;
  }

  // Times in the viewer's time zone; `data-relative` ones also say how long ago.
  function localizeTimes() {
    for (const el of document.querySelectorAll('time[datetime]')) {
      const date = new Date(el.getAttribute('datetime'));
      if (Number.isNaN(date.getTime())) continue;
      const local = date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
      el.title = local;
      el.textContent = el.hasAttribute('data-relative')
        ? `${formatDuration((Date.now() - date.getTime()) / 1000)} ago`
        : local;
    }
  }

  function showError(el, message) {
    el.textContent = message;
    el.hidden = false;
    el.focus?.();
  }

  function setupNewJob() {
    const form = document.getElementById('new-job');
    if (!form) return;
    const fileInput = document.getElementById('file');
    const errorBox = document.getElementById('form-error');
    const drop = document.getElementById('drop');
    const button = document.getElementById('start');
    drop.addEventListener('dragover', (event) => {
      event.preventDefault();
      drop.classList.add('over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (event) => {
      event.preventDefault();
      drop.classList.remove('over');
      if (event.dataTransfer?.files?.length) fileInput.files = event.dataTransfer.files;
    });

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      errorBox.hidden = true;
      const file = fileInput.files?.[0];
      if (!file) return showError(errorBox, 'Choose a video file first.');
      const maxBytes = Number(form.dataset.maxBytes);
      if (maxBytes > 0 && file.size > maxBytes) {
        return showError(
          errorBox,
          `${file.name} is ${formatBytes(file.size)}, over the upload limit of ${formatBytes(maxBytes)}.`,
        );
      }
      const data = new FormData(form);
      button.disabled = true;
      try {
        const response = await fetch('/api/jobs', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
          body: JSON.stringify({
            file_name: file.name,
            file_size: file.size,
            mode: data.get('mode'),
            divergence: Number(data.get('divergence')),
            convergence: Number(data.get('convergence')),
          }),
        });
        const body = await response.json().catch(() => ({}));
        if (!response.ok) {
          throw new Error(body?.error?.message ?? `the server answered ${response.status}`);
        }
        await upload(file, body.upload);
        window.location.assign(`/jobs/${encodeURIComponent(body.job.job_id)}`);
      } catch (error) {
        showError(errorBox, `Could not start the job: ${error.message}`);
        button.disabled = false;
      }
    });
  }

  function upload(file, target) {
    const box = document.getElementById('upload');
    const bar = document.getElementById('upload-progress');
    const status = document.getElementById('upload-status');
    box.hidden = false;
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(target.method, target.url);
      for (const [name, value] of Object.entries(target.headers ?? {})) {
        if (name.toLowerCase() !== 'content-length') xhr.setRequestHeader(name, value);
      }
      xhr.upload.addEventListener('progress', (event) => {
        if (!event.lengthComputable) return;
        const seconds = (performance.now() - started) / 1000;
        const speed = seconds > 0 ? event.loaded / seconds : 0;
        const percent = Math.round((event.loaded / event.total) * 100);
        bar.value = percent;
        bar.textContent = `${percent}%`;
        const left = speed > 0 ? (event.total - event.loaded) / speed : NaN;
        status.textContent = `${percent}% · ${formatBytes(speed)}/s · ${formatDuration(left)} left`;
      });
      xhr.addEventListener('load', () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          bar.value = 100;
          status.textContent = 'Uploaded; starting the conversion…';
          resolve();
        } else {
          reject(new Error(`the upload was refused (${xhr.status}) ${xhr.responseText.slice(0, 200)}`));
        }
      });
      xhr.addEventListener('error', () => reject(new Error('the upload failed (network error)')));
      xhr.send(file);
    });
  }

  const STATUS_LABELS = {
    created: 'Waiting for upload',
    chunking_in_progress: 'Splitting',
    chunking_complete: 'Converting',
    completed: 'Completed',
    failed: 'Failed',
  };

  function setupJobDetail() {
    const section = document.getElementById('job');
    if (!section) return;
    const elapsed = document.getElementById('elapsed');
    const tick = () => {
      const since = Number(elapsed.dataset.since);
      const until = elapsed.dataset.until ? Number(elapsed.dataset.until) : Date.now();
      elapsed.textContent = formatDuration((until - since) / 1000);
    };
    tick();
    const timer = window.setInterval(tick, 1000);
    const status = section.dataset.status;
    if (status === 'completed' || status === 'failed') {
      window.clearInterval(timer);
      return;
    }
    const jobId = section.dataset.jobId;
    const events = new EventSource(`/api/jobs/${encodeURIComponent(jobId)}/events`);
    events.addEventListener('job', (event) => {
      const view = JSON.parse(event.data);
      render(view);
      if (view.status === 'completed' || view.status === 'failed') {
        events.close();
        window.clearInterval(timer);
        elapsed.dataset.until = String(view.completed_at ?? view.updated_at ?? Date.now());
        tick();
        // The player and download links are rendered by the server.
        if (view.status === 'completed') window.location.reload();
      }
    });
    events.addEventListener('gone', () => {
      events.close();
      window.location.assign('/jobs');
    });
  }

  function render(view) {
    const section = document.getElementById('job');
    section.dataset.status = view.status;
    document.getElementById('job-status').textContent = STATUS_LABELS[view.status] ?? view.status;
    document.getElementById('job-stage').textContent = view.progress.stage;
    const total = view.progress.total_segments ?? 0;
    const done = view.progress.segments_done;
    document.getElementById('job-segments').textContent = `${done} / ${total === 0 ? '?' : total}`;
    const bar = document.querySelector('#job-progress progress');
    const percent = Math.round(view.progress.fraction * 100);
    bar.value = percent;
    bar.textContent = `${percent}%`;
    const strip = document.getElementById('strip');
    while (strip.children.length < total) strip.appendChild(document.createElement('span'));
    [...strip.children].forEach((cell, i) => cell.classList.toggle('done', i < done));
    const previews = document.getElementById('previews');
    if (previews && previews.hidden && done > 0 && view.status !== 'failed') {
      for (const img of previews.querySelectorAll('img[data-src]')) img.src = img.dataset.src;
      previews.hidden = false;
    }
    if (view.error) showError(document.getElementById('job-error'), `This job failed: ${view.error}`);
  }

  // Red-cyan preview of a side-by-side or top-bottom video, drawn from the playing frames.
  function setupAnaglyph() {
    const toggle = document.getElementById('anaglyph-toggle');
    const video = document.getElementById('player');
    const canvas = document.getElementById('anaglyph');
    if (!toggle || !video || !canvas) return;
    const topBottom = toggle.dataset.layout === 'tb';
    const swap = toggle.dataset.swap === '1';
    let on = false;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    const draw = () => {
      if (!on) return;
      const w = video.videoWidth;
      const h = video.videoHeight;
      if (w > 0 && h > 0) {
        const vw = topBottom ? w : w / 2;
        const vh = topBottom ? h / 2 : h;
        canvas.width = vw;
        canvas.height = vh;
        try {
          context.drawImage(video, 0, 0, vw, vh, 0, 0, vw, vh);
          const first = context.getImageData(0, 0, vw, vh);
          context.drawImage(video, topBottom ? 0 : vw, topBottom ? vh : 0, vw, vh, 0, 0, vw, vh);
          const second = context.getImageData(0, 0, vw, vh);
          const left = swap ? second : first;
          const right = swap ? first : second;
          for (let i = 0; i < left.data.length; i += 4) right.data[i] = left.data[i];
          context.putImageData(right, 0, 0);
        } catch (error) {
          toggle.textContent = 'Anaglyph preview unavailable here';
          toggle.disabled = true;
          on = false;
          canvas.hidden = true;
          return;
        }
      }
      video.requestVideoFrameCallback ? video.requestVideoFrameCallback(draw) : requestAnimationFrame(draw);
    };
    toggle.addEventListener('click', () => {
      on = !on;
      toggle.setAttribute('aria-pressed', String(on));
      toggle.textContent = on ? 'Show the original layout' : 'Preview as anaglyph';
      canvas.hidden = !on;
      video.classList.toggle('behind', on);
      if (on) draw();
    });
  }

  // A still the server could not make (no ffmpeg where it runs) hides its figure instead of
  // showing a broken image.
  function setupPreviews() {
    for (const img of document.querySelectorAll('#previews img')) {
      const hide = () => {
        img.closest('figure').hidden = true;
      };
      img.addEventListener('error', hide);
      if (img.getAttribute('src') && img.complete && img.naturalWidth === 0) hide();
    }
  }

  function start() {
    localizeTimes();
    setupNewJob();
    setupJobDetail();
    setupPreviews();
    setupAnaglyph();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
