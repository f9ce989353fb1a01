import type { DatabaseConfig } from './config.js';
import { probeGalera } from './probe.js';

/** How one server of a database URL is doing, for a readiness check. */
export interface NodeState {
  host: string;
  port: number;
  /**
   * `ok`: answers and takes queries; `not-ready`: answers but refuses queries (a Galera node
   * outside the Primary Component, or still joining); `down`: does not answer.
   */
  status: 'ok' | 'not-ready' | 'down';
  /** One line: `Synced, Primary, 3 nodes`, `standalone`, or why it does not answer. */
  detail: string;
}

/**
 * Ask every host of a MySQL URL, side by side, how it is doing (each on a connection of its
 * own, so a dead node costs its connect timeout, not the pool's).
 */
export async function readNodeStates(
  config: Extract<DatabaseConfig, { kind: 'mysql' }>,
  timeoutMs = 2000,
): Promise<NodeState[]> {
  const probes = await probeGalera(config, { timeoutMs });
  return probes.map((p): NodeState => {
    if (p.error !== undefined) return { host: p.host, port: p.port, status: 'down', detail: p.error };
    if (!p.wsrepOn) return { host: p.host, port: p.port, status: 'ok', detail: 'standalone' };
    const ok = p.ready && p.component === 'Primary';
    const detail = `${p.state}, ${p.component}, ${p.clusterSize} node${p.clusterSize === 1 ? '' : 's'}`;
    return { host: p.host, port: p.port, status: ok ? 'ok' : 'not-ready', detail };
  });
}
