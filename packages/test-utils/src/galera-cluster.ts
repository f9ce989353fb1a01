import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { afterAll, describe } from 'vitest';
import { which } from './ephemeral-server.js';
import { isCI } from './mysql-url.js';
import { type PortReservation, reservePorts } from './port-reservation.js';
import { makeTempDir, type TempDir } from './temp-dir.js';

const execFileAsync = promisify(execFile);

/** Where Debian's `galera-4` package puts the wsrep provider. */
export const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so';

/** One node of a {@link GaleraCluster}. */
export interface GaleraNode {
  /** 1-based, as the nodes are named (`node1` bootstraps the cluster). */
  index: number;
  /** `mysql://root@127.0.0.1:<port>/test`: this node alone. */
  url: string;
  /** Client (SQL) port. */
  port: number;
  /** Group communication port (gcomm). */
  groupPort: number;
  /** Whether the server process is running. */
  readonly running: boolean;
  /** Data directory (owned by `mysql` when run as root). */
  datadir: string;
  /** The server's error log, for a failure's diagnosis. */
  errorLog: string;
}

/** A throwaway MariaDB Galera cluster on loopback ports, for tests. */
export interface GaleraCluster {
  /** The nodes, in order (`nodes[0]` bootstrapped the cluster). */
  nodes: readonly GaleraNode[];
  /** One single-host URL per node. */
  urls: readonly string[];
  /** The multi-host URL: `mysql://root@127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3/test`. */
  url: string;
  /**
   * SIGKILL node `i` (1-based): a crash, as a power cut or OOM kill would be. Returns at once;
   * the others evict it after ~6 s ({@link waitSynced} waits for that).
   */
  kill(i: number): Promise<void>;
  /** Graceful shutdown of node `i` (SIGTERM): it leaves the cluster cleanly. */
  stopNode(i: number): Promise<void>;
  /**
   * Start node `i` again (killing it first if it runs) and wait until it has rejoined
   * and every running node is Synced in a cluster of every running node.
   */
  restart(i: number): Promise<void>;
  /**
   * Cut node `i` off the group traffic (`gmcast.isolate=1`) and wait until the others have
   * evicted it (~6 s) and go on as the Primary Component; it stays up but non-Primary, refusing
   * queries (1047 `WSREP has not yet prepared node`). {@link heal} undoes it.
   */
  partition(i: number): Promise<void>;
  /** Reconnect a partitioned node and wait until it is Synced again. */
  heal(i: number): Promise<void>;
  /**
   * Wait until every running node reports `wsrep_cluster_size` = the number of running
   * nodes and `wsrep_local_state_comment` = `Synced`.
   */
  waitSynced(options?: { timeoutMs?: number }): Promise<void>;
  /** Run one statement on node `i` alone (as root, in `test`) and return its rows. */
  query<T = Record<string, unknown>>(i: number, sql: string, values?: unknown[]): Promise<T[]>;
  /** What node `i` says of itself, or `undefined` when it does not answer. */
  status(i: number): Promise<GaleraNodeStatus | undefined>;
  /** Stop every node, the bootstrap node last, and remove the data directories. */
  stop(): Promise<void>;
}

/** Options of {@link startGaleraCluster}. */
export interface StartGaleraClusterOptions {
  /**
   * Number of nodes.
   * @default 3
   */
  nodes?: number;
  /**
   * Milliseconds to wait for the whole cluster to be up and Synced.
   * @default 90000
   */
  startTimeoutMs?: number;
  /**
   * InnoDB buffer pool per node (a test cluster on a small machine).
   * @default '64M'
   */
  bufferPoolSize?: string;
}

interface NodePorts {
  port: number;
  groupPort: number;
  istPort: number;
  sstPort: number;
}

/**
 * Why a Galera cluster cannot be started on this machine, or `undefined` when it can:
 * the server with wsrep, the provider, rsync (the state transfer), and a user to run as.
 */
export function galeraUnavailableReason(): string | undefined {
  if (!which('mariadbd')) return 'no mariadbd on this machine (install mariadb-server)';
  if (!existsSync(GALERA_PROVIDER)) return `no Galera provider at ${GALERA_PROVIDER} (apt-get install galera-4)`;
  if (!which('rsync')) return 'no rsync on this machine, which the state transfer needs (apt-get install rsync)';
  if (!which('wsrep_sst_rsync')) return 'no wsrep_sst_rsync script (install mariadb-server)';
  if (!which('mariadb-install-db')) return 'no mariadb-install-db (install mariadb-server)';
  if (process.getuid?.() === 0 && !mysqlAccount())
    return 'running as root but there is no `mysql` account to run the servers as';
  return undefined;
}

