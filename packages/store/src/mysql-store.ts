import { Readable } from 'node:stream';
import {
  createSecondaryIndexSql,
  createUsersTableSql,
  USER_COLUMN_NAMES,
  type User,
  userToRow,
} from '@stampede/schema';
import mysql from 'mysql2/promise';
import { type DatabaseConfig, redactDatabaseUrl } from './config.js';
import { ER_DUP_FIELDNAME, ER_DUP_KEYNAME, ER_UNKNOWN_SYSTEM_VARIABLE } from './driver-codes.js';
import { EncodedRows, TSV_FORMAT, usersOf } from './encoded-rows.js';
import {
  classifyError,
  DatabaseError,
  describeConnectionError,
  isConnectionLost,
  isMissingTable,
  toDatabaseError,
} from './errors.js';
import { claimMysqlTable } from './new-table-claim.js';
import { type NodeState, readNodeStates } from './node-states.js';
import { type PoolStats, readPoolStats } from './pool-stats.js';
import { mysqlConnectionOptions } from './probe.js';
import { isKnownDepartment, pageLimit, queryableUsernames, rowToUser, selectList } from './rows.js';
import { type TableNames, tableNames } from './table-names.js';
import type {
  ClaimTableOptions,
  EnsureSchemaOptions,
  ListDepartmentOptions,
  OnDuplicate,
  ProgressMark,
  StoreCapabilities,
  TableClaim,
  UpsertOptions,
  UpsertResult,
  UserStore,
} from './user-store.js';
import { readWriteSetLimits } from './write-set-limits.js';

type MysqlConfig = Extract<DatabaseConfig, { kind: 'mysql' }>;

interface TransactionOptions<T> {
  /** READ COMMITTED: no gap locks. */
  readCommitted?: boolean;
  /** Commit only when this says so of `fn`'s result; otherwise roll back and still return it. */
  keep?: (result: T) => boolean;
}

/** Options of a MySQL store. */
export interface MysqlStoreOptions {
  /**
   * Pool size: the most connections used at once (per node, for a multi-host URL).
   * @default 4
   */
  connections?: number;
  /**
   * Table name.
   * @default 'users'
   */
  table?: string;
  /**
   * Milliseconds to wait for a connection to be established.
   * @default 5000
   */
  connectTimeoutMs?: number;
}

// Strict mode makes a too-long or invalid value an error (a rejected row) rather than a
// silently truncated one, on MySQL 8.4 and MariaDB 10.11 alike, whatever the server default.
const SESSION_SETUP =
  "SET SESSION sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'";

const COLS = USER_COLUMN_NAMES.map((c) => `\`${c}\``).join(', ');
const ROW_PLACEHOLDERS = `(${USER_COLUMN_NAMES.map(() => '?').join(',')})`;
// A username or email that already belongs to ANOTHER id also lands in ON DUPLICATE KEY
// UPDATE; setting the NOT NULL id to NULL then fails the statement (ER_BAD_NULL_ERROR, a row
// error), so such a row is rejected instead of overwriting the other user.
const GUARD = '`id` = IF(`id` = VALUES(`id`), `id`, NULL)';
// (describeRowError in errors.ts reads that failure back as "taken".)
const UPDATE_ALL = USER_COLUMN_NAMES.filter((c) => c !== 'id')
  .map((c) => `\`${c}\` = VALUES(\`${c}\`)`)
  .join(', ');

/**
 * On a Galera cluster a read on one node may not yet see a commit made on another: with
 * `wsrep_sync_wait = 1` a read first waits for the node to apply what the cluster has committed,
 * so reads spread over the nodes still see the store's own writes. Other servers lack the variable.
 */
async function readYourWrites(conn: mysql.PoolConnection): Promise<void> {
  try {
    await conn.query('SET SESSION wsrep_sync_wait = 1');
  } catch (error) {
    if ((error as { errno?: number }).errno !== ER_UNKNOWN_SYSTEM_VARIABLE) throw error;
  }
}

