import type { UserStore } from '@stampede/store';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { QueryEvent } from './lookup.js';

/** The service's Prometheus metrics, in a registry of their own (never the global one). */
export interface ServiceMetrics {
  registry: Registry;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  observeQuery(event: QueryEvent): void;
}

/** Request counts and latencies, query counts and batch sizes, and pool use. */
export function createMetrics(store: UserStore, options: { defaultMetrics?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'stampede_lookup_' });
  const requests = new Counter({
    name: 'stampede_lookup_http_requests_total',
    help: 'HTTP requests by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'stampede_lookup_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const queries = new Counter({
    name: 'stampede_lookup_queries_total',
    help: 'Batched lookup queries sent to the database, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const batch = new Histogram({
    name: 'stampede_lookup_batch_size',
    help: 'Distinct usernames per lookup query',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
    registers: [registry],
  });
  const queryLatency = new Histogram({
    name: 'stampede_lookup_query_duration_seconds',
    help: 'Lookup query latency, pool wait included',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  new Gauge({
    name: 'stampede_lookup_pool_connections',
    help: 'Database pool connections by state (MySQL only)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const stats = store.poolStats?.();
      if (!stats) return;
      this.set({ state: 'open' }, stats.open);
      this.set({ state: 'in_use' }, stats.inUse);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
      this.set({ state: 'limit' }, stats.limit);
    },
  });
  return {
    registry,
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
    },
    observeQuery(event) {
      queries.inc({ outcome: event.error ? 'error' : 'ok' });
      batch.observe(event.keys);
      queryLatency.observe(event.ms / 1000);
    },
  };
}
