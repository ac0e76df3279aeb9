/// <reference lib="dom" />
/**
 * The pages in a real Chromium against every role embedded (`stereo-spot up` as a process):
 * create a job, upload, follow the progress over SSE, play, download, delete. Screenshots of each
 * page go to reports/screenshots/ (printed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { formatBytes } from '@stereo-spot/shared-types';
import { QUICK_PIPELINE_ENV, freePort, makeTempDir, makeTestClip, type TempDir } from '@stereo-spot/testing';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const CLI_MAIN = path.join(REPO_ROOT, 'apps', 'cli', 'src', 'main.ts');
const SCREENSHOTS = path.join(REPO_ROOT, 'reports', 'screenshots');
const MAX_UPLOAD_BYTES = 2_000_000;

let home: TempDir;
let upProcess: ChildProcess;
let upOutput = '';
let url: string;
let browser: Browser;

async function waitForHealthy(deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (upProcess.exitCode !== null) throw new Error(`stereo-spot up exited:\n${upOutput}`);
    if (Date.now() > until) throw new Error(`stereo-spot up did not answer in time:\n${upOutput}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  home = await makeTempDir('web-ui-browser');
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  upProcess = spawn(process.execPath, ['--import', 'tsx', CLI_MAIN, 'up'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      STEREO_SPOT_PLATFORM: 'local',
      STEREO_SPOT_HOME: home.path,
      PORT: String(port),
      ...QUICK_PIPELINE_ENV,
      MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  upProcess.stdout?.on('data', (chunk: Buffer) => (upOutput += chunk.toString()));
  upProcess.stderr?.on('data', (chunk: Buffer) => (upOutput += chunk.toString()));
  await waitForHealthy(60_000);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  await mkdir(SCREENSHOTS, { recursive: true });
  console.log(`screenshots: ${SCREENSHOTS}`);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  if (upProcess !== undefined && upProcess.exitCode === null) {
    const exited = new Promise((resolve) => upProcess.once('exit', resolve));
    upProcess.kill('SIGTERM');
    const timer = setTimeout(() => upProcess.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await home?.remove();
}, 30_000);

/** Every console error and uncaught exception of the page. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });

it('creates a job, uploads, follows it over SSE, plays, downloads and deletes it', async () => {
  // Prepare
  const clip = await makeTestClip({ width: 160, height: 90, seconds: 2, fileName: 'beach walk.mp4' });
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const errors = watchErrors(page);

  // Act: create and upload
  await page.goto(`${url}/`);
  await shot(page, 'dashboard');
  await page.check('input[name="mode"][value="sbs"]');
  await page.setInputFiles('#file', clip.path);
  await page.click('#start');
  await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  const jobId = page.url().split('/').pop() ?? '';
  await page.evaluate(() => ((window as unknown as { sameLoad: boolean }).sameLoad = true));
  const firstStatus = await page.getAttribute('#job', 'data-status');
  await shot(page, 'job-in-progress');

  // Act: follow the live progress until the page shows the player
  const seen = new Set<string>();
  let liveUpdate = false;
  for (let i = 0; i < 600; i += 1) {
    const state = await page
      .evaluate(() => ({
        sameLoad: (window as unknown as { sameLoad?: boolean }).sameLoad === true,
        status: document.getElementById('job')?.dataset.status ?? '',
        segments: document.getElementById('job-segments')?.textContent ?? '',
        player: document.getElementById('player') !== null,
      }))
      .catch(() => undefined); // the page reloads once the job completes
    if (state === undefined) continue;
    seen.add(`${state.status} ${state.segments}`);
    if (state.sameLoad && state.status !== firstStatus) liveUpdate = true;
    if (state.player) break;
    await page.waitForTimeout(200);
  }
  await page.waitForSelector('#player', { timeout: 120_000 });
  await shot(page, 'job-completed');
  const previewsLoaded = await page.evaluate(async () => {
    const images = Array.from(document.querySelectorAll<HTMLImageElement>('#previews img'));
    await Promise.all(images.map((img) => img.decode().catch(() => undefined)));
    return images.map((img) => img.naturalWidth);
  });

  // Act: play, preview as anaglyph, download
  await page.evaluate(async () => {
    const video = document.getElementById('player') as HTMLVideoElement;
    video.muted = true;
    await video.play();
  });
  await page.waitForFunction(() => (document.getElementById('player') as HTMLVideoElement).readyState >= 2);
  const readyState = await page.evaluate(() => (document.getElementById('player') as HTMLVideoElement).readyState);
  await page.click('#anaglyph-toggle');
  await page.waitForTimeout(300);
  const anaglyphShown = await page.isVisible('#anaglyph');
  await shot(page, 'job-anaglyph-preview');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const saved = path.join(home.path, 'download.mp4');
  await download.saveAs(saved);

  // Act: the jobs list, and a phone screen
  await page.goto(`${url}/jobs?list=completed`);
  const listed = await page.textContent('.jobs');
  await shot(page, 'jobs');
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const phonePage = await phone.newPage();
  const phoneErrors = watchErrors(phonePage);
  await phonePage.goto(`${url}/jobs/${jobId}`);
  await phonePage.screenshot({ path: path.join(SCREENSHOTS, 'phone-job.png'), fullPage: true });
  await phonePage.goto(`${url}/`);
  await phonePage.screenshot({ path: path.join(SCREENSHOTS, 'phone-dashboard.png'), fullPage: true });
  const phoneOverflow = await phonePage.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  await phone.close();

  // Act: delete with confirmation
  await page.goto(`${url}/jobs/${jobId}`);
  await page.click('#delete');
  await shot(page, 'delete-confirm');
  await page.click('#confirm-delete');
  await page.waitForURL(`${url}/jobs`);
  const afterDelete = await fetch(`${url}/api/jobs/${jobId}`);
  await context.close();

  // Assess
  console.log(`progress states seen: ${[...seen].join(' | ')}`);
  expect(liveUpdate).toBe(true);
  expect(readyState).toBeGreaterThanOrEqual(2);
  expect(anaglyphShown).toBe(true);
  expect(previewsLoaded).toEqual([320, 320, 320]);
  expect(download.suggestedFilename()).toBe('beach walk_LRF_Full_SBS.mp4');
  expect(listed).toContain('beach walk.mp4');
  expect(phoneOverflow).toBe(false);
  expect(afterDelete.status).toBe(404);
  expect(errors).toEqual([]);
  expect(phoneErrors).toEqual([]);
}, 240_000);

it('the new-job form works from the keyboard alone, with a visible focus', async () => {
  // Prepare
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.goto(`${url}/`);
  const focused = () =>
    page.evaluate(() => {
      const element = document.activeElement as HTMLInputElement | null;
      if (element === null || element === document.body) return { name: '', outline: 'none' };
      const name = element.id ? `#${element.id}` : `${element.tagName.toLowerCase()}[name=${element.name}]`;
      return { name, outline: getComputedStyle(element).outlineStyle };
    });

  // Act: Tab through the page, then choose another mode with the arrow keys
  const reached: { name: string; outline: string }[] = [];
  for (let i = 0; i < 30; i += 1) {
    await page.keyboard.press('Tab');
    reached.push(await focused());
  }
  await page.focus('input[name="mode"]:checked');
  const before = await page.getAttribute('input[name="mode"]:checked', 'value');
  await page.keyboard.press('ArrowDown');
  const after = await page.getAttribute('input[name="mode"]:checked', 'value');
  await page.close();

  // Assess
  const names = reached.map((r) => r.name);
  expect(names).toEqual(expect.arrayContaining(['input[name=mode]', '#divergence', '#convergence', '#file', '#start']));
  expect(names.indexOf('input[name=mode]')).toBeLessThan(names.indexOf('#start'));
  expect(reached.filter((r) => r.name !== '').every((r) => r.outline !== 'none')).toBe(true);
  expect(after).not.toBe(before);
  expect(errors).toEqual([]);
}, 60_000);

it('refuses a file over the upload limit with a readable message in the page, sizes shown as the server shows them', async () => {
  // Prepare
  const dir = await makeTempDir('web-ui-big');
  const big = path.join(dir.path, 'too big.mp4');
  await writeFile(big, Buffer.alloc(MAX_UPLOAD_BYTES + 1));
  const page = await browser.newPage();
  const errors = watchErrors(page);

  // Act
  await page.goto(`${url}/`);
  await page.setInputFiles('#file', big);
  await page.click('#start');
  await page.waitForSelector('#form-error:not([hidden])');
  const message = await page.textContent('#form-error');
  const limit = await page.textContent('#size-limit');
  await page.close();
  await dir.remove();

  // Assess
  const serverShown = /^Up to (.+) \(\d+ bytes\)\.$/.exec(limit ?? '')?.[1];
  expect(serverShown).toBe(formatBytes(MAX_UPLOAD_BYTES));
  expect(message).toBe(
    `too big.mp4 is ${formatBytes(MAX_UPLOAD_BYTES + 1)}, over the upload limit of ${serverShown}.`,
  );
  expect(limit).toContain(`${MAX_UPLOAD_BYTES} bytes`);
  expect(errors).toEqual([]);
}, 60_000);

it('renders the API docs page from the OpenAPI document, with every API operation and no console error', async () => {
  // Prepare
  const page = await browser.newPage();
  const errors = watchErrors(page);
  const outside: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(url) && !request.url().startsWith('data:')) outside.push(request.url());
  });

  // Act
  await page.goto(`${url}/api/docs`);
  await page.waitForSelector('.opblock-summary', { timeout: 30_000 });
  const operations = await page.$$eval('.opblock-summary', (blocks) =>
    blocks.map((block) => {
      const method = block.querySelector('.opblock-summary-method')?.textContent ?? '';
      const path = block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
      return `${method} ${path}`;
    }),
  );
  const title = await page.textContent('.info .title');
  await shot(page, 'api-docs');
  await page.close();

  // Assess
  expect(title).toContain('stereo-spot web UI API');
  expect(operations.sort()).toEqual([
    'DELETE /api/jobs/{id}',
    'GET /api/jobs',
    'GET /api/jobs/{id}',
    'GET /api/jobs/{id}/events',
    'GET /healthz',
    'POST /api/jobs',
  ]);
  expect(outside).toEqual([]);
  expect(errors).toEqual([]);
}, 60_000);
