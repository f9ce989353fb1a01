import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import { errorBody } from './reply.js';

/** Options of {@link authPlugin}. */
export interface AuthOptions {
  /** The bearer token every request but the probes must carry. */
  apiKey: string;
}

// Probes stay open: an orchestrator checks them without the key.
const PUBLIC_PATHS = new Set(['/healthz', '/readyz']);
function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * Bearer authentication: a request without `Authorization: Bearer <apiKey>` is a 401, except
 * `/healthz` and `/readyz`. The comparison takes the same time for any token.
 */
export const authPlugin: FastifyPluginCallback<AuthOptions> = fp<AuthOptions>(
  (app, options, done) => {
    const expected = digest(options.apiKey);
    // A callback hook, not an async one: it runs on every request, and the HTTP benchmark
    // holds the service to half the raw driver's throughput.
    app.addHook('onRequest', (request, reply, next) => {
      if (PUBLIC_PATHS.has(request.url.split('?')[0] ?? '')) return next();
      const token = /^Bearer ([^\s]+)$/i.exec(request.headers.authorization ?? '')?.[1];
      // Hashing first gives equal lengths, so the comparison takes the same time for any token.
      if (token === undefined || !timingSafeEqual(digest(token), expected)) {
        reply.header('www-authenticate', 'Bearer realm="stampede"');
        reply.code(401).send(errorBody(401, 'a valid API key is required: Authorization: Bearer <STAMPEDE_API_KEY>'));
        return;
      }
      next();
    });
    done();
  },
  { name: 'stampede-lookup-auth' },
);