interface Account {
  uid: number;
  gid: number;
}

/** uid and gid of the `mysql` account, read from /etc/passwd. */
function mysqlAccount(): Account | undefined {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('mysql:'));
    const [, , uid, gid] = line?.split(':') ?? [];
    return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The last lines of a server's error log, for an error message. */
function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no error log)';
  }
}

function nodeConfig(opts: {
  dir: string;
  ports: NodePorts;
  clusterName: string;
  peers: string;
  name: string;
  bufferPool: string;
  runAs: string | undefined;
}): string {
  const { dir, ports } = opts;
  // A defaults file of our own, not --no-defaults: the rsync SST script reads the server's
  // options back through my_print_defaults, and would otherwise find the system's datadir.
  return `[mysqld]
${opts.runAs ? `user = ${opts.runAs}` : ''}
datadir = ${dir}/data
tmpdir = ${dir}/tmp
socket = ${dir}/mysqld.sock
pid-file = ${dir}/mysqld.pid
log-error = ${dir}/error.log
port = ${ports.port}
bind-address = 127.0.0.1
skip-name-resolve
innodb_buffer_pool_size = ${opts.bufferPool}
innodb_log_file_size = 48M
innodb_flush_log_at_trx_commit = 2
max_connections = 200
local_infile = 1
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
binlog_format = ROW
default_storage_engine = InnoDB
innodb_autoinc_lock_mode = 2
wsrep_on = ON
wsrep_provider = ${GALERA_PROVIDER}
wsrep_cluster_name = ${opts.clusterName}
wsrep_cluster_address = gcomm://${opts.peers}
wsrep_node_name = ${opts.name}
wsrep_node_address = 127.0.0.1:${ports.groupPort}
wsrep_node_incoming_address = 127.0.0.1:${ports.port}
wsrep_sst_method = rsync
wsrep_sst_receive_address = 127.0.0.1:${ports.sstPort}
wsrep_provider_options = "base_port=${ports.groupPort};gmcast.listen_addr=tcp://127.0.0.1:${ports.groupPort};ist.recv_addr=127.0.0.1:${ports.istPort};gcache.size=64M"
wsrep_slave_threads = 2
`;
}

/** The names a node of ours answers to. */
interface NodeIdentity {
  cluster: string;
  node: string;
}

/** What a node says of itself and its cluster. */
export interface GaleraNodeStatus {
  /** `wsrep_cluster_size`: the nodes this one sees in its component. */
  size: number;
  /** `wsrep_local_state_comment`: `Synced`, `Donor/Desynced`, `Joining`, `Initialized`, ... */
  state: string;
  /** `wsrep_cluster_status`: `Primary` or `non-Primary`. */
  component: string;
  /** `wsrep_ready`: whether it accepts queries. */
  ready: boolean;
}

/**
 * What the node on `port` says of itself; `undefined` when nothing answers there, or when what
 * answers is not `identity` (another cluster's node on a port this one has let go of).
 */
async function nodeStatus(port: number, identity: NodeIdentity): Promise<GaleraNodeStatus | undefined> {
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1000 });
    const [who] = await conn.query('SELECT @@wsrep_cluster_name AS cluster, @@wsrep_node_name AS node');
    const me = (who as { cluster: string; node: string }[])[0];
    if (me?.cluster !== identity.cluster || me.node !== identity.node) return undefined;
    const [rows] = await conn.query(
      "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_size','wsrep_local_state_comment','wsrep_cluster_status','wsrep_ready')",
    );
    const status = Object.fromEntries(
      (rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, r.Value]),
    );
    return {
      size: Number(status.wsrep_cluster_size ?? 0),
      state: String(status.wsrep_local_state_comment ?? ''),
      component: String(status.wsrep_cluster_status ?? ''),
      ready: status.wsrep_ready === 'ON',
    };
  } catch {
    return undefined;
  } finally {
    await conn?.end().catch(() => {});
  }
}

