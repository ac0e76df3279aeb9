import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

/**
 * Takes the raw response over from Fastify (a stream it does not serialize: SSE, the presigned
 * passthrough), keeping the headers the hooks already set (security headers, HSTS, cookies).
 */
export function hijackWithHeaders(reply: FastifyReply): ServerResponse {
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) reply.raw.setHeader(name, value);
  }
  reply.hijack();
  return reply.raw;
}
