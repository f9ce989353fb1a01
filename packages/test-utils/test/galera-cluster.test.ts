import { tmpdir } from 'node:os';
import mysql from 'mysql2/promise';
import { expect, it } from 'vitest';
import { useGaleraCluster } from '../src/index.js';

// One cluster for the whole file (~15 s to start): every test below shares it, in order.
const galera = await useGaleraCluster();

async function query<T>(url: string, sql: string): Promise<T[]> {
  const conn = await mysql.createConnection({ uri: url, connectTimeout: 3000 });
  try {
    return (await conn.query(sql))[0] as T[];
  } finally {
    await conn.end();
  }
}

galera.describe('startGaleraCluster', () => {
  it('starts three Synced nodes that see each other, with a multi-host URL over them', async () => {
    const { cluster } = galera;
    expect(cluster.nodes).toHaveLength(3);
    expect(cluster.url).toBe(`mysql://root@${cluster.nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}/test`);
    for (let i = 1; i <= 3; i++) {
      expect(await cluster.status(i)).toEqual({ size: 3, state: 'Synced', component: 'Primary', ready: true });
      // Not the machine's tmpdir, where any mariadbd starting deletes the `#sql*` files.
      const [row] = await query<{ dir: string }>(cluster.urls[i - 1] as string, 'SELECT @@tmpdir AS dir');
      expect(row?.dir).toMatch(/\S/);
      expect(row?.dir).not.toBe(tmpdir());
    }
  });

  it('replicates a write on node 1 to node 3 (read with wsrep_sync_wait=1)', async () => {
    const [one, , three] = galera.cluster.urls as [string, string, string];
    await query(one, 'CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))');
    await galera.cluster.query(1, 'INSERT INTO t VALUES (?, ?)', [1, 'from node 1']);
    const conn = await mysql.createConnection(three);
    try {
      await conn.query('SET SESSION wsrep_sync_wait = 1');
      const [rows] = await conn.query('SELECT v FROM t WHERE id = 1');
      expect(rows).toEqual([{ v: 'from node 1' }]);
    } finally {
      await conn.end();
    }
  });

  it('kill(2) leaves a cluster of 2; restart(2) brings it back Synced with the data', async () => {
    const { cluster } = galera;
    await cluster.kill(2);
    expect(cluster.nodes[1]?.running).toBe(false);
    await cluster.waitSynced();
    expect(await cluster.status(1)).toMatchObject({ size: 2, state: 'Synced' });
    expect(await cluster.status(3)).toMatchObject({ size: 2, state: 'Synced' });
    await query(cluster.urls[0] as string, "INSERT INTO t VALUES (2, 'while 2 was down')");
    await cluster.restart(2);
    for (let i = 1; i <= 3; i++) expect(await cluster.status(i)).toMatchObject({ size: 3, state: 'Synced' });
    // Seen once (2026-11-29, under CI): node 2 Synced but without table t. Should it happen again,
    // the failure says which server answered and what it holds.
    const node2 = cluster.urls[1] as string;
    const answered = JSON.stringify(
      await query(
        node2,
        "SELECT @@wsrep_node_name AS node, @@port AS port, (SELECT variable_value FROM information_schema.global_status WHERE variable_name = 'wsrep_last_committed') AS seqno, (SELECT GROUP_CONCAT(table_name) FROM information_schema.tables WHERE table_schema = 'test') AS tables",
      ),
    );
    await expect(query(node2, 'SELECT id FROM t ORDER BY id'), answered).resolves.toEqual([{ id: 1 }, { id: 2 }]);
  }, 90_000);

  it('partition(3) isolates node 3 (non-Primary, refusing queries) until heal(3)', async () => {
    const { cluster } = galera;
    await cluster.partition(3);
    expect(await cluster.status(1)).toMatchObject({ size: 2, component: 'Primary' });
    expect(await cluster.status(3)).toMatchObject({ size: 1, component: 'non-Primary', ready: false });
    await expect(query(cluster.urls[2] as string, 'SELECT * FROM t')).rejects.toMatchObject({ errno: 1047 });
    await cluster.heal(3);
    expect(await cluster.status(3)).toMatchObject({ size: 3, component: 'Primary', state: 'Synced' });
    expect(await query(cluster.urls[2] as string, 'SELECT COUNT(*) AS n FROM t')).toEqual([{ n: 2 }]);
  }, 90_000);
});
