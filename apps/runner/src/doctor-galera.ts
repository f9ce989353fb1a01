import type { GaleraNodeProbe } from '@stampede/store';
import type { CheckResult } from './doctor.js';

/** The loader's default batch (`--batch-rows`, `--batch-bytes`): what one write set must hold. */
export const LOADER_BATCH = {
  /** Rows per batch, plus the one progress row committed with them. */
  rows: 1000,
  bytes: 4 * 1024 * 1024,
} as const;

const MB = 1024 * 1024;
// Replication paused this share of the time or more: a node is throttling every write.
const FLOW_CONTROL_WARN = 0.1;

const where = (p: GaleraNodeProbe) => `${p.host}:${p.port}`;
const fmtSize = (n: number) => (n >= 1024 * MB ? `${(n / (1024 * MB)).toFixed(0)} GB` : `${(n / MB).toFixed(1)} MB`);

/**
 * The doctor's lines for a Galera cluster (or a URL that lists several hosts): flavour, cluster
 * size, each node's state, flow control, `wsrep_sync_wait` and the write-set limits against the
 * loader's batches. `probes` has one entry per host of the URL, in order. Nothing for a single
 * host that is not a Galera node.
 */
export function galeraChecks(probes: readonly GaleraNodeProbe[]): CheckResult[] {
  const answered = probes.filter((p) => p.error === undefined);
  const galera = answered.filter((p) => p.wsrepOn);
  if (galera.length === 0) {
    if (probes.length === 1) return [];
    if (answered.length === 0) return probes.map((p) => nodeState(p, []));
    return [
      {
        name: 'galera',
        status: 'warn',
        detail: `wsrep_on is OFF: the URL's ${probes.length} hosts are not the nodes of one Galera cluster`,
        hint: 'a multi-host URL is for the nodes of one cluster holding the same data (MariaDB Galera, Percona XtraDB Cluster): writes fail over between them',
      },
    ];
  }
  const first = galera[0] as GaleraNodeProbe;
  return [
    {
      name: 'galera',
      status: 'ok',
      detail: `Galera ${first.providerVersion}, cluster "${first.clusterName}" (wsrep_on)`,
    },
    clusterSize(probes, galera),
    ...probes.map((p) => nodeState(p, galera)),
    flowControl(galera),
    syncWait(first),
    writeSetLimits(galera),
  ];
}

function clusterSize(probes: readonly GaleraNodeProbe[], galera: readonly GaleraNodeProbe[]): CheckResult {
  const name = 'galera.cluster_size';
  const primary = galera.filter((p) => p.component === 'Primary');
  if (primary.length === 0) {
    return {
      name,
      status: 'fail',
      detail: 'no node is in a Primary Component (quorum lost): every node refuses queries',
      hint: "start the missing nodes; if they are gone for good, bootstrap the most advanced node (SET GLOBAL wsrep_provider_options='pc.bootstrap=YES')",
    };
  }
  const size = Math.max(...primary.map((p) => p.clusterSize));
  const listed = probes.length;
  const detail = `${size} node${size === 1 ? '' : 's'} in the Primary Component; the URL lists ${listed}`;
  if (size < listed) {
    return {
      name,
      status: 'warn',
      detail,
      hint: 'a node is down or has left: start it again (it rejoins by IST or SST); writes and reads use the others meanwhile',
    };
  }
  if (size > listed) {
    return {
      name,
      status: 'warn',
      detail,
      hint: 'list every node in the URL, so that writes can fail over to any of them',
    };
  }
  return { name, status: 'ok', detail };
}

