import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createSecondaryIndexSql, createUsersTableSql, type User, userToRow } from '@stampede/schema';
import Database from 'better-sqlite3';
import { type DatabaseConfig, redactDatabaseUrl } from './config.js';
import { EncodedRows, usersOf } from './encoded-rows.js';
import { DatabaseError, toDatabaseError } from './errors.js';
import { isKnownDepartment, pageLimit, queryableUsernames, rowToUser, selectList } from './rows.js';
import { claimSqliteTable, dropPendingMark } from './sqlite-table-claim.js';
import { SqliteWriterThread, type WriterData } from './sqlite-writer-thread.js';
import { ensureProgressTable, prepareWrites, type SqliteWrites, upsertRows, writeProgress } from './sqlite-writes.js';
import { type TableNames, tableNames } from './table-names.js';
import type {
  ClaimTableOptions,
  EnsureSchemaOptions,
  ListDepartmentOptions,
  ProgressMark,
  StoreCapabilities,
  TableClaim,
  UpsertOptions,
  UpsertResult,
  UserStore,
} from './user-store.js';

type SqliteConfig = Extract<DatabaseConfig, { kind: 'sqlite' }>;

/** Options of a SQLite store. */
export interface SqliteStoreOptions {
  /**
   * Table name.
   * @default 'users'
   */
  table?: string;
  /**
   * Milliseconds a writer waits for another process's lock before SQLITE_BUSY.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * Run {@link SqliteUserStore.upsert} on a worker thread with its own connection, so the
   * caller prepares the next batch while SQLite writes this one (the loader does). Ignored
   * for `:memory:`, which a second connection could not see.
   * @default false
   */
  writerThread?: boolean;
}

/**
 * The users table in one SQLite file through better-sqlite3: WAL, one writer, whole
 * batches in one transaction (the contention lab's lessons).
 */
export class SqliteUserStore implements UserStore {
  readonly dialect = 'sqlite' as const;
  readonly table: string;
  readonly displayUrl: string;
  /** The better-sqlite3 handle, for callers that need it. */
  readonly db: Database.Database;
  readonly #names: TableNames;
  readonly #progressTable: string;
  readonly #path: string;
  /** This store's load's claim: while it fills a table whose keys come at its end, no index. */
  #claim: TableClaim | undefined;
  #statements: SqliteWrites | undefined;
  readonly #writerData: WriterData | undefined;
  #writer: SqliteWriterThread | undefined;

  constructor(config: SqliteConfig, options: SqliteStoreOptions = {}) {
    this.#names = tableNames(options.table ?? 'users');
    this.table = this.#names.table;
    this.#progressTable = this.#names.progress;
    this.displayUrl = redactDatabaseUrl(config.url);
    this.#path = config.path;
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    if (options.writerThread && config.path !== ':memory:') {
      this.#writerData = { path: config.path, table: this.table, progressTable: this.#progressTable, busyTimeoutMs };
    }
    try {
      if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
      this.db = new Database(config.path, { timeout: busyTimeoutMs });
      this.db.pragma('journal_mode = WAL');
      // In WAL mode NORMAL is durable across application crashes; only an OS crash may lose the last commits.
      this.db.pragma('synchronous = NORMAL');
    } catch (error) {
      throw new DatabaseError(`Cannot open SQLite database ${config.path}: ${(error as Error).message}`, {
        driverCode: (error as { code?: string }).code,
        errorClass: 'fatal',
        hint: 'check that the directory exists and is writable, or pass another --db sqlite:path',
        cause: error,
      });
    }
  }

