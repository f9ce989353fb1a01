import type { Dialect, User } from '@stampede/schema';
import type { EncodedRows } from './encoded-rows.js';
import type { NodeState } from './node-states.js';
import type { PoolStats } from './pool-stats.js';

/** What an upsert does with a row whose id is already in the table. */
export type OnDuplicate = 'update' | 'skip' | 'error';

/**
 * How an upsert sends its rows. `insert`: one multi-row INSERT (every database).
 * `load-data`: one `LOAD DATA LOCAL INFILE` stream (MySQL/MariaDB with `local_infile` on;
 * see {@link StoreCapabilities.loadData}).
 */
export type UpsertMethod = 'insert' | 'load-data';

/** What a store's database can do, for callers that choose between ways. */
export interface StoreCapabilities {
  /**
   * Whether `upsert({ method: 'load-data' })` can work here: MySQL/MariaDB whose server has
   * `local_infile` on. False on SQLite (which takes `load-data` as `insert`) and on engines
   * that do not say (Vitess, PlanetScale).
   */
  loadData: boolean;
  /** The most rows one transaction may write (a Galera cluster's `wsrep_max_ws_rows`); absent: no limit. */
  maxTransactionRows?: number;
  /** The most bytes one transaction's write set may hold (a Galera cluster's `wsrep_max_ws_size`); absent: no limit. */
  maxTransactionBytes?: number;
}

/**
 * How far one part of a load has committed. The loader writes it in the same
 * transaction as the batch it describes, so progress can never disagree with the data.
 * Both databases keep the same columns with the same meaning: the offset and row count
 * below, what the last batch of the range did (inserted, updated, skipped) and when.
 */
export interface ProgressMark {
  /** Identifies one load of one file into one table (the loader derives it from the file). */
  loadKey: string;
  /** One contiguous part of the input, owned by one writer (e.g. `shard-1-of-3:range-2`). */
  rangeKey: string;
  /** Everything before this byte offset of the input is committed. */
  offset: number;
  /** Rows committed in this range so far. */
  rows: number;
}

/** Options of {@link UserStore.upsert}. */
export interface UpsertOptions {
  /**
   * What to do with a row whose id exists: overwrite it, leave it, or fail the batch.
   * A username or email that belongs to another id always fails (a row-level error).
   * @default 'update'
   */
  onDuplicate?: OnDuplicate;
  /**
   * How the rows travel. `load-data` on a store without it: SQLite takes it as `insert` (it has
   * one way); MySQL with `local_infile` off fails with a fatal `DatabaseError` whose hint
   * names the setting. Same rows, same rules, same result either way.
   * @default 'insert'
   */
  method?: UpsertMethod;
  /** A progress mark to commit in the same transaction as the rows. */
  progress?: ProgressMark;
  /**
   * This call repeats one with the same rows and `progress` whose outcome is unknown (its
   * connection was lost, perhaps after the server committed). When that mark is already
   * committed, nothing is written again and the result is the one recorded with the mark, so
   * rows the first attempt inserted are not reported as updated. Only with `progress`.
   */
  retry?: boolean;
}

/** What one upsert did. */
export interface UpsertResult {
  inserted: number;
  updated: number;
  /** Rows left alone because their id existed and `onDuplicate` was `skip`. */
  skipped: number;
}

/** Options of {@link UserStore.ensureSchema}. */
export interface EnsureSchemaOptions {
  /**
   * Create the secondary (department, id) index with the table. A loader filling an
   * empty table may leave it out and call {@link UserStore.addSecondaryIndexes} afterwards.
   * @default true
   */
  secondaryIndexes?: boolean;
}

/** Options of {@link UserStore.claimTable}. */
export interface ClaimTableOptions {
  /** The load that claims the table (the loader's load key). */
  loadKey: string;
  /** What it loads, for a person: named in the refusal another load gets meanwhile. */
  input: string;
  /**
   * When the table does not exist, create it without its unique keys and secondary index and
   * build them when the load ends ({@link TableClaim.buildKeys}). A load that others may write
   * beside (a shard, standard input) says no: the table is then left to
   * {@link UserStore.ensureSchema}, with its keys.
   */
  mayBuildKeysAfter: boolean;
  /** Stop waiting for another load's claim. */
  signal?: AbortSignal;
  /**
   * Called once when the claim must wait for another load of the table (after a second), with
   * what the server tells of that load; the wait goes on until it ends or `signal` fires.
   */
  onWait?: (holder: ClaimHolder) => void;
}

/**
 * The load a claim waits for, as far as the database tells: its server connection (MySQL) or
 * process (SQLite), and the input it loads.
 */
