// Public API of the web-ui app: the HTTP server (Fastify) with the JSON API, its OpenAPI document and the pages.
export { startWebServer, type WebServer, type WebServerOptions, type PassthroughHandler } from './server';
export { HttpError } from './http';
export { WebUiError, type WebUiErrorCode } from './errors';
export { registerApiRoutes, type ApiDeps } from './api';
export { OPENAPI_PATH, DOCS_PATH } from './api/openapi';
export { DEFAULT_WEB_UI_LIMITS, type WebUiLimits } from './security/limits';
