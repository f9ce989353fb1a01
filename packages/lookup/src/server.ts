import type { UserStore } from '@stampede/store';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createLookup, type Lookup, type LookupOptions } from './lookup.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';
import { assertUsableApiKey, authPlugin } from './server/auth.js';
import { errorsPlugin, frameworkErrors } from './server/errors.js';
import { jsonCharsetPlugin } from './server/json-charset.js';
import { openapiPlugin } from './server/openapi.js';
import { operationsRoutes } from './server/operations.js';
import { requestMetricsPlugin } from './server/request-metrics.js';
import { userRoutes } from './server/routes.js';
import { shutdownPlugin } from './server/shutdown.js';
import { serverTimeouts, type TimeoutOptions } from './server/timeouts.js';

export { MAX_FIELD_LENGTH, MAX_PAIRS } from './server/schemas.js';
export { DEFAULT_TIMEOUTS, type TimeoutOptions } from './server/timeouts.js';

/** Options of {@link buildServer}. */
export interface ServerOptions extends TimeoutOptions {
  /** The users table to serve. The server does not close it: the caller owns it. */
  store: UserStore;
  /** Options of the lookup the server creates over `store`. */
  lookup?: Omit<LookupOptions, 'onQuery'>;
  /**
   * A bearer token every request must carry (`Authorization: Bearer <key>`), except
   * `/healthz` and `/readyz`. Unset or empty: no authentication. Visible ASCII only: a key
   * with whitespace (or any other character no header can carry) is refused at start-up.
   * @default undefined
   */
  apiKey?: string;
  /**
   * Largest request body in bytes; larger is a 413.
   * @default 1048576
   */
  bodyLimit?: number;
  /**
   * A pino logger for request logs, or `false` for none.
   * @default false
   */
  logger?: Logger | false;
  /**
   * Register Node's default process metrics (event loop lag, heap, GC) in `/metrics`.
   * @default true
   */
  defaultMetrics?: boolean;
}

/** The fastify instance with the lookup and metrics it serves. */
export type LookupServer = FastifyInstance & { lookup: Lookup; metrics: ServiceMetrics };

/**
 * The HTTP service over `options.store`: lookups, department pages, health, metrics and
 * the OpenAPI document. Call `listen` on the result; `close` drains in-flight requests.
 * @throws LookupError `INVALID_OPTION` for an API key no request could carry or a bad timeout,
 * before anything is started.
 */
export async function buildServer(options: ServerOptions): Promise<LookupServer> {
  const { store, apiKey } = options;
  const timeouts = serverTimeouts(options);
  if (apiKey) assertUsableApiKey(apiKey);
  const metrics = createMetrics(store, { defaultMetrics: options.defaultMetrics ?? true });
  const lookup = createLookup(store, {
    batchWindow: 'turn',
    ...options.lookup,
    onQuery: (e) => metrics.observeQuery(e),
  });
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    ...timeouts,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // A long path parameter is a 414 from the router, never a query.
    routerOptions: { maxParamLength: 100 },
    frameworkErrors,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
  }) as unknown as LookupServer;
  app.decorate('lookup', lookup);
  app.decorate('metrics', metrics);

  // Order matters: the document must see every route, and hooks and handlers apply to the
  // routes registered after them.
  await app.register(openapiPlugin, { bearer: Boolean(apiKey) });
  if (apiKey) await app.register(authPlugin, { apiKey });
  await app.register(jsonCharsetPlugin);
  await app.register(shutdownPlugin);
  await app.register(requestMetricsPlugin, { metrics });
  await app.register(errorsPlugin);
  await app.register(userRoutes, { lookup });
  await app.register(operationsRoutes, { store, metrics });
  return app;
}