/** Something that hands out pooled connections: a pool, or a cluster's namespace with its selector. */
interface ConnectionSource {
  getConnection(): Promise<mysql.PoolConnection>;
}

/** mysql2's code when every node of a PoolCluster is offline. */
const POOL_NONE_ONLINE = 'POOL_NONEONLINE';

/**
 * How long a cluster node that refused a connection is left out before it is tried again: a
 * killed Galera node is back in 6-7 s, and one refused connect per period costs nothing.
 */
const NODE_RETRY_MS = 2000;

/** One pool for a single host; for a multi-host URL, mysql2's PoolCluster with a pool per node. */
function createPools(
  config: MysqlConfig,
  options: MysqlStoreOptions,
): { pool: mysql.Pool | mysql.PoolCluster; writes: ConnectionSource; reads: ConnectionSource } {
  const poolOptions: mysql.PoolOptions = {
    ...mysqlConnectionOptions(config, options.connectTimeoutMs ?? 5000),
    connectionLimit: options.connections ?? 4,
    waitForConnections: true,
    enableKeepAlive: true,
  };
  if (!config.hosts) {
    const pool = mysql.createPool(poolOptions);
    return { pool, writes: pool, reads: pool };
  }
  const cluster = mysql.createPoolCluster({
    // A node that fails one connect is left out for NODE_RETRY_MS and the next node is tried at
    // once (mysql2's default, 5 failures then removed for good, would never take a restarted node back).
    canRetry: true,
    removeNodeErrorCount: 1,
    restoreNodeTimeout: NODE_RETRY_MS,
    defaultSelector: 'ORDER',
  });
  for (const { host, port } of config.hosts) cluster.add(`${host}:${port}`, { ...poolOptions, host, port });
  return { pool: cluster, writes: cluster.of('*', 'ORDER'), reads: cluster.of('*', 'RR') };
}

/** What the batch a progress mark closes did, kept with the mark for a retry that finds it committed. */
const LAST_RESULT_COLUMNS = ['last_inserted', 'last_updated', 'last_skipped'] as const;

/** What a batch of `rows` did, `duplicates` of which met an existing id. */
function countResult(rows: number, duplicates: number, onDuplicate: OnDuplicate): UpsertResult {
  return {
    inserted: rows - duplicates,
    updated: onDuplicate === 'update' ? duplicates : 0,
    skipped: onDuplicate === 'skip' ? duplicates : 0,
  };
}

/** The users table in MySQL 8.4 or MariaDB 10.11 through a mysql2 pool. */
export class MysqlUserStore implements UserStore {
  readonly dialect = 'mysql' as const;
  readonly table: string;
  readonly displayUrl: string;
  /**
   * The mysql2 pool (a `PoolCluster` for a multi-host URL), for tests and tools that need a raw
   * connection. Callers of the store ask {@link capabilities} and the store's named errors instead:
   * a driver's pool, errno or class outside the store would tie them to one database.
   */
  readonly pool: mysql.Pool | mysql.PoolCluster;
  /** Where writes (and reads that must see them) get a connection. */
  readonly #writes: ConnectionSource;
  /** Where lookups get a connection: spread over a cluster's nodes. */
  readonly #reads: ConnectionSource;
  readonly #config: MysqlConfig;
  readonly #names: TableNames;
  readonly #progressTable: string;
  readonly #prepared = new WeakSet<object>();
  readonly #staged = new WeakSet<object>();
  #maxPacket: number | undefined;

  constructor(config: MysqlConfig, options: MysqlStoreOptions = {}) {
    this.#config = config;
    this.#names = tableNames(options.table ?? 'users');
    this.table = this.#names.table;
    this.#progressTable = this.#names.progress;
    this.displayUrl = redactDatabaseUrl(config.url);
    const pools = createPools(config, options);
    this.pool = pools.pool;
    this.#writes = pools.writes;
    this.#reads = pools.reads;
  }

