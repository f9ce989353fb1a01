import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import mysql from 'mysql2/promise';
import type { DatabaseConfig } from './config.js';
import { describeConnectionError } from './errors.js';

/** What a MySQL/MariaDB server told us about itself. */
export interface MysqlProbe {
  /** `10.11.19-MariaDB-0+deb12u1`, `8.4.3`, ... */
  version: string;
  flavor: 'MariaDB' | 'MySQL';
  localInfile: boolean;
  maxAllowedPacket: number;
  innodbBufferPoolSize: number;
  /** Whether the user could CREATE a table, INSERT into it and SELECT from it (tried for real, then dropped). */
  privileges: { create: boolean; insert: boolean; select: boolean; error?: string };
}

type MysqlConfig = Extract<DatabaseConfig, { kind: 'mysql' }>;

/** Connection options for mysql2 from a parsed URL. */
export function mysqlConnectionOptions(config: MysqlConfig, connectTimeoutMs = 5000): mysql.ConnectionOptions {
  return {
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database,
    charset: 'utf8mb4_unicode_ci',
    connectTimeout: connectTimeoutMs,
    dateStrings: true,
    supportBigNumbers: true,
  };
}

/**
 * Connect with a short timeout and describe the server. A connection failure is
 * thrown as a DatabaseError with its own message per cause.
 */
export async function probeMysql(config: MysqlConfig, options: { timeoutMs?: number } = {}): Promise<MysqlProbe> {
  let conn: mysql.Connection;
  try {
    conn = await mysql.createConnection(mysqlConnectionOptions(config, options.timeoutMs ?? 4000));
  } catch (error) {
    throw describeConnectionError(error, config);
  }
  try {
    const [rows] = await conn.query(
      'SELECT VERSION() AS version, @@local_infile AS localInfile, @@max_allowed_packet AS maxAllowedPacket, @@innodb_buffer_pool_size AS bufferPool',
    );
    const r = (rows as Record<string, unknown>[])[0] ?? {};
    const version = String(r.version);
    const privileges = await tryPrivileges(conn);
    return {
      version,
      flavor: /mariadb/i.test(version) ? 'MariaDB' : 'MySQL',
      localInfile: Number(r.localInfile) === 1,
      maxAllowedPacket: Number(r.maxAllowedPacket),
      innodbBufferPoolSize: Number(r.bufferPool),
      privileges,
    };
  } finally {
    await conn.end().catch(() => {});
  }
}

// Reading SHOW GRANTS is fragile (roles, wildcards, partial revokes); trying is exact.
async function tryPrivileges(conn: mysql.Connection): Promise<MysqlProbe['privileges']> {
  const table = `stampede_doctor_${randomBytes(4).toString('hex')}`;
  const result: MysqlProbe['privileges'] = { create: false, insert: false, select: false };
  try {
    await conn.query(`CREATE TABLE \`${table}\` (id INT PRIMARY KEY) ENGINE=InnoDB`);
    result.create = true;
    await conn.query(`INSERT INTO \`${table}\` VALUES (1)`);
    result.insert = true;
    await conn.query(`SELECT id FROM \`${table}\``);
    result.select = true;
  } catch (error) {
    result.error = (error as Error).message;
  } finally {
    if (result.create) await conn.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => {});
  }
  return result;
}

/** What one node of a (possible) Galera cluster says about itself and its cluster. */
export interface GaleraNodeProbe {
  host: string;
  port: number;
  /** Why the node could not be asked (unreachable, refused, access denied); the rest is then empty. */
  error?: string;
  /** `wsrep_on`: whether the server replicates with Galera (false on a plain server, or MySQL). */
  wsrepOn: boolean;
  /** `wsrep_cluster_size`: nodes in this node's component. */
  clusterSize: number;
  /** `wsrep_cluster_status`: `Primary`, or `non-Primary` (no quorum: it refuses queries). */
  component: string;
  /** `wsrep_local_state_comment`: `Synced`, `Donor/Desynced`, `Joining`, `Joined`, `Initialized`, ... */
  state: string;
  /** `wsrep_ready`: whether it accepts queries. */
  ready: boolean;
  /** `wsrep_cluster_name`. */
  clusterName: string;
  /** `wsrep_provider_version`. */
  providerVersion: string;
  /** `wsrep_flow_control_paused`: the fraction of time replication was paused (since the last FLUSH STATUS). */
  flowControlPaused: number;
  /** Global `wsrep_sync_wait` (a bit mask; 1 = reads wait for the cluster's commits). */
  syncWait: number;
  /** `wsrep_max_ws_rows`: the most rows one transaction may write (0 = no limit). */
  maxWsRows: number;
  /** `wsrep_max_ws_size`: the most bytes one write set may hold. */
  maxWsSize: number;
}

