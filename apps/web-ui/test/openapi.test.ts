/**
 * The JSON API published as an OpenAPI document (from the routes' zod schemas) and its docs page,
 * both from the real server.
 */
import { startPageServer, type PageServer } from './pages/support';

let server: PageServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface OpenApiDocument {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string }[];
        requestBody?: { content: Record<string, { schema: unknown }> };
        responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
      }
    >
  >;
  components?: { schemas?: Record<string, unknown> };
}

describe('OpenAPI document', () => {
  it('lists every /api route and /healthz with its parameters, request and response schemas, and nothing else', async () => {
    // Prepare
    server = await startPageServer();

    // Act
    const response = await fetch(`${server.url}/api/openapi.json`);
    const document = (await response.json()) as OpenApiDocument;

    // Assess
    expect(response.status).toBe(200);
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths).sort()).toEqual([
      '/api/jobs',
      '/api/jobs/{id}',
      '/api/jobs/{id}/events',
      '/healthz',
    ]);
    expect(Object.keys(document.paths['/api/jobs']!).sort()).toEqual(['get', 'post']);
    expect(Object.keys(document.paths['/api/jobs/{id}']!).sort()).toEqual(['delete', 'get']);
    expect(Object.keys(document.paths['/api/jobs/{id}/events']!)).toEqual(['get']);

    const create = document.paths['/api/jobs']!.post!;
    const body = JSON.stringify(create.requestBody?.content['application/json']?.schema);
    for (const field of ['file_name', 'mode', 'divergence', 'convergence', 'file_size'])
      expect(body).toContain(field);
    expect(body).toContain('half-sbs');
    const created = JSON.stringify(create.responses['201']?.content?.['application/json']?.schema);
    expect(created).toContain('upload');
    expect(created).toContain('expires_at');
    for (const status of ['400', '413', '415', '429']) {
      expect(JSON.stringify(create.responses[status]?.content?.['application/json']?.schema)).toContain(
        'message',
      );
    }

    const list = document.paths['/api/jobs']!.get!;
    expect(list.parameters?.map((p) => `${p.in}:${p.name}`).sort()).toEqual([
      'query:cursor',
      'query:limit',
      'query:status',
    ]);
    expect(JSON.stringify(list.responses['200']?.content?.['application/json']?.schema)).toContain(
      'next_cursor',
    );
    for (const path of ['/api/jobs/{id}', '/api/jobs/{id}/events']) {
      for (const operation of Object.values(document.paths[path]!)) {
        expect(operation.parameters).toEqual([expect.objectContaining({ in: 'path', name: 'id' })]);
      }
    }
    expect(JSON.stringify(document.paths['/api/jobs/{id}']!.get!.responses['200'])).toContain(
      'download_file_name',
    );
  });

  it('says when the API needs the bearer token, and is itself behind it', async () => {
    // Prepare
    server = await startPageServer({ authToken: 'correct-horse-battery-staple' });

    // Act
    const anonymous = await fetch(`${server.url}/api/openapi.json`);
    const signed = await fetch(`${server.url}/api/openapi.json`, {
      headers: { Authorization: 'Bearer correct-horse-battery-staple' },
    });
    const document = (await signed.json()) as OpenApiDocument & {
      security?: unknown;
      components?: { securitySchemes?: unknown };
    };

    // Assess
    expect(anonymous.status).toBe(401);
    expect(document.security).toEqual([{ bearer: [] }]);
    expect(document.components?.securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } });
  });
});

describe('API docs page', () => {
  it('serves the Swagger UI page and its scripts from this server, pointing at the document, with no outside URL', async () => {
    // Prepare
    server = await startPageServer();

    // Act
    const page = await fetch(`${server.url}/api/docs/`);
    const html = await page.text();
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((match) => match[1]!);
    const loaded = await Promise.all(scripts.map((src) => fetch(new URL(src, `${server!.url}/api/docs/`))));
    const initializer = await (await fetch(`${server.url}/api/docs/static/swagger-initializer.js`)).text();

    // Assess
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('<div id="swagger-ui">');
    expect(scripts).toHaveLength(3);
    expect(loaded.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(html).not.toMatch(/https?:\/\//);
    expect(initializer).toContain('validatorUrl: null');
    // Inline styles for Swagger UI on its own pages; scripts only from this server, as everywhere.
    expect(page.headers.get('content-security-policy')).toContain("style-src 'self' 'unsafe-inline'");
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self';");
  });
});