  /**
   * Check out a connection set up for Stampede; destroyed instead of reused when it broke. On a
   * cluster, `'write'` (the default) takes the first live node of the URL's list, so one writer's
   * transactions never certify against each other across nodes; `'read'` takes the nodes in turn.
   */
  async withConnection<T>(
    fn: (conn: mysql.PoolConnection) => Promise<T>,
    purpose: 'write' | 'read' = 'write',
  ): Promise<T> {
    let conn: mysql.PoolConnection;
    try {
      conn = await (purpose === 'read' ? this.#reads : this.#writes).getConnection();
    } catch (error) {
      if ((error as { code?: unknown }).code === POOL_NONE_ONLINE) throw this.#noNodeOnline(error);
      // Say what is wrong with the server or the URL (not "retry the batch"), but keep a refused
      // or timed-out connection retryable: a loader waits out a server's restart or a failover.
      const described = describeConnectionError(error, this.#connectTarget(error));
      throw new DatabaseError(described.message, {
        driverCode: described.driverCode,
        errno: described.errno,
        errorClass: classifyError(error) === 'retryable' ? 'retryable' : described.errorClass,
        hint: described.hint,
        cause: error,
      });
    }
    try {
      if (!this.#prepared.has(conn.connection)) {
        await conn.query(SESSION_SETUP);
        if (this.#config.hosts) await readYourWrites(conn);
        this.#prepared.add(conn.connection);
      }
      const result = await fn(conn);
      conn.release();
      return result;
    } catch (error) {
      if (isConnectionLost(error)) conn.destroy();
      else conn.release();
      throw toDatabaseError(error);
    }
  }

  /** Every node of the cluster failed its last connect, moments ago: retryable, as a restart is. */
  #noNodeOnline(error: unknown): DatabaseError {
    const list = (this.#config.hosts ?? []).map((h) => `${h.host}:${h.port}`).join(',');
    return new DatabaseError(`No node of the cluster ${list} accepts connections right now`, {
      driverCode: POOL_NONE_ONLINE,
      errorClass: 'retryable',
      hint: `each node refused its last connection (nodes are tried again after ${NODE_RETRY_MS / 1000} s): check that the cluster runs (\`stampede doctor\`)`,
      cause: error,
    });
  }

  /** The server a failed connection was meant for: a cluster's node, when the socket error says which. */
  #connectTarget(error: unknown): MysqlConfig {
    const hosts = this.#config.hosts;
    if (!hosts) return this.#config;
    const e = error as { address?: unknown; port?: unknown; code?: unknown };
    if (typeof e.address === 'string' && typeof e.port === 'number') {
      return { ...this.#config, host: e.address, port: e.port };
    }
    return this.#config;
  }

  /** Run `fn` in one transaction on a connection of its own (see {@link #inTransaction}). */
  async #transaction<T>(
    fn: (conn: mysql.PoolConnection) => Promise<T>,
    options: TransactionOptions<T> = {},
  ): Promise<T> {
    return this.withConnection((conn) => this.#inTransaction(conn, fn, options));
  }

  /**
   * The one transaction helper: run `fn` in one transaction on `conn`, committed when it
   * resolves (and `options.keep` agrees), rolled back when it throws. A lost connection is
   * not rolled back: the server does that itself, and the pool destroys the connection.
   */
  async #inTransaction<T>(
    conn: mysql.PoolConnection,
    fn: (conn: mysql.PoolConnection) => Promise<T>,
    options: TransactionOptions<T> = {},
  ): Promise<T> {
    if (options.readCommitted) await conn.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
    await conn.query('START TRANSACTION');
    try {
      const result = await fn(conn);
      await conn.query(options.keep && !options.keep(result) ? 'ROLLBACK' : 'COMMIT');
      return result;
    } catch (error) {
      if (!isConnectionLost(error)) await conn.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async #query(sql: string, values?: unknown[], purpose: 'write' | 'read' = 'write'): Promise<unknown> {
    return this.withConnection(async (conn) => (await conn.query(sql, values))[0], purpose);
  }

  async ensureSchema(options: EnsureSchemaOptions = {}): Promise<void> {
    for (const sql of createUsersTableSql('mysql', { table: this.table, ...options })) await this.#query(sql);
    await this.#query(
      `CREATE TABLE IF NOT EXISTS \`${this.#progressTable}\` (
  \`load_key\` VARCHAR(128) CHARACTER SET ascii NOT NULL,
  \`range_key\` VARCHAR(128) CHARACTER SET ascii NOT NULL,
  \`committed_offset\` BIGINT UNSIGNED NOT NULL,
  \`committed_rows\` BIGINT UNSIGNED NOT NULL,
  ${LAST_RESULT_COLUMNS.map((c) => `\`${c}\` BIGINT UNSIGNED NOT NULL DEFAULT 0,`).join('\n  ')}
  \`updated_at\` TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (\`load_key\`, \`range_key\`)
) ENGINE=InnoDB`,
    );
    // A progress table from before the last batch's counts were kept gets their columns.
    const have = (await this.#query(
      'SELECT column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?',
      [this.#progressTable],
    )) as { c: string }[];
    const missing = LAST_RESULT_COLUMNS.filter((c) => !have.some((h) => h.c === c));
    if (missing.length > 0) {
      await this.#query(
        `ALTER TABLE \`${this.#progressTable}\` ${missing.map((c) => `ADD COLUMN \`${c}\` BIGINT UNSIGNED NOT NULL DEFAULT 0`).join(', ')}`,
      ).catch((error: unknown) => {
        // Shard processes starting together: another one added them first (duplicate column).
        if ((error as { errno?: number }).errno !== ER_DUP_FIELDNAME) throw error;
      });
    }
  }

  async claimTable(options: ClaimTableOptions): Promise<TableClaim> {
    return claimMysqlTable(this.#config, this.table, (sql, values) => this.#query(sql, values), options);
  }

  async hasSecondaryIndexes(): Promise<boolean> {
    const rows = (await this.#query(
      'SELECT COUNT(*) AS n FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ?',
      [this.table, this.#names.secondaryIndex],
    )) as { n: number }[];
    return Number(rows[0]?.n) > 0;
  }

  async addSecondaryIndexes(): Promise<void> {
    if (await this.hasSecondaryIndexes()) return;
    try {
      for (const sql of createSecondaryIndexSql('mysql', this.table)) await this.#query(sql);
    } catch (error) {
      // Shard processes finishing together: another one added it first.
      if (toDatabaseError(error).errno !== ER_DUP_KEYNAME) throw error;
    }
  }

  async capabilities(): Promise<StoreCapabilities> {
    try {
      const rows = (await this.#query('SELECT @@GLOBAL.local_infile AS v')) as { v: unknown }[];
      return { loadData: Number(rows[0]?.v) === 1, ...(await readWriteSetLimits((sql) => this.#query(sql))) };
    } catch {
      // Engines that do not expose it (Vitess, PlanetScale) do not support LOAD DATA either.
      return { loadData: false };
    }
  }

  async dropTable(): Promise<void> {
    await this.#query(`DROP TABLE IF EXISTS \`${this.table}\`, \`${this.#progressTable}\``);
  }

  async count(): Promise<number> {
    const rows = (await this.#query(`SELECT COUNT(*) AS n FROM \`${this.table}\``)) as { n: number }[];
    return Number(rows[0]?.n ?? 0);
  }

  async upsert(rows: readonly User[] | EncodedRows, options: UpsertOptions = {}): Promise<UpsertResult> {
    if (options.method === 'load-data') return this.upsertViaLoadData(rows, options);
    const users = usersOf(rows);
    const onDuplicate = options.onDuplicate ?? 'update';
    if (users.length === 0 && !options.progress) return { inserted: 0, updated: 0, skipped: 0 };
    const values: unknown[] = [];
    for (const u of users) values.push(...userToRow(u, 'mysql'));
    let sql = `INSERT INTO \`${this.table}\` (${COLS}) VALUES ${new Array(users.length).fill(ROW_PLACEHOLDERS).join(',')}`;
    if (onDuplicate === 'update') sql += ` ON DUPLICATE KEY UPDATE ${GUARD}, ${UPDATE_ALL}`;
    else if (onDuplicate === 'skip') sql += ` ON DUPLICATE KEY UPDATE ${GUARD}`;
    return this.#transaction(async (conn) => {
      const recorded = await this.#recordedResult(conn, options);
      if (recorded) return recorded;
      let duplicates = 0;
      if (users.length > 0) {
        const [header] = await conn.query<mysql.ResultSetHeader>(sql, values);
        // "Records: 3  Duplicates: 1  Warnings: 0" counts rows that met an existing key, changed or not.
        duplicates = Number(/Duplicates:\s*(\d+)/.exec(header.info ?? '')?.[1] ?? 0);
        if (users.length === 1 && !header.info) duplicates = header.affectedRows === 1 ? 0 : 1;
      }
      const result = countResult(users.length, duplicates, onDuplicate);
      if (options.progress) await this.#writeProgress(conn, options.progress, result);
      return result;
    });
  }

  /**
   * The same as {@link upsert}, but the rows travel as one `LOAD DATA LOCAL INFILE` stream
   * into a per-connection temporary staging table, then `INSERT ... SELECT` applies the
   * same duplicate rules and strict checks (LOAD DATA LOCAL alone would silently truncate
   * bad values, and REPLACE would overwrite another id's username).
   * The same as `upsert(users, { ...options, method: 'load-data' })`.
   * @throws DatabaseError `fatal` with a hint when the server's `local_infile` is off.
   */
  async upsertViaLoadData(rows: readonly User[] | EncodedRows, options: UpsertOptions = {}): Promise<UpsertResult> {
    const onDuplicate = options.onDuplicate ?? 'update';
    if (rows.length === 0) return this.upsert([], { ...options, method: 'insert' });
    const encoded = rows instanceof EncodedRows ? rows : encodeRows(rows);
    const stage = `\`${this.#names.stage}\``;
    // Target columns qualified: in INSERT ... SELECT an unqualified `id` would be ambiguous.
    const t = `\`${this.table}\`.`;
    const guard = `${t}\`id\` = IF(${t}\`id\` = VALUES(\`id\`), ${t}\`id\`, NULL)`;
    let insert = `INSERT INTO \`${this.table}\` (${COLS}) SELECT ${COLS} FROM ${stage}`;
    if (onDuplicate === 'update') {
      const all = USER_COLUMN_NAMES.filter((c) => c !== 'id')
        .map((c) => `${t}\`${c}\` = VALUES(\`${c}\`)`)
        .join(', ');
      insert += ` ON DUPLICATE KEY UPDATE ${guard}, ${all}`;
    } else if (onDuplicate === 'skip') insert += ` ON DUPLICATE KEY UPDATE ${guard}`;
    const tsv = encoded.bytes();
    // Optimistic path: straight into the table. LOCAL makes every problem (a duplicate key,
    // a value the column refuses) a warning instead of an error, so any warning or skipped
    // row rolls the batch back and it goes the careful way below.
    const fast = await this.#transaction(
      async (conn) => {
        // (Only here: when this finds nothing, the careful way below would not either.)
        const recorded = await this.#recordedResult(conn, options);
        if (recorded) return recorded;
        const [header] = await conn.query<mysql.ResultSetHeader>({
          sql: `LOAD DATA LOCAL INFILE 'stampede-batch' INTO TABLE \`${this.table}\` ${TSV_FORMAT} (${COLS})`,
          infileStreamFactory: () => Readable.from([tsv]),
        });
        if (header.affectedRows !== rows.length || header.warningStatus !== 0) return undefined;
        const result = { inserted: rows.length, updated: 0, skipped: 0 };
        if (options.progress) await this.#writeProgress(conn, options.progress, result);
        return result;
      },
      { keep: (result) => result !== undefined },
    );
    if (fast) return fast;
    return this.withConnection(async (conn) => {
      if (!this.#staged.has(conn.connection)) {
        // Wide columns and no keys: every check happens in the INSERT ... SELECT, under strict mode.
        await conn.query(
          `CREATE TEMPORARY TABLE IF NOT EXISTS ${stage} (${USER_COLUMN_NAMES.map((c) => `\`${c}\` ${c === 'id' ? 'BIGINT UNSIGNED' : 'VARCHAR(1024) CHARACTER SET utf8mb4'}`).join(', ')}) ENGINE=InnoDB`,
        );
        this.#staged.add(conn.connection);
      }
      // Before the transaction: TRUNCATE commits implicitly.
      await conn.query(`TRUNCATE TABLE ${stage}`);
      return this.#inTransaction(conn, async () => {
        await conn.query({
          sql: `LOAD DATA LOCAL INFILE 'stampede-batch' INTO TABLE ${stage} ${TSV_FORMAT} (${COLS})`,
          infileStreamFactory: () => Readable.from([tsv]),
        });
        // MariaDB's INSERT ... SELECT reports "Duplicates: 0" whatever happened: count them first.
        const [found] = await conn.query<mysql.RowDataPacket[]>(
          `SELECT COUNT(*) AS n FROM ${stage} s JOIN \`${this.table}\` u ON u.\`id\` = s.\`id\``,
        );
        const duplicates = Number(found[0]?.n ?? 0);
        await conn.query(insert);
        const result = countResult(rows.length, duplicates, onDuplicate);
        if (options.progress) await this.#writeProgress(conn, options.progress, result);
        return result;
      });
    });
  }

  /** Write `mark`, with what the batch it closes did (read back by {@link #recordedResult}). */
  async #writeProgress(conn: mysql.PoolConnection, mark: ProgressMark, result?: UpsertResult): Promise<void> {
    const r = result ?? { inserted: 0, updated: 0, skipped: 0 };
    await conn.query(
      `INSERT INTO \`${this.#progressTable}\` (load_key, range_key, committed_offset, committed_rows, ${LAST_RESULT_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE committed_offset = VALUES(committed_offset), committed_rows = VALUES(committed_rows), ${LAST_RESULT_COLUMNS.map((c) => `${c} = VALUES(${c})`).join(', ')}`,
      [mark.loadKey, mark.rangeKey, mark.offset, mark.rows, r.inserted, r.updated, r.skipped],
    );
  }

  /**
   * For a `retry` whose progress mark is already committed (the first attempt's COMMIT
   * succeeded but its reply was lost): what that attempt did, as recorded with the mark.
   * The row lock waits for a first attempt the server is still finishing.
   */
  async #recordedResult(conn: mysql.PoolConnection, options: UpsertOptions): Promise<UpsertResult | undefined> {
    const mark = options.progress;
    if (!options.retry || !mark) return undefined;
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      `SELECT committed_offset, committed_rows, ${LAST_RESULT_COLUMNS.join(', ')} FROM \`${this.#progressTable}\` WHERE load_key = ? AND range_key = ? FOR UPDATE`,
      [mark.loadKey, mark.rangeKey],
    );
    const row = rows[0];
    if (!row || Number(row.committed_offset) !== mark.offset || Number(row.committed_rows) !== mark.rows)
      return undefined;
    return {
      inserted: Number(row.last_inserted),
      updated: Number(row.last_updated),
      skipped: Number(row.last_skipped),
    };
  }

  async findByUsernames(usernames: readonly string[]): Promise<User[]> {
    const wanted = queryableUsernames(usernames);
    if (wanted.length === 0) return [];
    const rows = (await this.#query(
      `SELECT ${selectList('mysql')} FROM \`${this.table}\` WHERE \`username\` IN (${wanted.map(() => '?').join(',')})`,
      wanted,
      'read',
    )) as Record<string, unknown>[];
    return rows.map((r) => rowToUser(r, 'mysql'));
  }

  poolStats(): PoolStats | undefined {
    return readPoolStats(this.pool);
  }

  async findByIds(ids: readonly number[]): Promise<User[]> {
    const wanted = [...new Set(ids.filter((id) => Number.isSafeInteger(id) && id > 0))];
    if (wanted.length === 0) return [];
    const rows = (await this.#query(
      `SELECT ${selectList('mysql')} FROM \`${this.table}\` WHERE \`id\` IN (${wanted.map(() => '?').join(',')})`,
      wanted,
    )) as Record<string, unknown>[];
    return rows.map((r) => rowToUser(r, 'mysql'));
  }

  async listDepartment(department: string, options: ListDepartmentOptions = {}): Promise<User[]> {
    const limit = pageLimit(options.limit);
    if (!isKnownDepartment(department)) return [];
    const rows = (await this.#query(
      `SELECT ${selectList('mysql')} FROM \`${this.table}\` WHERE \`department\` = ? AND \`id\` > ? ORDER BY \`id\` LIMIT ${limit}`,
      [department, options.afterId ?? 0],
      'read',
    )) as Record<string, unknown>[];
    return rows.map((r) => rowToUser(r, 'mysql'));
  }

  async readProgress(loadKey: string): Promise<ProgressMark[]> {
    try {
      const rows = (await this.#query(
        `SELECT load_key, range_key, committed_offset, committed_rows FROM \`${this.#progressTable}\` WHERE load_key = ? ORDER BY range_key`,
        [loadKey],
      )) as Record<string, unknown>[];
      return rows.map((r) => ({
        loadKey: String(r.load_key),
        rangeKey: String(r.range_key),
        offset: Number(r.committed_offset),
        rows: Number(r.committed_rows),
      }));
    } catch (error) {
      if (isMissingTable(error)) return []; // no progress table yet: nothing committed
      throw error;
    }
  }

  async resetProgress(loadKey: string, marks: readonly ProgressMark[] = []): Promise<void> {
    try {
      await this.#transaction(
        async (conn) => {
          await conn.query(`DELETE FROM \`${this.#progressTable}\` WHERE load_key = ?`, [loadKey]);
          for (const mark of marks) await this.#writeProgress(conn, mark);
          // Shard processes starting together reset their own loads side by side: READ COMMITTED
          // takes no gap locks, so writers of disjoint keys never deadlock on an empty range.
        },
        { readCommitted: true },
      );
    } catch (error) {
      // No progress table yet: nothing to forget, and nothing to record before ensureSchema.
      if (!isMissingTable(error) || marks.length > 0) throw error;
    }
  }

  /** Each host of the URL's state (one for a single host), each asked on a connection of its own. */
  nodeStates(): Promise<NodeState[]> {
    return readNodeStates(this.#config);
  }

  async maxStatementBytes(): Promise<number> {
    if (this.#maxPacket === undefined) {
      const rows = (await this.#query('SELECT @@max_allowed_packet AS p')) as { p: number }[];
      this.#maxPacket = Number(rows[0]?.p ?? 4 * 1024 * 1024);
    }
    return this.#maxPacket;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** `users` as one LOAD DATA stream. */
function encodeRows(users: readonly User[]): EncodedRows {
  const rows = new EncodedRows();
  for (const u of users) rows.push(u);
  return rows;
}
