import type { NodeState, UserStore } from '@stampede/store';
import type { FastifyPluginCallback } from 'fastify';
import type { ServiceMetrics } from '../metrics.js';
import { readWithRetry } from '../read-retry.js';
import { errorBody } from './reply.js';

/** Options of {@link operationsRoutes}. */
export interface OperationsOptions {
  store: UserStore;
  metrics: ServiceMetrics;
}

/** `{ nodes }` for a store whose URL lists several hosts (a cluster); nothing for one server. */
async function clusterNodes(store: UserStore): Promise<{ nodes?: NodeState[] }> {
  const nodes = await store.nodeStates?.().catch(() => undefined);
  return nodes && nodes.length > 1 ? { nodes } : {};
}

/** What an operator polls: `/healthz`, `/readyz` and `/metrics`. */
export const operationsRoutes: FastifyPluginCallback<OperationsOptions> = (app, { store, metrics }, done) => {
  app.get('/healthz', { schema: { summary: 'The process is up' } }, async () => ({ status: 'ok' }));

  app.get(
    '/readyz',
    { schema: { summary: 'The database answers a lookup; each node of a cluster' } },
    async (request, reply) => {
      // A cluster's nodes are asked beside the lookup: a node down or out of quorum shows here
      // while lookups still succeed through the others.
      const nodes = clusterNodes(store);
      try {
        // A point query on the table proves the connection, the credentials and the table.
        await readWithRetry(() => store.findByUsernames(['readyz.probe']));
        return { status: 'ready', ...(await nodes) };
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        return reply.code(503).send({ ...errorBody(503, 'the database does not answer'), ...(await nodes) });
      }
    },
  );

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  done();
};
