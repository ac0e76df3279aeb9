import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { HttpError } from '../http';
import type { Router } from '../router';

const STATIC_DIR = path.resolve(__dirname, '..', '..', 'static');
const TYPES: Readonly<Record<string, string>> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** `/static/...`: the stylesheet, the page script and the pictures; nothing outside the folder. */
export function registerStaticRoutes(router: Router): void {
  const serve = async (res: ServerResponse, relative: string) => {
    const file = path.resolve(STATIC_DIR, relative);
    const type = TYPES[path.extname(file)];
    if (!file.startsWith(STATIC_DIR + path.sep) || type === undefined || !/^[a-z0-9/_-]+\.[a-z]+$/.test(relative)) {
      throw new HttpError(404, 'NOT_FOUND', 'no such static file');
    }
    const body = await readFile(file).catch(() => {
      throw new HttpError(404, 'NOT_FOUND', 'no such static file');
    });
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': 'no-cache' });
    res.end(res.req?.method === 'HEAD' ? undefined : body);
  };
  router.add('GET', '/static/:name', ({ res, params }) => serve(res, params.name ?? ''));
  router.add('GET', '/static/:dir/:name', ({ res, params }) => serve(res, `${params.dir}/${params.name}`));
}
