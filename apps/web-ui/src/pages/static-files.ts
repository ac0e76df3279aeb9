import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { formatBytes } from '@stereo-spot/shared-types';

const STATIC_DIR = path.resolve(__dirname, '..', '..', 'static');

/**
 * The page script's size formatter: the source of shared-types' `formatBytes` itself (a global
 * function for app.js), so the page and the server show a size the same way.
 */
export const SIZES_SCRIPT = `'use strict';\n// shared-types formatBytes, served as is\n${formatBytes.toString()}\n`;

/** `/static/...`: the stylesheet, the page scripts and the pictures (@fastify/static: nothing outside the folder). */
export async function registerStaticRoutes(app: FastifyInstance): Promise<void> {
  app.get('/static/sizes.js', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=0').send(SIZES_SCRIPT),
  );
  await app.register(fastifyStatic, {
    root: STATIC_DIR,
    prefix: '/static/',
    // The files change with the code: browsers revalidate (ETag) instead of caching for a day.
    cacheControl: true,
    maxAge: 0,
    dotfiles: 'deny',
    index: false,
    list: false,
    decorateReply: false,
  });
}
