/**
 * The JSON API as an OpenAPI 3 document (@fastify/swagger, from the routes' zod schemas through
 * fastify-type-provider-zod) at `/api/openapi.json`, and a docs page (@fastify/swagger-ui, its
 * files served from node_modules by this server: nothing from a CDN) at `/api/docs`. Only the
 * `/api/` routes and `/healthz` are listed; pages, static files and presigned URLs are not API.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PATH = '/api/docs';

export async function registerOpenApi(
  app: FastifyInstance,
  options: { readonly authRequired: boolean },
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'stereo-spot web UI API',
        description:
          'Create a job (you get a presigned URL to PUT the video to), follow its progress, download the 3D result. ' +
          (options.authRequired
            ? 'This server needs `Authorization: Bearer <WEB_UI_AUTH_TOKEN>` (or a signed-in browser session).'
            : 'This server has no access token set.'),
        version: '1',
      },
      ...(options.authRequired
        ? {
            components: { securitySchemes: { bearer: { type: 'http' as const, scheme: 'bearer' } } },
            security: [{ bearer: [] }],
          }
        : {}),
    },
    transform: (input) => {
      const listed = input.url.startsWith('/api/') || input.url === '/healthz';
      const transformed = jsonSchemaTransform(input);
      return listed ? transformed : { ...transformed, schema: { ...transformed.schema, hide: true } };
    },
    transformObject: jsonSchemaTransformObject,
  });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
  if (!swaggerUiFilesPresent()) {
    app.log.warn(
      `the API docs page (${DOCS_PATH}) is off: Swagger UI's files are not installed beside this build; ${OPENAPI_PATH} is served`,
    );
    return;
  }
  await app.register(swaggerUi, {
    routePrefix: DOCS_PATH,
    // No call to validator.swagger.io: nothing leaves this server.
    validatorUrl: false,
    uiConfig: { deepLinking: false },
    // Swagger UI sets inline styles; on its own pages only (no user data there), styles may be
    // inline. Scripts stay this server's files.
    transformStaticCSP: (header) => header.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
  });
}

/**
 * Swagger UI serves its files from its package folder. The container images ship one esbuild
 * bundle and no node_modules, so there the page is left out (and says so) instead of failing.
 */
function swaggerUiFilesPresent(): boolean {
  try {
    const folder = path.dirname(require.resolve('@fastify/swagger-ui'));
    return (
      existsSync(path.join(folder, 'static', 'swagger-ui-bundle.js')) &&
      existsSync(path.join(folder, 'static', 'logo.svg'))
    );
  } catch {
    return false;
  }
}
