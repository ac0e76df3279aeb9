/**
 * Security headers of every answer, from @fastify/helmet: a strict Content-Security-Policy (only
 * this server's scripts and styles; media, pictures and uploads also from the presigned URLs'
 * origins), nosniff, no framing, same-origin referrers, and HSTS when PUBLIC_BASE_URL is https.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

export const HSTS_MAX_AGE_SECONDS = 31_536_000;

export async function registerSecurityHeaders(
  app: FastifyInstance,
  options: { readonly https: boolean; readonly presignedOrigins: () => readonly string[] },
): Promise<void> {
  const presigned = () => options.presignedOrigins().join(' ');
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:', presigned],
        mediaSrc: ["'self'", 'blob:', presigned],
        connectSrc: ["'self'", presigned],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    xFrameOptions: { action: 'deny' },
    // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on form posts.
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: options.https
      ? { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: false }
      : false,
  });
}
