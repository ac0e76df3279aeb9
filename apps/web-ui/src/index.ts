// Public API of the web-ui app: the HTTP server with the JSON API, and its router for pages.
export { startWebServer, type WebServer, type WebServerOptions, type PassthroughHandler } from './server';
export { Router, type RouteContext, type RouteHandler, type HttpMethod } from './router';
export { HttpError, sendJson, sendError, readJsonBody } from './http';
export { WebUiError, type WebUiErrorCode } from './errors';
export { registerApiRoutes, type ApiDeps } from './api';
export { DEFAULT_WEB_UI_LIMITS, type WebUiLimits } from './security/limits';