const isRunning = (c: ChildProcess | undefined) => !!c && c.exitCode === null && c.signalCode === null;

/** Four ports per node, held for this process until the cluster stops (see {@link reservePorts}). */
async function allocatePorts(count: number): Promise<{ nodes: NodePorts[]; reservation: PortReservation }> {
  const reservation = await reservePorts(count * 4);
  const p = reservation.ports;
  const nodes = Array.from({ length: count }, (_, i) => ({
    port: p[4 * i] as number,
    groupPort: p[4 * i + 1] as number,
    istPort: p[4 * i + 2] as number,
    sstPort: p[4 * i + 3] as number,
  }));
  return { nodes, reservation };
}

/** The cluster's processes, directories and what the test did to each node. */
class LoopbackGalera implements GaleraCluster {
  readonly nodes: GaleraNode[];
  readonly urls: string[];
  readonly url: string;
  readonly #children: (ChildProcess | undefined)[];
  readonly #tmp: TempDir;
  readonly #timeoutMs: number;
  readonly #mariadbd = which('mariadbd') as string;
  // Nodes partitioned off: they run, alone and non-Primary, outside the cluster waited for.
  readonly #isolated = new Set<number>();
  // Nodes stopped or killed on purpose: waitSynced does not call their absence a crash.
  readonly #stopped = new Set<number>();
  // A test process that dies leaves no server behind it.
  readonly #killAll = () => {
    for (const c of this.#children) if (isRunning(c)) c?.kill('SIGKILL');
    this.#reservation.release();
  };
  readonly #reservation: PortReservation;
  readonly #clusterName: string;

  constructor(
    tmp: TempDir,
    allocated: { nodes: NodePorts[]; reservation: PortReservation },
    options: StartGaleraClusterOptions,
    account: Account | undefined,
  ) {
    const ports = allocated.nodes;
    this.#reservation = allocated.reservation;
    this.#tmp = tmp;
    this.#timeoutMs = options.startTimeoutMs ?? 90_000;
    this.#children = new Array(ports.length).fill(undefined);
    const peers = ports.map((p) => `127.0.0.1:${p.groupPort}`).join(',');
    const clusterName = `stampede-${randomBytes(4).toString('hex')}`;
    this.#clusterName = clusterName;
    this.nodes = ports.map((p, i) => {
      const dir = tmp.join(`node${i + 1}`);
      mkdirSync(`${dir}/data`, { recursive: true });
      // Its own tmpdir: a mariadbd starting elsewhere on the machine with tmpdir /tmp deletes
      // every `#sql*` file there, and took mariadb-install-db's temporary table from under it.
      mkdirSync(`${dir}/tmp`);
      if (account) {
        chownSync(dir, account.uid, account.gid);
        chownSync(`${dir}/data`, account.uid, account.gid);
        chownSync(`${dir}/tmp`, account.uid, account.gid);
      }
      const bufferPool = options.bufferPoolSize ?? '64M';
      const runAs = account ? 'mysql' : undefined;
      writeFileSync(
        `${dir}/my.cnf`,
        nodeConfig({ dir, ports: p, clusterName, peers, name: `node${i + 1}`, bufferPool, runAs }),
      );
      const children = this.#children;
      return {
        index: i + 1,
        url: `mysql://root@127.0.0.1:${p.port}/test`,
        port: p.port,
        groupPort: p.groupPort,
        datadir: `${dir}/data`,
        errorLog: `${dir}/error.log`,
        get running() {
          return isRunning(children[i]);
        },
      };
    });
    this.urls = this.nodes.map((n) => n.url);
    this.url = `mysql://root@${this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}/test`;
    process.once('exit', this.#killAll);
  }

  #status(node: GaleraNode): Promise<GaleraNodeStatus | undefined> {
    return nodeStatus(node.port, { cluster: this.#clusterName, node: `node${node.index}` });
  }

  #cnf(i: number): string {
    return this.#tmp.join(`node${i}`, 'my.cnf');
  }

  #node(i: number): GaleraNode {
    const node = this.nodes[i - 1];
    if (!Number.isInteger(i) || !node) throw new Error(`no Galera node ${i} (1..${this.nodes.length})`);
    return node;
  }

