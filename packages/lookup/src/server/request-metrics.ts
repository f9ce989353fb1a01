import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import type { ServiceMetrics } from '../metrics.js';

/** Options of {@link requestMetricsPlugin}. */
export interface RequestMetricsOptions {
  metrics: ServiceMetrics;
}

/** Every response counted and timed by method, route pattern and status (served at `GET /metrics`). */
export const requestMetricsPlugin: FastifyPluginCallback<RequestMetricsOptions> = fp<RequestMetricsOptions>(
  (app, { metrics }, done) => {
    app.addHook('onResponse', (request, reply, next) => {
      metrics.observeRequest(
        request.method,
        request.routeOptions.url ?? 'unmatched',
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
      next();
    });
    done();
  },
  { name: 'stampede-lookup-request-metrics' },
);
