import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const STATIC_DIR = path.resolve(__dirname, '..', '..', 'static');

/** `/static/...`: the stylesheet, the page script and the pictures (@fastify/static: nothing outside the folder). */
export async function registerStaticRoutes(app: FastifyInstance): Promise<void> {
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