export interface ClaimHolder {
  connectionId?: number;
  pid?: number;
  input?: string;
}

/**
 * A load's hold on its table, from {@link UserStore.claimTable} until {@link release}. While a
 * load holds it, other loads of the table wait at their own claim.
 */
export interface TableClaim {
  /**
   * The table has no unique keys yet: this load fills it and calls {@link buildKeys} at its end
   * (a table it created, or one an earlier run of the same load left so). Until then, nothing
   * refuses a username or email that another row has: `buildKeys` finds it.
   */
  keysAfter: boolean;
  /**
   * Build the unique keys and the secondary index, and mark the table finished, in one statement.
   * `conflict`: two rows share a username or an email, and nothing changed.
   */
  buildKeys(): Promise<'built' | 'conflict'>;
  /** After a conflict: drop the table and create it empty with its keys (`keysAfter` becomes false). */
  recreateWithKeys(): Promise<void>;
  /** Let other loads in; a table whose keys were not built stays marked for this load. Idempotent. */
  release(): Promise<void>;
}

/** Options of {@link UserStore.listDepartment}. */
export interface ListDepartmentOptions {
  /**
   * Page size.
   * @default 100
   */
  limit?: number;
  /** Keyset cursor: return users with an id greater than this. */
  afterId?: number;
}

/** The users table in one database: the same operations on MySQL/MariaDB and SQLite. */
export interface UserStore {
  readonly dialect: Dialect;
  /** The table name. */
  readonly table: string;
  /** The store URL with any password redacted. */
  readonly displayUrl: string;
  /** Create the users table (and the progress table) when absent. */
  ensureSchema(options?: EnsureSchemaOptions): Promise<void>;
  /**
   * Before a load writes: wait for any other load of the table to end, and, with
   * `mayBuildKeysAfter` and no table yet, create it to be filled first and keyed at the end
   * (on one MySQL/MariaDB server: building the keys once costs the server about a third of keeping
   * them up row by row; in one SQLite file, about a third of the time). Refuses (a fatal
   * `DatabaseError`) a table whose keys wait for another load that has not finished.
   */
  claimTable?(options: ClaimTableOptions): Promise<TableClaim>;
  /**
   * Add the secondary index when it is missing. Idempotent: an index already there, or added
   * by another process meanwhile, is success.
   */
  addSecondaryIndexes(): Promise<void>;
  /** Whether the secondary index exists. */
  hasSecondaryIndexes(): Promise<boolean>;
  /** Drop the users table and its progress rows. */
  dropTable(): Promise<void>;
  /** Rows in the table. */
  count(): Promise<number>;
  /**
   * Insert or update `rows` in one transaction, with `options.progress` committed in it. The rows
   * are users, or the same users already encoded ({@link EncodedRows}: what a loader holds while
   * a batch waits, and what `load-data` sends as it is).
   * @throws DatabaseError classified retryable (retry the whole batch), row (bisect it; see
   * `describeRowError`) or fatal.
   */
  upsert(rows: readonly User[] | EncodedRows, options?: UpsertOptions): Promise<UpsertResult>;
  /** Users whose username is one of `usernames` (exact, byte for byte), in no particular order. */
  findByUsernames(usernames: readonly string[]): Promise<User[]>;
  /** Users whose id is one of `ids`, in no particular order (at most a few thousand ids a call). */
  findByIds(ids: readonly number[]): Promise<User[]>;
  /** One page of a department's users in id order (keyset pagination). */
  listDepartment(department: string, options?: ListDepartmentOptions): Promise<User[]>;
  /** Every progress mark of one load. */
  readProgress(loadKey: string): Promise<ProgressMark[]>;
  /**
   * Replace one load's progress with `marks` (none: forget it), in one transaction. A loader
   * records every range of a new load this way before its first batch, so that a resume sees
   * the whole layout, even a range that never committed a batch.
   */
  resetProgress(loadKey: string, marks?: readonly ProgressMark[]): Promise<void>;
  /** What this database can do (asked once, then remembered). */
  capabilities(): Promise<StoreCapabilities>;
  /**
   * How each server of the URL is doing (a cluster's nodes: `ok`, `not-ready`, `down`), for a
   * readiness check; absent where there is no server to ask (SQLite).
   */
  nodeStates?(): Promise<NodeState[]>;
  /** Largest statement the server accepts, in bytes (Infinity for SQLite). */
  maxStatementBytes(): Promise<number>;
  /** How the connections are used right now (a MySQL store); undefined where there is no pool. */
  poolStats?(): PoolStats | undefined;
  /** Release every connection. */
  close(): Promise<void>;
}
