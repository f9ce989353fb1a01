import type { AddressInfo } from 'node:net';
import { openStore } from '@stampede/store';
import { useGaleraCluster } from '@stampede/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildServer, type LookupServer } from '../src/index.js';
import { makeUser } from './fixtures.js';

// One 3-node cluster for this file (~15 s to start); the tests run in order on it, the one that
// kills a node last.
const galera = await useGaleraCluster();

const USERS = 2000;
let app: LookupServer;
let base: string;
let closeStore: () => Promise<void>;

beforeAll(async () => {
  if (!galera.available) return;
  const store = openStore(galera.cluster.url, { table: 'lookup_cluster', connections: 4 });
  closeStore = () => store.close();
  await store.ensureSchema();
  await store.upsert(Array.from({ length: USERS }, (_, k) => makeUser(k + 1)));
  app = await buildServer({ store, defaultMetrics: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  await closeStore?.();
});

/** A user's lookup by (username, department), as a client sends it. */
function lookupUrl(id: number): string {
  const u = makeUser(id);
  return `${base}/users?username=${encodeURIComponent(u.username)}&department=${encodeURIComponent(u.department)}`;
}

/** SELECTs node `i` has run since it started. */
async function selects(i: number): Promise<number> {
  const rows = await galera.cluster.query<{ Value: string }>(i, "SHOW GLOBAL STATUS LIKE 'Com_select'");
  return Number(rows[0]?.Value);
}

/**
 * A bounded load generator: `workers` clients, each sending one lookup after another until
 * `until` resolves; every answer that is not a 200 with the right user is a failure.
 */
async function load(workers: number, until: Promise<void>): Promise<{ ok: number; failed: string[] }> {
  let stop = false;
  void until.then(() => {
    stop = true;
  });
  const result = { ok: 0, failed: [] as string[] };
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!stop) {
        const id = (next++ % USERS) + 1;
        try {
          const r = await fetch(lookupUrl(id));
          const body = (await r.json()) as { id?: number };
          if (r.status === 200 && body.id === id) result.ok++;
          else result.failed.push(`${r.status} ${JSON.stringify(body)}`);
        } catch (error) {
          result.failed.push(String(error));
        }
      }
    }),
  );
  return result;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

galera.describe('stampede serve on a 3-node Galera cluster (multi-host URL)', () => {
  it('spreads lookups over every node, and /readyz lists each node', async () => {
    const before = await Promise.all(galera.cluster.nodes.map((n) => selects(n.index)));
    for (let id = 1; id <= 60; id++) expect((await fetch(lookupUrl(id))).status).toBe(200);
    const after = await Promise.all(galera.cluster.nodes.map((n) => selects(n.index)));
    // Each node answered a share of the 60 lookups (a few SELECTs are the probes' own).
    for (const [k, n] of after.entries()) {
      expect(n - (before[k] ?? 0), `node${k + 1}`).toBeGreaterThanOrEqual(15);
    }
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      nodes: galera.cluster.nodes.map((n) => ({
        host: '127.0.0.1',
        port: n.port,
        status: 'ok',
        detail: 'Synced, Primary, 3 nodes',
      })),
    });
  }, 30_000);

  it('a node killed under load costs no failed request; /readyz then says it is down', async () => {
    const { cluster } = galera;
    // Kill node 2 a moment into the load, and keep loading well past its eviction (~6 s).
    const done = (async () => {
      await sleep(1000);
      await cluster.kill(2);
      await sleep(9000);
    })();
    const r = await load(8, done);
    expect(r.failed).toEqual([]);
    expect(r.ok).toBeGreaterThan(100);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const { nodes } = (await ready.json()) as { nodes: { port: number; status: string; detail: string }[] };
    expect(nodes.map((n) => n.status)).toEqual(['ok', 'down', 'ok']);
    expect(nodes[0]?.detail).toBe('Synced, Primary, 2 nodes');
    expect(nodes[1]?.detail).toMatch(/refused|127\.0\.0\.1/);
  }, 60_000);
});
