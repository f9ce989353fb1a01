import { siblingScript } from '@stampede/cli';
import { makeTempDir, useGaleraCluster } from '@stampede/test-utils';
import { execa } from 'execa';
import { afterAll, expect, it } from 'vitest';
import { type CheckResult, runDoctor } from '../src/doctor.js';

// The bin from source: src/cli.ts through tsx, our packages from their source.
const cli = siblingScript(new URL('../src/cli.ts', import.meta.url).href, 'cli');
const tmp = makeTempDir('doctor-cluster');
afterAll(() => tmp.cleanup());
// One cluster for this file (~15 s); the tests below run in order on it.
const galera = await useGaleraCluster();

const galeraLines = (checks: CheckResult[]) => checks.filter((c) => c.name.startsWith('galera'));
const byName = (checks: CheckResult[], name: string) => checks.find((c) => c.name === name);

const setGlobal = (node: number, assignment: string) => galera.cluster.query(node, `SET GLOBAL ${assignment}`);

galera.describe('stampede doctor on a Galera cluster (multi-host URL)', () => {
  it('prints the flavour, the size, every node, flow control, wsrep_sync_wait and the write-set limits', async () => {
    const { cluster } = galera;
    const r = await execa(process.execPath, [...cli.execArgv, cli.path, 'doctor', '--db', cluster.url], {
      reject: false,
      cwd: tmp.path,
      env: { DATABASE_URL: '' },
      timeout: 30_000,
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^ok\s+mysql\s+MariaDB \d+\.\d+\S* at 127\.0\.0\.1:\d+\/test/m);
    expect(r.stdout).toMatch(/^ok\s+galera\s+Galera \d+\.\d+.*\(wsrep_on\)$/m);
    expect(r.stdout).toMatch(/^ok\s+galera\.cluster_size\s+3 nodes in the Primary Component; the URL lists 3$/m);
    for (const node of cluster.nodes) {
      expect(r.stdout).toMatch(
        new RegExp(`^ok\\s+galera\\.node 127\\.0\\.0\\.1:${node.port}\\s+Synced, Primary, 3 nodes$`, 'm'),
      );
    }
    expect(r.stdout).toMatch(/^ok\s+galera\.flow_control\s+paused \d+\.\d% of the time at most/m);
    expect(r.stdout).toMatch(/^ok\s+galera\.wsrep_sync_wait\s+0 \(global\): the store sets 1/m);
    expect(r.stdout).toMatch(
      /^ok\s+galera\.write_set_limits\s+wsrep_max_ws_rows 0 \(no limit\), wsrep_max_ws_size 2 GB: room/m,
    );
  });

  it('fails the write-set limits below the loader batch, with the setting and the option to change', async () => {
    const [one, two] = [1, 2];
    await setGlobal(one, 'wsrep_max_ws_rows = 500');
    await setGlobal(two, `wsrep_max_ws_size = ${6 * 1024 * 1024}`);
    try {
      const report = await runDoctor({ databaseUrl: galera.cluster.url });
      expect(report.ok).toBe(false);
      expect(byName(report.checks, 'galera.write_set_limits')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/^wsrep_max_ws_rows 500, wsrep_max_ws_size 6\.0 MB: too few rows/),
        hint: expect.stringMatching(/wsrep_max_ws_rows = 0 .*--batch-rows 499/),
      });
      await setGlobal(one, 'wsrep_max_ws_rows = 0');
      const again = await runDoctor({ databaseUrl: galera.cluster.url });
      expect(byName(again.checks, 'galera.write_set_limits')).toMatchObject({
        status: 'warn',
        detail: expect.stringMatching(/wsrep_max_ws_size 6\.0 MB: a batch's write set can outgrow/),
        hint: expect.stringMatching(/--batch-bytes 3145728/),
      });
    } finally {
      await setGlobal(one, 'wsrep_max_ws_rows = 0');
      await setGlobal(two, 'wsrep_max_ws_size = 2147483647');
    }
  });

  it('warns of a node killed -9 (refused, 2 of the 3 listed) and takes the server lines from a node that answers', async () => {
    const { cluster } = galera;
    const [n1, n2] = cluster.nodes.map((n) => `127.0.0.1:${n.port}`);
    await cluster.kill(1);
    await cluster.waitSynced();
    const report = await runDoctor({ databaseUrl: cluster.url });
    expect(report.ok).toBe(true);
    expect(byName(report.checks, 'mysql')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining(`${n2}/test`),
    });
    expect(galeraLines(report.checks)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'galera.cluster_size',
          status: 'warn',
          detail: '2 nodes in the Primary Component; the URL lists 3',
        }),
        expect.objectContaining({
          name: `galera.node ${n1}`,
          status: 'warn',
          detail: expect.stringMatching(/^Connection refused/),
        }),
        expect.objectContaining({ name: `galera.node ${n2}`, status: 'ok', detail: 'Synced, Primary, 2 nodes' }),
      ]),
    );
  }, 60_000);

  it('fails when the last node has lost quorum (non-Primary, refusing queries)', async () => {
    const { cluster } = galera;
    await cluster.kill(2);
    // Node 3 alone is 1 of 2: once it gives node 2 up (~6 s), it is non-Primary.
    const deadline = Date.now() + 30_000;
    while ((await cluster.status(3))?.component !== 'non-Primary' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    const report = await runDoctor({ databaseUrl: cluster.url });
    expect(report.ok).toBe(false);
    expect(byName(report.checks, 'galera.cluster_size')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/quorum lost/),
      hint: expect.stringMatching(/pc\.bootstrap=YES/),
    });
    expect(byName(report.checks, `galera.node 127.0.0.1:${cluster.nodes[2]?.port}`)).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/non-Primary: cut off from the cluster's quorum, refuses queries \(1047\)$/),
    });
  }, 60_000);
});
