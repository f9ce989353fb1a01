import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import { LookupError } from '../errors.js';
import { errorBody } from './reply.js';

/** Options of {@link authPlugin}. */
export interface AuthOptions {
  /** The bearer token every request but the probes must carry. */
  apiKey: string;
}

// Probes stay open: an orchestrator checks them without the key.
const PUBLIC_PATHS = new Set(['/healthz', '/readyz']);
// What an `Authorization: Bearer <token>` header can carry and the check below reads: visible
// ASCII. Whitespace ends the token; other bytes arrive as latin1 and never compare equal.
const TOKEN_RE = /^[\x21-\x7e]+$/;

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * Refuses, at start-up, an API key no request could ever match, rather than a service that
 * answers 401 to everyone. The message never shows the key.
 * @throws LookupError `INVALID_OPTION` (field `apiKey`).
 */
export function assertUsableApiKey(apiKey: string): void {
  if (TOKEN_RE.test(apiKey)) return;
  const what = /\s/.test(apiKey) ? 'contains whitespace' : 'contains a character outside visible ASCII';
  throw new LookupError(
    'INVALID_OPTION',
    'apiKey',
    `the API key ${what}, so no Authorization: Bearer header can carry it`,
    { hint: 'use a key of visible ASCII characters only (letters, digits, - . _ ~ + / =), e.g. openssl rand -hex 32' },
  );
}

/**
 * Bearer authentication: a request without `Authorization: Bearer <apiKey>` is a 401, except
 * `/healthz` and `/readyz`. `buildServer` checks the key with {@link assertUsableApiKey} first.
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