const GALERA_STATUS = [
  'wsrep_cluster_size',
  'wsrep_cluster_status',
  'wsrep_local_state_comment',
  'wsrep_ready',
  'wsrep_provider_version',
  'wsrep_flow_control_paused',
];
const GALERA_VARIABLES = [
  'wsrep_on',
  'wsrep_cluster_name',
  'wsrep_sync_wait',
  'wsrep_max_ws_rows',
  'wsrep_max_ws_size',
];

/** `SHOW GLOBAL ... WHERE Variable_name IN (...)` as a name → value map (empty where the server lacks them). */
async function showGlobal(conn: mysql.Connection, what: 'STATUS' | 'VARIABLES', names: string[]) {
  const [rows] = await conn.query(`SHOW GLOBAL ${what} WHERE Variable_name IN (?)`, [names]);
  return new Map(
    (rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name.toLowerCase(), r.Value]),
  );
}

/**
 * Ask each host of the URL (every node of a multi-host URL, else the one host) for its Galera
 * state, side by side. A node that cannot be reached is reported with `error`, never thrown.
 */
export async function probeGalera(
  config: MysqlConfig,
  options: { timeoutMs?: number } = {},
): Promise<GaleraNodeProbe[]> {
  const hosts = config.hosts ?? [{ host: config.host, port: config.port }];
  return Promise.all(hosts.map((h) => probeGaleraNode({ ...config, ...h }, options.timeoutMs ?? 4000)));
}

async function probeGaleraNode(config: MysqlConfig, timeoutMs: number): Promise<GaleraNodeProbe> {
  const probe: GaleraNodeProbe = {
    host: config.host,
    port: config.port,
    wsrepOn: false,
    clusterSize: 0,
    component: '',
    state: '',
    ready: false,
    clusterName: '',
    providerVersion: '',
    flowControlPaused: 0,
    syncWait: 0,
    maxWsRows: 0,
    maxWsSize: 0,
  };
  let conn: mysql.Connection | undefined;
  try {
    // No database: a node that is up but not yet Synced may refuse to open one.
    conn = await mysql.createConnection({ ...mysqlConnectionOptions(config, timeoutMs), database: undefined });
    const vars = await showGlobal(conn, 'VARIABLES', GALERA_VARIABLES);
    const status = await showGlobal(conn, 'STATUS', GALERA_STATUS);
    probe.wsrepOn = vars.get('wsrep_on') === 'ON';
    probe.clusterName = vars.get('wsrep_cluster_name') ?? '';
    probe.syncWait = Number(vars.get('wsrep_sync_wait') ?? 0);
    probe.maxWsRows = Number(vars.get('wsrep_max_ws_rows') ?? 0);
    probe.maxWsSize = Number(vars.get('wsrep_max_ws_size') ?? 0);
    probe.clusterSize = Number(status.get('wsrep_cluster_size') ?? 0);
    probe.component = status.get('wsrep_cluster_status') ?? '';
    probe.state = status.get('wsrep_local_state_comment') ?? '';
    probe.ready = status.get('wsrep_ready') === 'ON';
    probe.providerVersion = status.get('wsrep_provider_version') ?? '';
    probe.flowControlPaused = Number(status.get('wsrep_flow_control_paused') ?? 0);
  } catch (error) {
    probe.error = describeConnectionError(error, config).message;
  } finally {
    await conn?.end().catch(() => {});
  }
  return probe;
}

/** What the embedded SQLite driver reports. */
export interface SqliteProbe {
  /** better-sqlite3's package version. */
  driverVersion: string;
  /** The SQLite library's version. */
  sqliteVersion: string;
}

/** Load better-sqlite3's native module and ask SQLite its version. Throws if the native module does not load. */
export async function probeSqlite(): Promise<SqliteProbe> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(':memory:');
  try {
    const row = db.prepare('SELECT sqlite_version() AS v').get() as { v: string };
    const require = createRequire(import.meta.url);
    const { version } = require('better-sqlite3/package.json') as { version: string };
    return { driverVersion: version, sqliteVersion: row.v };
  } finally {
    db.close();
  }
}
