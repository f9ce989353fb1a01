import type { UserStore } from '@stampede/store';
import type { FastifyPluginCallback } from 'fastify';
import type { ServiceMetrics } from '../metrics.js';
import { errorBody } from './reply.js';

/** Options of {@link operationsRoutes}. */
export interface OperationsOptions {
  store: UserStore;
  metrics: ServiceMetrics;
}

/** What an operator polls: `/healthz`, `/readyz` and `/metrics`. */
export const operationsRoutes: FastifyPluginCallback<OperationsOptions> = (app, { store, metrics }, done) => {
  app.get('/healthz', { schema: { summary: 'The process is up' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { summary: 'The database answers a lookup' } }, async (request, reply) => {
    try {
      // A point query on the table proves the connection, the credentials and the table.
      await store.findByUsernames(['readyz.probe']);
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed');
      return reply.code(503).send(errorBody(503, 'the database does not answer'));
    }
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  done();
};
