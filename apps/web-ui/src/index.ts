// Public API of the web-ui app: the HTTP server (Fastify) with the JSON API, its OpenAPI document
// and the pages.
export { startWebServer, type WebServer } from './server';
