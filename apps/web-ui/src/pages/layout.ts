import type { FastifyReply } from 'fastify';
import { html, type Html } from './html';

export interface LayoutOptions {
  readonly title: string;
  readonly csrf: string;
  /** Which top navigation item is current. */
  readonly current?: 'new' | 'jobs';
  readonly body: Html;
}

export function layout(options: LayoutOptions): Html {
  const nav = (href: string, key: 'new' | 'jobs', label: string) =>
    html`<a href="${href}"${options.current === key ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${options.csrf}">
<title>${options.title} · stereo-spot</title>
<link rel="stylesheet" href="/static/app.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<script src="/static/sizes.js" defer></script>
<script src="/static/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="/">stereo-spot</a><nav aria-label="Main">${nav('/', 'new', 'New job')}${nav('/jobs', 'jobs', 'Jobs')}</nav></header>
<main id="main">
${options.body}
</main>
</body>
</html>
`;
}

export function sendHtml(reply: FastifyReply, status: number, page: Html): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page.text);
}

export function redirect(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).header('cache-control', 'no-store').send();
}

/** `<time>` in UTC; the page script rewrites it in the viewer's time zone. */
export function timeTag(epochMs: number, relative = false): Html {
  const iso = new Date(epochMs).toISOString();
  return html`<time datetime="${iso}"${relative ? html` data-relative` : ''}>${iso.replace('T', ' ').slice(0, 16)} UTC</time>`;
}
