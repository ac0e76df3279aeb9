/**
 * The attacks on the web UI reported in issue 14, each reproduced against the real server (real
 * HTTP, the embedded platform on SQLite and files) and shown refused with a readable reason.
 */
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { toJobId } from '@stereo-spot/shared-types';
import { csrfTokenOf, openPage, rawRequest, startPageServer, type PageServer } from '../pages/support';

const TOKEN = 'correct-horse-battery-staple';
const REBOUND_HOST = 'rebind.attacker.example:18099';
const ATTACKER_ORIGIN = `http://${REBOUND_HOST}`;

let server: PageServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function json(body: string): { error: { code: string; message: string } } {
  return JSON.parse(body) as { error: { code: string; message: string } };
}

async function createJob(url: string, headers: Record<string, string> = {}, fileName = 'clip.mp4') {
  return fetch(`${url}/api/jobs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ file_name: fileName, mode: 'sbs', file_size: 5 }),
  });
}

async function allJobIds(target: PageServer): Promise<string[]> {
  const page = await target.platform.jobs.listInProgress({ limit: 100 });
  return page.items.map((job) => job.job_id);
}

describe('DNS rebinding', () => {
  it('refuses every request naming a host this server is not reached under with 421: no page, no CSRF token, no job listed, created or deleted', async () => {
    // Prepare: a job exists; the attacker's page was served from rebind.attacker.example, now 127.0.0.1.
    server = await startPageServer();
    const victim = (await (await createJob(server.url)).json()) as { job: { job_id: string } };
    const rebound = { Host: REBOUND_HOST, Origin: ATTACKER_ORIGIN };

    // Act
    const page = await rawRequest(server.url, '/', { headers: { ...rebound, Accept: 'text/html' } });
    const list = await rawRequest(server.url, '/api/jobs', { headers: rebound });
    const create = await rawRequest(server.url, '/api/jobs', {
      method: 'POST',
      headers: { ...rebound, 'Content-Type': 'application/json' },
      body: JSON.stringify({ file_name: 'evil.mp4' }),
    });
    const remove = await rawRequest(server.url, `/api/jobs/${victim.job.job_id}`, { method: 'DELETE', headers: rebound });

    // Assess
    const expected =
      `421 Misdirected Request: this server does not answer to the host "${REBOUND_HOST}"; it answers to ` +
      `127.0.0.1:${server.port}, localhost:${server.port}, [::1]:${server.port} (set PUBLIC_BASE_URL to the address browsers use)\n`;
    for (const response of [page, list, create, remove]) {
      expect(response.status).toBe(421);
      expect(response.body).toBe(expected);
      expect(response.headers['set-cookie']).toBeUndefined();
    }
    expect(page.body).not.toContain('csrf');
    expect(list.body).not.toContain(victim.job.job_id);
    expect(await allJobIds(server)).toEqual([victim.job.job_id]);
  });

  it('refuses a presigned upload or download URL requested under a rebound Host with 421, storing nothing', async () => {
    // Prepare
    server = await startPageServer();
    const created = (await (await createJob(server.url)).json()) as { job: { job_id: string }; upload: { url: string } };
    const path = created.upload.url.slice(server.url.length);

    // Act
    const upload = await rawRequest(server.url, path, {
      method: 'PUT',
      headers: { Host: REBOUND_HOST, Origin: ATTACKER_ORIGIN, 'Content-Type': 'video/mp4', 'Content-Length': '5' },
      body: 'video',
    });

    // Assess
    expect(upload.status).toBe(421);
    expect(upload.body).toContain(`this server does not answer to the host "${REBOUND_HOST}"`);
    expect(await server.platform.inputStorage.head(`input/${created.job.job_id}/source.mp4`)).toBeUndefined();
  });

  it('answers to its loopback names and to PUBLIC_BASE_URL; /healthz answers a load balancer asking by address', async () => {
    // Prepare
    server = await startPageServer({ publicBaseUrl: 'https://stereo.example.com' });

    // Act
    const byName = await rawRequest(server.url, '/api/jobs', { headers: { Host: `localhost:${server.port}` } });
    const byIpv6 = await rawRequest(server.url, '/api/jobs', { headers: { Host: `[::1]:${server.port}` } });
    const public_ = await rawRequest(server.url, '/api/jobs', { headers: { Host: 'stereo.example.com' } });
    const health = await rawRequest(server.url, '/healthz', { headers: { Host: `10.0.3.7:${server.port}` } });
    const other = await rawRequest(server.url, '/api/jobs', { headers: { Host: `10.0.3.7:${server.port}` } });

    // Assess
    expect([byName.status, byIpv6.status, public_.status, health.status]).toEqual([200, 200, 200, 200]);
    expect(other.status).toBe(421);
    expect(other.body).toContain('stereo.example.com');
  });

  it('checks Origin against the origins it serves, not against the Host the request names', async () => {
    // Prepare: a real page's CSRF pair.
    server = await startPageServer();
    const { csrfCookie, token } = await openPage(`${server.url}/`);
    const browser = { Cookie: csrfCookie ?? '', 'X-CSRF-Token': token ?? '' };

    // Act: the attacker's Origin equal to Host used to pass; a loopback alias of this server is fine.
    const spoofed = await createJob(server.url, { ...browser, Origin: server.url.replace('127.0.0.1', 'localhost') });
    const foreign = await rawRequest(server.url, '/api/jobs', {
      method: 'POST',
      headers: { ...browser, Host: `127.0.0.1:${server.port}`, Origin: ATTACKER_ORIGIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ file_name: 'evil.mp4' }),
    });

    // Assess
    expect(spoofed.status).toBe(201);
    expect(foreign.status).toBe(403);
    expect(json(foreign.body).error.message).toBe(
      `cross-site requests are refused (Origin "${ATTACKER_ORIGIN}" is not this server); use the pages of this server`,
    );
    expect(await allJobIds(server)).toHaveLength(1);
  });
});

describe('sign-in', () => {
  async function signIn(target: PageServer, token: string, next = '/jobs', headers: Record<string, string> = {}) {
    const login = await openPage(`${target.url}/login`);
    return fetch(`${target.url}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: login.csrfCookie ?? '', ...headers },
      body: new URLSearchParams({ _csrf: login.token ?? '', token, next }).toString(),
      redirect: 'manual',
    });
  }

  it.each([
    ['/\t/evil.example/x'],
    ['/\n/evil.example/x'],
    ['//evil.example/x'],
    ['/\\evil.example/x'],
    ['/%09/evil.example/x'],
    ['https://evil.example/x'],
    ['javascript:alert(1)'],
  ])('redirects only to a path on this site after sign-in, not to %j', async (next) => {
    // Prepare
    server = await startPageServer({ authToken: TOKEN });

    // Act
    const response = await signIn(server, TOKEN, next);

    // Assess
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
  });

  it('keeps a same-site next path, and puts only a safe one in the sign-in form', async () => {
    // Prepare
    server = await startPageServer({ authToken: TOKEN });

    // Act
    const kept = await signIn(server, TOKEN, '/jobs?list=failed');
    const form = await openPage(`${server.url}/login?next=/%09/evil.example/x`);

    // Assess
    expect(kept.headers.get('location')).toBe('/jobs?list=failed');
    expect(form.body).toContain('<input type="hidden" name="next" value="/">');
  });

  it('sets a signed, expiring session cookie that is not the token; the token itself or an altered expiry is refused', async () => {
    // Prepare
    server = await startPageServer({ authToken: TOKEN });

    // Act
    const response = await signIn(server, TOKEN);
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('stereo_spot_auth=')) ?? '';
    const session = setCookie.split(';')[0] ?? '';
    const value = decodeURIComponent(session.split('=')[1] ?? '');
    const [, expiresAt = '0', mac = ''] = value.split('.');
    const withSession = await fetch(`${server.url}/api/jobs`, { headers: { Cookie: session } });
    const withRawToken = await fetch(`${server.url}/api/jobs`, { headers: { Cookie: `stereo_spot_auth=${TOKEN}` } });
    const extended = `stereo_spot_auth=${encodeURIComponent(`v1.${Number(expiresAt) + 86_400_000}.${mac}`)}`;
    const withExtended = await fetch(`${server.url}/api/jobs`, { headers: { Cookie: extended } });

    // Assess
    // v1.<expiry> signed by @fastify/cookie: an HMAC-SHA256 in base64 without padding.
    expect(value).toMatch(/^v1\.\d+\.[A-Za-z0-9+/]{43}$/);
    expect(setCookie).not.toContain(TOKEN);
    expect(setCookie).toContain('Max-Age=43200');
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).not.toContain('Secure');
    expect(Number(expiresAt) - Date.now()).toBeGreaterThan(11 * 3_600_000);
    expect(withSession.status).toBe(200);
    expect(withRawToken.status).toBe(401);
    expect(withExtended.status).toBe(401);
  });

  it('behind an https PUBLIC_BASE_URL: Secure cookies and HSTS', async () => {
    // Prepare
    server = await startPageServer({ authToken: TOKEN, publicBaseUrl: 'https://stereo.example.com' });
    const host = { Host: 'stereo.example.com' };
    const login = await rawRequest(server.url, '/login', { headers: host });
    const csrfCookie = (login.headers['set-cookie'] ?? [])[0]?.split(';')[0] ?? '';

    // Act
    const response = await rawRequest(server.url, '/login', {
      method: 'POST',
      headers: { ...host, Origin: 'https://stereo.example.com', Cookie: csrfCookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfTokenOf(login.body) ?? '', token: TOKEN, next: '/' }).toString(),
    });

    // Assess
    expect(login.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(login.headers['set-cookie']?.[0]).toContain('; Secure');
    expect(response.status).toBe(303);
    expect(response.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(response.headers['set-cookie']?.find((c) => c.startsWith('stereo_spot_auth='))).toContain('; Secure');
  });

  it('throttles wrong tokens per client: after 5 failures in a minute, 429 with Retry-After, even for the right one', async () => {
    // Prepare
    server = await startPageServer({ authToken: TOKEN });
    const wrong: number[] = [];
    for (let i = 0; i < 5; i += 1) wrong.push((await signIn(server, `guess-number-${i}`)).status);

    // Act
    const throttled = await signIn(server, TOKEN);
    const bearer = await fetch(`${server.url}/api/jobs`, { headers: { Authorization: 'Bearer guess-number-6' } });

    // Assess
    expect(wrong).toEqual([401, 401, 401, 401, 401]);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await throttled.text()).toContain('too many failed sign-ins from this client; try again in');
    expect(throttled.headers.getSetCookie().some((c) => c.startsWith('stereo_spot_auth='))).toBe(false);
    expect(bearer.status).toBe(429);
    expect(json(await bearer.text()).error.message).toMatch(/^too many wrong access tokens from this client; try again in \d+ s$/);
  });

  it('throttles wrong bearer tokens too', async () => {
    // Prepare
    server = await startPageServer({ authToken: TOKEN, limits: { loginFailuresPerMinute: 2 } });
    const guess = () => fetch(`${server!.url}/api/jobs`, { headers: { Authorization: 'Bearer wrong-token-guess' } });

    // Act
    const statuses = [(await guess()).status, (await guess()).status, (await guess()).status];

    // Assess
    expect(statuses).toEqual([401, 401, 429]);
  });
});