  #run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw toDatabaseError(error);
    }
  }

  get #stmts() {
    this.#statements ??= this.#run(() => prepareWrites(this.db, this.table, this.#progressTable));
    return this.#statements;
  }

  async ensureSchema(options: EnsureSchemaOptions = {}): Promise<void> {
    const secondaryIndexes = (options.secondaryIndexes ?? true) && !this.#claim?.keysAfter;
    this.#run(() => {
      for (const sql of createUsersTableSql('sqlite', { table: this.table, secondaryIndexes })) this.db.exec(sql);
      ensureProgressTable(this.db, this.#progressTable);
    });
    this.#statements = undefined;
  }

  async claimTable(options: ClaimTableOptions): Promise<TableClaim> {
    // Every row is in when the keys are built: the writer thread and its page cache go first,
    // so the index sorts do not add to the memory they held (another batch starts another).
    const claim = await claimSqliteTable(this.db, this.#path, this.#names, options, () => this.#closeWriter());
    this.#claim = claim;
    return claim;
  }

  async hasSecondaryIndexes(): Promise<boolean> {
    return this.#run(
      () =>
        this.db
          .prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?")
          .get(this.#names.secondaryIndex) !== undefined,
    );
  }

  async addSecondaryIndexes(): Promise<void> {
    this.#run(() => {
      for (const sql of createSecondaryIndexSql('sqlite', this.table)) this.db.exec(sql);
    });
  }

  async dropTable(): Promise<void> {
    this.#run(() => {
      this.db.exec(`DROP TABLE IF EXISTS "${this.table}"; DROP TABLE IF EXISTS "${this.#progressTable}"`);
      dropPendingMark(this.db, this.#names.keysPending);
    });
    this.#statements = undefined;
  }

  async count(): Promise<number> {
    return this.#run(() =>
      Number((this.db.prepare(`SELECT COUNT(*) AS n FROM "${this.table}"`).get() as { n: number }).n),
    );
  }

  // `options.method` does not matter here: SQLite has one way in, and `load-data` means it too.
  async upsert(users: readonly User[] | EncodedRows, options: UpsertOptions = {}): Promise<UpsertResult> {
    const onDuplicate = options.onDuplicate ?? 'update';
    const retry = options.retry ?? false;
    if (this.#writerData) {
      this.#writer ??= new SqliteWriterThread(this.#writerData);
      // Encoded rows go as their bytes (one copy, then moved), and become values on the writer
      // thread: this thread holds no object a row while the batch waits.
      const rows =
        users instanceof EncodedRows ? new Uint8Array(users.bytes()) : users.map((u) => userToRow(u, 'sqlite'));
      try {
        return await this.#writer.upsert(rows, onDuplicate, options.progress, retry);
      } catch (error) {
        throw toDatabaseError(error);
      }
    }
    const rows = usersOf(users).map((u) => userToRow(u, 'sqlite'));
    return this.#run(() => upsertRows(this.db, this.#stmts, rows, onDuplicate, options.progress, retry));
  }

  async capabilities(): Promise<StoreCapabilities> {
    return { loadData: false };
  }

  async findByUsernames(usernames: readonly string[]): Promise<User[]> {
    const wanted = queryableUsernames(usernames);
    if (wanted.length === 0) return [];
    return this.#run(() =>
      (
        this.db
          .prepare(
            `SELECT ${selectList('sqlite')} FROM "${this.table}" WHERE "username" IN (${wanted.map(() => '?').join(',')})`,
          )
          .all(wanted) as Record<string, unknown>[]
      ).map((r) => rowToUser(r, 'sqlite')),
    );
  }

  async findByIds(ids: readonly number[]): Promise<User[]> {
    const wanted = [...new Set(ids.filter((id) => Number.isSafeInteger(id) && id > 0))];
    if (wanted.length === 0) return [];
    return this.#run(() =>
      (
        this.db
          .prepare(
            `SELECT ${selectList('sqlite')} FROM "${this.table}" WHERE "id" IN (${wanted.map(() => '?').join(',')})`,
          )
          .all(wanted) as Record<string, unknown>[]
      ).map((r) => rowToUser(r, 'sqlite')),
    );
  }

  async listDepartment(department: string, options: ListDepartmentOptions = {}): Promise<User[]> {
    const limit = pageLimit(options.limit);
    if (!isKnownDepartment(department)) return [];
    return this.#run(() =>
      (
        this.db
          .prepare(
            `SELECT ${selectList('sqlite')} FROM "${this.table}" WHERE "department" = ? AND "id" > ? ORDER BY "id" LIMIT ${limit}`,
          )
          .all(department, options.afterId ?? 0) as Record<string, unknown>[]
      ).map((r) => rowToUser(r, 'sqlite')),
    );
  }

  async readProgress(loadKey: string): Promise<ProgressMark[]> {
    return this.#run(() => {
      const exists = this.db
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
        .get(this.#progressTable);
      if (!exists) return [];
      const rows = this.db
        .prepare(
          `SELECT load_key, range_key, committed_offset, committed_rows FROM "${this.#progressTable}" WHERE load_key = ? ORDER BY range_key`,
        )
        .all(loadKey) as Record<string, unknown>[];
      return rows.map((r) => ({
        loadKey: String(r.load_key),
        rangeKey: String(r.range_key),
        offset: Number(r.committed_offset),
        rows: Number(r.committed_rows),
      }));
    });
  }

  async resetProgress(loadKey: string, marks: readonly ProgressMark[] = []): Promise<void> {
    if (marks.length === 0 && (await this.readProgress(loadKey)).length === 0) return;
    const s = this.#stmts;
    const tx = this.db.transaction(() => {
      this.db.prepare(`DELETE FROM "${this.#progressTable}" WHERE load_key = ?`).run(loadKey);
      for (const m of marks) writeProgress(s, m);
    });
    this.#run(() => tx.immediate());
  }

  async maxStatementBytes(): Promise<number> {
    return Number.POSITIVE_INFINITY;
  }

  async #closeWriter(): Promise<void> {
    const writer = this.#writer;
    this.#writer = undefined;
    await writer?.close();
  }

  async close(): Promise<void> {
    await this.#closeWriter();
    if (this.db.open) this.db.close();
  }
}
