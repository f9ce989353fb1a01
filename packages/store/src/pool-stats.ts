/** How a MySQL store's connections are used right now, for a service's metrics. */
export interface PoolStats {
  /** Connections open. */
  open: number;
  /** Open and checked out. */
  inUse: number;
  /** Open and free. */
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
  /** Most connections allowed (summed over a cluster's nodes). */
  limit: number;
}

interface CorePoolLike {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
  config?: { connectionLimit?: number };
}

// mysql2 keeps its pool counters in underscored fields, on the core pool behind the promise one,
// and a PoolCluster keeps a pool per node: read defensively, so that a driver upgrade that
// renames them loses the figures, not the service.
function corePools(pool: unknown): CorePoolLike[] {
  const p = pool as { pool?: CorePoolLike & { _nodes?: Record<string, { pool?: CorePoolLike }> } };
  const core = p?.pool;
  if (!core) return [];
  if (core._nodes) return Object.values(core._nodes).flatMap((n) => (n.pool ? [n.pool] : []));
  return [core];
}

/** The counters of a mysql2 pool or pool cluster, or undefined when it has none to read. */
export function readPoolStats(pool: unknown): PoolStats | undefined {
  const pools = corePools(pool);
  if (pools.length === 0) return undefined;
  const stats: PoolStats = { open: 0, inUse: 0, idle: 0, waiting: 0, limit: 0 };
  for (const p of pools) {
    const all = p._allConnections?.length ?? 0;
    const free = p._freeConnections?.length ?? 0;
    stats.open += all;
    stats.inUse += all - free;
    stats.idle += free;
    stats.waiting += p._connectionQueue?.length ?? 0;
    stats.limit += p.config?.connectionLimit ?? 0;
  }
  return stats;
}