describe('API input', () => {
  it('answers a cursor it did not hand out with 400 and a readable error', async () => {
    // Prepare
    server = await startPageServer();

    // Act
    const response = await fetch(`${server.url}/api/jobs?cursor=garbage`);

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: 'INVALID_CURSOR',
        message: 'cursor is not one this server handed out for the in-progress list (use next_cursor from the previous page)',
      },
    });
  });

  it('refuses a file name with a right-to-left override (U+202E) with 400, naming the character', async () => {
    // Prepare
    server = await startPageServer();

    // Act
    const response = await createJob(server.url, {}, 'holiday\u202Egpj.exe');

    // Assess
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      'file_name must not contain control or invisible formatting characters (U+202E at position 8)',
    );
    expect(await allJobIds(server)).toEqual([]);
  });
});

describe('limits', () => {
  it('limits job creation per client: 429 with Retry-After past the limit', async () => {
    // Prepare
    server = await startPageServer({ limits: { jobCreationsPerMinute: 2 } });

    // Act
    const statuses = [(await createJob(server.url)).status, (await createJob(server.url)).status];
    const refused = await createJob(server.url);

    // Assess
    expect(statuses).toEqual([201, 201]);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(json(await refused.text()).error.message).toMatch(/^too many new jobs from this client; try again in \d+ s$/);
    expect(await allJobIds(server)).toHaveLength(2);
  });

  it('caps open progress streams per client (429) and in total (503)', async () => {
    // Prepare: clients told apart by X-Forwarded-For from one trusted proxy hop.
    server = await startPageServer({ limits: { maxEventStreams: 2, maxEventStreamsPerClient: 1, trustedProxyHops: 1 } });
    const created = (await (await createJob(server.url)).json()) as { job: { job_id: string } };
    const events = `${server.url}/api/jobs/${created.job.job_id}/events`;
    const open = new AbortController();
    const from = (client: string) => fetch(events, { headers: { 'X-Forwarded-For': client }, signal: open.signal });

    try {
      // Act
      const first = await from('198.51.100.1');
      const sameClient = await from('198.51.100.1');
      const second = await from('198.51.100.2');
      const overTotal = await from('198.51.100.3');

      // Assess
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(sameClient.status).toBe(429);
      expect(json(await sameClient.text()).error.message).toBe('this client has too many progress streams open; close some pages');
      expect(overTotal.status).toBe(503);
      expect(overTotal.headers.get('retry-after')).toBe('10');
    } finally {
      open.abort();
    }
  });
});