  /** Initialise node 1's datadir, bootstrap it, create `test`, then join the others one at a time. */
  async bootstrap(account: Account | undefined): Promise<void> {
    try {
      await execFileAsync(
        which('mariadb-install-db') as string,
        [
          `--defaults-file=${this.#cnf(1)}`,
          ...(account ? ['--user=mysql'] : []),
          '--auth-root-authentication-method=normal',
          '--skip-test-db',
          '--skip-name-resolve',
        ],
        { env: { ...process.env, LC_ALL: 'C' } },
      );
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      const said = `${stdout}\n${stderr}`.split('\n').filter((l) => /ERROR|error|fail/.test(l));
      throw new Error(
        `mariadb-install-db failed for node1: ${said.slice(0, 3).join(' | ')}\n${tail(this.#node(1).errorLog)}`,
        { cause: error },
      );
    }
    await this.#start(1, true);
    const admin = await mysql.createConnection({ host: '127.0.0.1', port: this.#node(1).port, user: 'root' });
    await admin.query('CREATE DATABASE IF NOT EXISTS test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    await admin.end();
    // One joiner at a time: two rsync state transfers from one donor at once slow each other.
    for (let i = 2; i <= this.nodes.length; i++) await this.#start(i, false);
  }

  async #start(i: number, bootstrap: boolean): Promise<void> {
    this.#stopped.delete(i);
    this.#children[i - 1] = spawn(
      this.#mariadbd,
      [`--defaults-file=${this.#cnf(i)}`, ...(bootstrap ? ['--wsrep-new-cluster'] : [])],
      { stdio: 'ignore' },
    );
    await this.waitSynced();
  }

  async #signal(i: number, sig: NodeJS.Signals, graceMs = 60_000): Promise<void> {
    const c = this.#children[i - 1];
    if (!c || !isRunning(c)) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill(sig);
    const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  async waitSynced(options: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? this.#timeoutMs);
    let last = '';
    let lagging: GaleraNode[] = [];
    while (Date.now() < deadline) {
      for (const n of this.nodes) {
        if (!n.running && this.#children[n.index - 1] !== undefined && !this.#stopped.has(n.index)) {
          throw new Error(`Galera node${n.index} exited:\n${tail(n.errorLog)}`);
        }
      }
      const live = this.nodes.filter((n) => n.running && !this.#isolated.has(n.index));
      const statuses = await Promise.all(live.map((n) => this.#status(n)));
      const synced = statuses.map((s) => !!s?.ready && s.state === 'Synced' && s.size === live.length);
      if (synced.every(Boolean)) return;
      last = live.map((n, k) => `node${n.index}: ${JSON.stringify(statuses[k] ?? 'no answer')}`).join(', ');
      lagging = live.filter((_, k) => !synced[k]);
      await sleep(250);
    }
    const logs = lagging.map((n) => `node${n.index}'s error log:\n${tail(n.errorLog)}`).join('\n');
    throw new Error(`Galera cluster not Synced within the time allowed (${last})\n${logs}`);
  }

  async kill(i: number): Promise<void> {
    this.#node(i);
    this.#stopped.add(i);
    await this.#signal(i, 'SIGKILL');
  }

  async stopNode(i: number): Promise<void> {
    this.#node(i);
    this.#stopped.add(i);
    await this.#signal(i, 'SIGTERM');
  }

  async restart(i: number): Promise<void> {
    await this.kill(i);
    // Never bootstrap again: the node (node 1 too) joins the cluster that lives on.
    await this.#start(i, false);
  }

  async #isolate(i: number, on: boolean): Promise<void> {
    const conn = await mysql.createConnection({ host: '127.0.0.1', port: this.#node(i).port, user: 'root' });
    try {
      await conn.query(`SET GLOBAL wsrep_provider_options = 'gmcast.isolate=${on ? 1 : 0}'`);
    } finally {
      await conn.end();
    }
    if (on) this.#isolated.add(i);
    else this.#isolated.delete(i);
    await this.waitSynced();
    // The rest of the cluster has evicted it; it may take a moment longer to give them up itself.
    const deadline = Date.now() + this.#timeoutMs;
    while (on && (await this.#status(this.#node(i)))?.component === 'Primary') {
      if (Date.now() > deadline) throw new Error(`Galera node${i} still Primary after its partition`);
      await sleep(250);
    }
  }

  partition(i: number): Promise<void> {
    return this.#isolate(i, true);
  }

  heal(i: number): Promise<void> {
    return this.#isolate(i, false);
  }

  async query<T = Record<string, unknown>>(i: number, sql: string, values?: unknown[]): Promise<T[]> {
    const conn = await mysql.createConnection({ uri: this.#node(i).url, connectTimeout: 5000 });
    try {
      return (await conn.query(sql, values))[0] as T[];
    } finally {
      await conn.end();
    }
  }

  status(i: number): Promise<GaleraNodeStatus | undefined> {
    return this.#status(this.#node(i));
  }

  /** Stop every node, the bootstrap node last (gracefully, or by SIGKILL with `kill`), and remove the directories. */
  async stop(kill = false): Promise<void> {
    for (let i = this.nodes.length; i >= 1; i--) {
      this.#stopped.add(i);
      await this.#signal(i, kill ? 'SIGKILL' : 'SIGTERM');
    }
    process.removeListener('exit', this.#killAll);
    this.#reservation.release();
    this.#tmp.cleanup();
  }
}

/**
 * Start a MariaDB Galera cluster of `nodes` servers on free loopback ports, each with its own
 * temporary data directory: node 1 bootstraps (`--wsrep-new-cluster`), the others join by rsync
 * state transfer. Resolves when every node is Synced in a cluster of that size and the `test`
 * database exists (~15 s for 3 nodes). As root, the servers run as `mysql` (rsync's daemon,
 * started by root, would drop to `nobody` and the join fail). Never the shared server.
 * @throws Error naming what is missing, or the node and the tail of its error log when it does not come up.
 */
export async function startGaleraCluster(options: StartGaleraClusterOptions = {}): Promise<GaleraCluster> {
  const unavailable = galeraUnavailableReason();
  if (unavailable) throw new Error(`Cannot start a Galera cluster: ${unavailable}`);
  const account = process.getuid?.() === 0 ? mysqlAccount() : undefined;
  const tmp = makeTempDir('galera');
  // mkdtemp makes it 0700 root: the servers, running as mysql, must reach their datadirs.
  if (account) chownSync(tmp.path, account.uid, account.gid);
  let cluster: LoopbackGalera | undefined;
  const allocated = await allocatePorts(options.nodes ?? 3);
  try {
    cluster = new LoopbackGalera(tmp, allocated, options, account);
    await cluster.bootstrap(account);
    return cluster;
  } catch (error) {
    if (cluster) await cluster.stop(true);
    else {
      allocated.reservation.release();
      tmp.cleanup();
    }
    throw error;
  }
}

/** A cluster for one test file, or the reason there is none. */
export interface TestGaleraCluster {
  /** Whether the cluster started. */
  available: boolean;
  /** Why not, when it did not. */
  reason: string;
  /** The cluster; throws when it is not available. */
  readonly cluster: GaleraCluster;
  /**
   * `describe` when the cluster is up; otherwise a visibly named skip that says why.
   */
  describe: (name: string, fn: () => void) => void;
}

/**
 * Start one Galera cluster for this test file and stop it after the file's tests. Call once at
 * the top level of a test file (top-level await), never per test: a cluster takes ~15 s to start.
 *
 * When it cannot start (no galera-4, no rsync, a failed join): `available: false` and a `describe`
 * that skips with the reason in its name, except under `CI=true`, where it throws.
 */
export async function useGaleraCluster(options: StartGaleraClusterOptions = {}): Promise<TestGaleraCluster> {
  let started: GaleraCluster;
  try {
    started = await startGaleraCluster(options);
  } catch (error) {
    const reason = `no Galera cluster: ${(error as Error).message.split('\n')[0]}`;
    if (isCI())
      throw new Error(`Galera cluster tests cannot run under CI: ${(error as Error).message}`, { cause: error });
    // The skip's name carries the first line; the whole of it (a node's error log) goes to stderr.
    console.warn(`[stampede] Galera cluster tests skipped: ${(error as Error).message}`);
    return {
      available: false,
      reason,
      get cluster(): GaleraCluster {
        throw new Error(reason);
      },
      describe: (title, fn) => describe.skip(`${title} [skipped: ${reason}]`, fn),
    };
  }
  afterAll(() => started.stop(), 120_000);
  return { available: true, reason: '', cluster: started, describe };
}
