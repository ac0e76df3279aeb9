import { runInNewContext } from 'node:vm';
import { formatBytes, toJobId } from '@stereo-spot/shared-types';
import { startPageServer, openPage, type PageServer } from './support';

let server: PageServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function createJobThroughApi(url: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return fetch(`${url}/api/jobs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('pages', () => {
  it('renders the new-job page with every mode, the upload limit and a strict CSP', async () => {
    // Prepare
    server = await startPageServer({ maxUploadBytes: 123_456 });

    // Act
    const { response, body } = await openPage(`${server.url}/`);

    // Assess
    expect(response.status).toBe(200);
    for (const mode of ['anaglyph', 'sbs', 'half-sbs', 'tb', 'half-tb', 'cross-eyed']) {
      expect(body).toContain(`value="${mode}"`);
      expect(body).toContain(`/static/modes/${mode}.svg`);
    }
    expect(body).toContain('123456 bytes');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('escapes a file name with <script> on the jobs list and the job page', async () => {
    // Prepare
    server = await startPageServer();
    // Slashes are refused by the API, so the closing tag cannot be part of a file name.
    const evil = '<script>alert("x") & "quotes".mp4';
    const created = await createJobThroughApi(server.url, { file_name: evil, mode: 'sbs' });
    const { job } = (await created.json()) as { job: { job_id: string } };

    // Act
    const list = await openPage(`${server.url}/jobs`);
    const detail = await openPage(`${server.url}/jobs/${job.job_id}`);

    // Assess
    for (const page of [list.body, detail.body]) {
      expect(page).not.toContain('<script>alert');
      expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;) &amp; &quot;quotes&quot;.mp4');
    }
  });

  it('shows a failed job\'s error in words, escaped', async () => {
    // Prepare
    server = await startPageServer();
    const created = await createJobThroughApi(server.url, { file_name: 'broken.mp4' });
    const { job } = (await created.json()) as { job: { job_id: string } };
    await server.platform.jobs.transition(toJobId(job.job_id), 'failed', {
      error: 'ffmpeg could not read <script>alert(1)</script> as a video',
    });

    // Act
    const detail = await openPage(`${server.url}/jobs/${job.job_id}`);
    const failedList = await openPage(`${server.url}/jobs?list=failed`);

    // Assess
    expect(detail.body).toContain(
      'This job failed: ffmpeg could not read &lt;script&gt;alert(1)&lt;/script&gt; as a video',
    );
    expect(detail.body).not.toContain('<script>alert');
    expect(failedList.body).toContain('broken.mp4');
  });

  it('serves the stylesheet, the script and the mode pictures, and nothing outside static/', async () => {
    // Prepare
    server = await startPageServer();

    // Act
    const css = await fetch(`${server.url}/static/app.css`);
    const js = await fetch(`${server.url}/static/app.js`);
    const svg = await fetch(`${server.url}/static/modes/half-sbs.svg`);
    const escape = await fetch(`${server.url}/static/..%2Fpackage.json`);

    // Assess
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(js.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(escape.status).toBe(404);
  });

  it('serves the page script the same size formatter the server renders with', async () => {
    // Prepare
    server = await startPageServer();
    const sizes = [0, 1, 1023, 1024, 1536, 10 * 1024 - 1, 2_000_000, 20 * 1024 ** 2 + 300_000, 2 * 1024 ** 3, 7 * 1024 ** 4];

    // Act
    const script = await fetch(`${server.url}/static/sizes.js`);
    const source = await script.text();
    // A bare context, as a browser page has nothing of Node's: the script must stand alone.
    const page = { sizes, shown: [] as string[] };
    runInNewContext(`${source}\nfor (const size of sizes) shown.push(formatBytes(size));`, page);

    // Assess
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(page.shown).toEqual(sizes.map((size) => formatBytes(size)));
    expect(page.shown).toContain('1.9 MiB');
  });
});

describe('CSRF', () => {
  it('refuses a browser API call without the token, and takes it with the token', async () => {
    // Prepare
    server = await startPageServer();
    const { csrfCookie, token } = await openPage(`${server.url}/`);

    // Act
    const without = await createJobThroughApi(server.url, { file_name: 'a.mp4' }, { Cookie: csrfCookie ?? '' });
    const wrong = await createJobThroughApi(
      server.url,
      { file_name: 'a.mp4' },
      { Cookie: csrfCookie ?? '', 'X-CSRF-Token': 'f'.repeat(64) },
    );
    const right = await createJobThroughApi(
      server.url,
      { file_name: 'a.mp4' },
      { Cookie: csrfCookie ?? '', 'X-CSRF-Token': token ?? '' },
    );

    // Assess
    expect(without.status).toBe(403);
    expect(((await without.json()) as { error: { code: string } }).error.code).toBe('CSRF');
    expect(wrong.status).toBe(403);
    expect(right.status).toBe(201);
  });

  it('refuses a cross-site Origin even with a token', async () => {
    // Prepare
    server = await startPageServer();
    const { csrfCookie, token } = await openPage(`${server.url}/`);

    // Act
    const response = await createJobThroughApi(
      server.url,
      { file_name: 'a.mp4' },
      { Cookie: csrfCookie ?? '', 'X-CSRF-Token': token ?? '', Origin: 'https://evil.example' },
    );

    // Assess
    expect(response.status).toBe(403);
  });

  it('refuses the delete form without a matching _csrf field and keeps the job', async () => {
    // Prepare
    server = await startPageServer();
    const created = await createJobThroughApi(server.url, { file_name: 'keep.mp4' });
    const { job } = (await created.json()) as { job: { job_id: string } };
    const { csrfCookie, token } = await openPage(`${server.url}/jobs/${job.job_id}/delete`);
    const form = (csrf: string) =>
      fetch(`${server!.url}/jobs/${job.job_id}/delete`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: csrfCookie ?? '' },
        body: new URLSearchParams({ _csrf: csrf }).toString(),
        redirect: 'manual',
      });

    // Act
    const refused = await form('0'.repeat(64));
    const stillThere = await fetch(`${server.url}/api/jobs/${job.job_id}`);
    const accepted = await form(token ?? '');
    const gone = await fetch(`${server.url}/api/jobs/${job.job_id}`);

    // Assess
    expect(refused.status).toBe(403);
    expect(stillThere.status).toBe(200);
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get('location')).toBe('/jobs');
    expect(gone.status).toBe(404);
  });
});

describe('access control', () => {
  const TOKEN = 'correct-horse-battery-staple';

  it('without the token: pages redirect to sign-in, the API answers 401', async () => {
    // Prepare
    server = await startPageServer({ authToken: TOKEN });

    // Act
    const page = await openPage(`${server.url}/jobs`);
    const api = await fetch(`${server.url}/api/jobs`);
    const events = await fetch(`${server.url}/api/jobs/00000000-0000-4000-8000-000000000000/events`);
    const health = await fetch(`${server.url}/healthz`);

    // Assess
    expect(page.response.status).toBe(303);
    expect(page.response.headers.get('location')).toBe('/login?next=%2Fjobs');
    expect(api.status).toBe(401);
    expect(events.status).toBe(401);
    expect(health.status).toBe(200);
  });

  it('signing in with the token sets a cookie that opens pages and the API; a wrong token does not', async () => {
    // Prepare
    server = await startPageServer({ authToken: TOKEN });
    const login = await openPage(`${server.url}/login?next=/jobs`);
    const signIn = (token: string) =>
      fetch(`${server!.url}/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: login.csrfCookie ?? '' },
        body: new URLSearchParams({ _csrf: login.token ?? '', token, next: '/jobs' }).toString(),
        redirect: 'manual',
      });

    // Act
    const wrong = await signIn('nope');
    const right = await signIn(TOKEN);
    const authCookie = right.headers.getSetCookie().find((c) => c.startsWith('stereo_spot_auth='))?.split(';')[0];
    const page = await openPage(`${server.url}/jobs`, { Cookie: authCookie ?? '' });
    const bearer = await fetch(`${server.url}/api/jobs`, { headers: { Authorization: `Bearer ${TOKEN}` } });

    // Assess
    expect(wrong.status).toBe(401);
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/jobs');
    expect(page.response.status).toBe(200);
    expect(bearer.status).toBe(200);
  });
});

describe('upload size limit', () => {
  it('refuses a file over MAX_UPLOAD_BYTES with a readable message', async () => {
    // Prepare
    server = await startPageServer({ maxUploadBytes: 1000 });

    // Act
    const response = await createJobThroughApi(server.url, { file_name: 'big.mp4', file_size: 1001 });

    // Assess
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toBe('file_size: 1001 bytes is over the upload limit of 1000 bytes');
  });

  it('binds the presigned URL to the announced size: a bigger body is refused', async () => {
    // Prepare
    server = await startPageServer({ maxUploadBytes: 1000 });
    const created = await createJobThroughApi(server.url, { file_name: 'small.mp4', file_size: 10 });
    const { upload } = (await created.json()) as { upload: { url: string; headers: Record<string, string> } };

    // Act
    const headers = Object.fromEntries(
      Object.entries(upload.headers).filter(([name]) => name.toLowerCase() !== 'content-length'),
    );
    const response = await fetch(upload.url, { method: 'PUT', headers, body: Buffer.alloc(500) });

    // Assess
    expect(response.status).toBeGreaterThanOrEqual(400);
  }, 15_000);
});