describe('uploads', () => {
  /** PUTs `chunks` to `url`, one every `everyMs`, with an optional stall before the last. */
  function slowPut(url: string, chunks: Buffer[], everyMs: number, stallMs = 0): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const size = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
      const request = httpRequest(
        url,
        { method: 'PUT', headers: { 'Content-Type': 'video/mp4', 'Content-Length': String(size) } },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (part: Buffer) => parts.push(part));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
        },
      );
      request.on('error', reject);
      void (async () => {
        for (const [i, chunk] of chunks.entries()) {
          if (i === chunks.length - 1 && stallMs > 0) await new Promise((r) => setTimeout(r, stallMs));
          if (request.destroyed) return;
          request.write(chunk);
          await new Promise((r) => setTimeout(r, everyMs));
        }
        request.end();
      })();
    });
  }

  async function newUpload(target: PageServer, size: number) {
    const response = await fetch(`${target.url}/api/jobs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ file_name: 'slow.mp4', file_size: size }),
    });
    return (await response.json()) as { job: { job_id: string }; upload: { url: string } };
  }

  it('takes a slow upload that outlasts the total request timeout while bytes keep arriving', async () => {
    // Prepare: every other request must arrive within 0.6 s; the upload runs ~1.5 s.
    server = await startPageServer({ limits: { requestTimeoutMs: 600, uploadIdleTimeoutMs: 1000 } });
    const chunks = Array.from({ length: 8 }, () => Buffer.alloc(1000, 7));
    const created = await newUpload(server, 8000);

    // Act
    const upload = await slowPut(created.upload.url, chunks, 200);

    // Assess
    expect(upload.status).toBe(200);
    expect((await server.platform.inputStorage.head(`input/${created.job.job_id}/source.mp4`))?.size).toBe(8000);
  });

  it('stops an upload that goes silent longer than the idle timeout with 408 and a reason, storing nothing', async () => {
    // Prepare
    server = await startPageServer({ limits: { uploadIdleTimeoutMs: 500 } });
    const created = await newUpload(server, 2000);

    // Act
    const upload = await slowPut(created.upload.url, [Buffer.alloc(1000), Buffer.alloc(1000)], 10, 1500);

    // Assess
    expect(upload.status).toBe(408);
    expect(json(upload.body).error.message).toBe('no upload data arrived for 0.5 s; the upload was stopped, start it again');
    expect(await server.platform.inputStorage.head(`input/${created.job.job_id}/source.mp4`)).toBeUndefined();
  });

  it('keeps a total timeout on other requests: a JSON body trickled past it gets 408', async () => {
    // Prepare
    server = await startPageServer({ limits: { requestTimeoutMs: 400 } });
    const body = JSON.stringify({ file_name: 'trickle.mp4' });

    // Act
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(
        `${server!.url}/api/jobs`,
        { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length) } },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (part: Buffer) => parts.push(part));
          answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
        },
      );
      request.on('error', reject);
      request.write(body.slice(0, 5)); // and the rest never comes
    });

    // Assess
    expect(response.status).toBe(408);
    expect(json(response.body).error.message).toBe('the request was not received within 0.4 s');
    expect(await allJobIds(server)).toEqual([]);
  });

  it('refuses a replayed upload URL with 409 once the job has moved on, and any Content-Type but media', async () => {
    // Prepare
    server = await startPageServer();
    const created = await newUpload(server, 5);
    const put = (contentType: string) =>
      fetch(created.upload.url, { method: 'PUT', headers: { 'Content-Type': contentType }, body: 'video' });
    const html = await put('text/html');
    const first = await put('video/mp4');
    await server.platform.jobs.transition(toJobId(created.job.job_id), 'chunking_in_progress');

    // Act
    const replay = await put('video/mp4');

    // Assess
    expect(html.status).toBe(415);
    expect(first.status).toBe(200);
    expect(replay.status).toBe(409);
    expect(json(await replay.text()).error.message).toBe(
      `job ${created.job.job_id} is chunking_in_progress: its upload link was already used; create a new job to upload again`,
    );
    expect(await server.platform.queues.chunking.queue.depth()).toEqual({ visible: 1, inFlight: 0 });
  });
});

describe('logs', () => {
  it('logs no presigned URL signature at debug level while jobs are created, uploaded and downloaded', async () => {
    // Prepare
    const lines: string[] = [];
    const logTo = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    server = await startPageServer({ logTo, logLevel: 'debug' });
    const created = (await (await createJob(server.url)).json()) as { upload: { url: string } };
    const signature = new URL(created.upload.url).searchParams.get('signature') ?? '';

    // Act
    await fetch(created.upload.url, { method: 'PUT', headers: { 'Content-Type': 'video/mp4' }, body: 'video' });
    await fetch(created.upload.url, { method: 'PUT', headers: { 'Content-Type': 'video/mp4' }, body: 'video' });
    await fetch(`${created.upload.url}&tampered=1`);

    // Assess
    const log = lines.join('');
    expect(signature.length).toBeGreaterThan(20);
    expect(log).toContain('/presigned/stereo-spot-input/input/');
    expect(log).toContain('?[signed query redacted]');
    expect(log).not.toContain(signature);
    expect(log).not.toMatch(/signature=/i);
  });
});
