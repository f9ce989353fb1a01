import { type ChildProcess, spawn } from 'node:child_process';
import { makeTempDir, useGaleraCluster } from '@stampede/test-utils';
import { afterAll, expect, it } from 'vitest';
import { loaderCliPath, loaderNodeFlags } from '../src/cli-path.js';
import { ndjson, users, write } from './fixtures.js';

// One 3-node cluster for this file (~15 s to start); the tests run in order on it, the one that
// takes quorum away last.
const galera = await useGaleraCluster();
const tmp = makeTempDir('loader-cluster');
afterAll(() => tmp.cleanup());

const ROWS = 100_000;
const input = write(tmp.join('users.ndjson'), ndjson(users(1, ROWS)));
const small = write(tmp.join('small.ndjson'), ndjson(users(1, 5000)));
// Enough to be mid-load when a node dies, and no more: each of these loads runs through a stall.
const HALF = 50_000;
const half = write(tmp.join('half.ndjson'), ndjson(users(1, HALF)));

/** The multi-host URL listing the nodes from `first` on (a loader writes to the first live node). */
function urlFrom(first: number): string {
  const { nodes } = galera.cluster;
  const order = nodes.map((_, k) => nodes[(first - 1 + k) % nodes.length]);
  return `mysql://root@${order.map((n) => `127.0.0.1:${n?.port}`).join(',')}/test`;
}

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** `stampede-load` from source, as a process of its own (it may outlive a node). */
function runLoader(args: string[]): Run {
  const child = spawn(process.execPath, [...loaderNodeFlags, loaderCliPath, '--json', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATABASE_URL: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

/** Rows, distinct ids and their sum in `table` as node `i` has them, once it applied all the cluster committed. */
async function tally(i: number, table: string): Promise<{ n: number; distinct: number; sum: number }> {
  const [row] = await galera.cluster.query<{ n: number; d: number; s: string | null }>(
    i,
    `SET STATEMENT wsrep_sync_wait = 1 FOR SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d, SUM(id) AS s FROM \`${table}\``,
  );
  return { n: Number(row?.n), distinct: Number(row?.d), sum: Number(row?.s ?? 0) };
}

/** Wait until node `i` sees more than `rows` rows in `table` (the load is under way), or the load ended. */
async function committedPast(i: number, table: string, rows: number, run: Run): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && run.child.exitCode === null) {
    const n = await galera.cluster
      .query<{ n: number }>(i, `SELECT COUNT(*) AS n FROM \`${table}\``)
      .then((r) => Number(r[0]?.n))
      .catch(() => 0);
    if (n > rows) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the load into ${table} ended (or stalled) before ${rows} rows were seen`);
}

/** Exactly `count` rows with ids 1..count on every node. */
async function expectExactOnEveryNode(table: string, count: number): Promise<void> {
  for (const node of galera.cluster.nodes) {
    expect(await tally(node.index, table), `node${node.index}`).toEqual({
      n: count,
      distinct: count,
      sum: (count * (count + 1)) / 2,
    });
  }
}

galera.describe('the loader on a 3-node Galera cluster', () => {
  it('two shard processes writing through different nodes load every row exactly, on every node', async () => {
    const runs = [1, 2].map((k) => runLoader(['--db', urlFrom(k), '--table', 'c_shards', '--shard', `${k}/2`, input]));
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) {
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ complete: true, rejected: 0 });
    }
    const [a, b] = results.map((r) => JSON.parse(r.stdout) as { inserted: number });
    expect((a?.inserted ?? 0) + (b?.inserted ?? 0)).toBe(ROWS);
    await expectExactOnEveryNode('c_shards', ROWS);
  }, 60_000);

  it('keeps batches under wsrep_max_ws_rows (the default 1000-row batch would exceed it)', async () => {
    const { cluster } = galera;
    for (const n of cluster.nodes) await cluster.query(n.index, 'SET GLOBAL wsrep_max_ws_rows = 300');
    try {
      const r = await runLoader(['--db', urlFrom(1), '--table', 'c_limits', small]).done;
      expect(r.code, r.stderr).toBe(0);
      // At most (300 - 1 for the progress mark) / 2 = 149 rows a batch: 9 for each of the 4 ranges.
      expect(JSON.parse(r.stdout)).toMatchObject({ complete: true, inserted: 5000, batches: 36 });
    } finally {
      for (const n of cluster.nodes) await cluster.query(n.index, 'SET GLOBAL wsrep_max_ws_rows = 0');
    }
    await expectExactOnEveryNode('c_limits', 5000);
  }, 30_000);

  it('kill -9 of the node a loader writes to: it goes on through another node, no row lost or doubled, no --resume', async () => {
    const { cluster } = galera;
    // Node 2 first in the list: the loader writes there until it dies.
    const run = runLoader(['--db', urlFrom(2), '--table', 'c_kill', '--batch-rows', '500', half]);
    await committedPast(3, 'c_kill', 5000, run);
    await cluster.kill(2);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ complete: true, rejected: 0, resumed: false });
    expect(summary.retriedBatches).toBeGreaterThan(0);
    await cluster.restart(2);
    await expectExactOnEveryNode('c_kill', HALF);
  }, 90_000);

  it('quorum lost mid-load: waits --unavailable-timeout, exits 1 saying why; --resume after the nodes return finishes exactly', async () => {
    const { cluster } = galera;
    const args = ['--db', urlFrom(1), '--table', 'c_quorum', '--batch-rows', '500', half];
    const run = runLoader([...args, '--unavailable-timeout', '3']);
    await committedPast(1, 'c_quorum', 5000, run);
    await Promise.all([cluster.kill(2), cluster.kill(3)]);
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused writes for \d+ s: the cluster has no Primary Component \(quorum lost/);
    expect(r.stderr).toMatch(/--resume to finish the load/);
    // The survivor makes itself the Primary Component again, and the others rejoin it.
    await cluster.query(1, "SET GLOBAL wsrep_provider_options = 'pc.bootstrap=YES'");
    await cluster.restart(2);
    await cluster.restart(3);
    const resumed = await runLoader([...args, '--resume']).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ complete: true, resumed: true, rejected: 0 });
    await expectExactOnEveryNode('c_quorum', HALF);
  }, 120_000);
});