/** One line per host of the URL: a node down or cut off is a warning while a Primary node serves. */
function nodeState(p: GaleraNodeProbe, galera: readonly GaleraNodeProbe[]): CheckResult {
  const name = `galera.node ${where(p)}`;
  const served = galera.some((g) => g.component === 'Primary' && g.state === 'Synced');
  const bad = served ? 'warn' : 'fail';
  if (p.error !== undefined) {
    return {
      name,
      status: bad,
      detail: p.error,
      hint: 'start the node (it rejoins the cluster by itself), or take it out of the URL',
    };
  }
  if (!p.wsrepOn) {
    return {
      name,
      status: 'warn',
      detail: 'wsrep_on is OFF: not a Galera node',
      hint: 'list only the cluster’s nodes in the URL',
    };
  }
  if (p.component !== 'Primary' || !p.ready) {
    return {
      name,
      status: bad,
      detail: `${p.state}, ${p.component}: cut off from the cluster's quorum, refuses queries (1047)`,
      hint: 'check the network between the nodes (group port 4567); it rejoins by itself when it reaches them',
    };
  }
  if (p.state !== 'Synced') {
    const donor = /donor/i.test(p.state);
    return {
      name,
      status: 'warn',
      detail: `${p.state}, Primary`,
      hint: donor
        ? 'it is sending a state transfer to a joining node: its writes and reads are slow until that ends'
        : 'it is catching up with the cluster: wait for Synced (wsrep_local_state_comment)',
    };
  }
  return { name, status: 'ok', detail: `Synced, Primary, ${p.clusterSize} nodes` };
}

function flowControl(galera: readonly GaleraNodeProbe[]): CheckResult {
  const worst = galera.reduce((a, b) => (b.flowControlPaused > a.flowControlPaused ? b : a));
  const pct = `${(worst.flowControlPaused * 100).toFixed(1)}%`;
  if (worst.flowControlPaused >= FLOW_CONTROL_WARN) {
    return {
      name: 'galera.flow_control',
      status: 'warn',
      detail: `replication paused ${pct} of the time at ${where(worst)} (wsrep_flow_control_paused, since the last FLUSH STATUS)`,
      hint: 'a slow node throttles every write in the cluster: check its disk and CPU, or raise wsrep_slave_threads',
    };
  }
  return {
    name: 'galera.flow_control',
    status: 'ok',
    detail: `paused ${pct} of the time at most (wsrep_flow_control_paused)`,
  };
}

function syncWait(p: GaleraNodeProbe): CheckResult {
  const detail =
    (p.syncWait & 1) === 1
      ? `${p.syncWait}: every read waits for the cluster's commits`
      : `${p.syncWait} (global): the store sets 1 on its own sessions, so its reads see every commit on any node`;
  return { name: 'galera.wsrep_sync_wait', status: 'ok', detail };
}

/** The smallest limits of any node: a batch must fit the node it lands on, and that can be any of them. */
function writeSetLimits(galera: readonly GaleraNodeProbe[]): CheckResult {
  const name = 'galera.write_set_limits';
  const rowsLimited = galera.filter((p) => p.maxWsRows > 0);
  const rows = rowsLimited.length ? Math.min(...rowsLimited.map((p) => p.maxWsRows)) : 0;
  const size = Math.min(...galera.map((p) => p.maxWsSize));
  const shown = `wsrep_max_ws_rows ${rows || '0 (no limit)'}, wsrep_max_ws_size ${fmtSize(size)}`;
  const batch = `the loader's batches (${LOADER_BATCH.rows} rows + 1 progress row, ${LOADER_BATCH.bytes / MB} MB of input)`;
  if (rows > 0 && rows < LOADER_BATCH.rows + 1) {
    return {
      name,
      status: 'fail',
      detail: `${shown}: too few rows for ${batch}`,
      hint: `SET GLOBAL wsrep_max_ws_rows = 0 on every node, or load with --batch-rows ${Math.max(1, rows - 1)}`,
    };
  }
  if (size < LOADER_BATCH.bytes) {
    return {
      name,
      status: 'fail',
      detail: `${shown}: too small for ${batch}`,
      hint: `SET GLOBAL wsrep_max_ws_size = ${8 * MB} on every node, or load with --batch-bytes ${Math.floor(size / 2)}`,
    };
  }
  // A write set carries keys and row images beyond the input's bytes: leave it room.
  if (size < 2 * LOADER_BATCH.bytes) {
    return {
      name,
      status: 'warn',
      detail: `${shown}: a batch's write set can outgrow its ${LOADER_BATCH.bytes / MB} MB of input`,
      hint: `SET GLOBAL wsrep_max_ws_size = ${8 * MB} or more on every node, or load with --batch-bytes ${Math.floor(size / 2)}`,
    };
  }
  return { name, status: 'ok', detail: `${shown}: room for ${batch}` };
}
