import { realpathSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildKeysSql, createUsersTableSql } from '@stampede/schema';
import Database from 'better-sqlite3';
import { SQLITE_BUSY, SQLITE_CONSTRAINT_UNIQUE } from './driver-codes.js';
import { DatabaseError, toDatabaseError } from './errors.js';
import { KEYS_WITH_TABLE, refusedForPendingKeys } from './new-table-claim.js';
import type { TableNames } from './table-names.js';
import type { ClaimHolder, ClaimTableOptions, TableClaim } from './user-store.js';

/** How often a claim tries the lock while another load holds it; `onWait` comes after a second. */
const POLL_MS = 100;
const SAY_AFTER_MS = 1000;

/**
 * The file loads of `table` in the database at `path` take turns on: beside the file the path
 * leads to (as SQLite puts its WAL there), named with the table in lower case (SQLite's table
 * names are the same in any case).
 */
export function claimLockPath(path: string, table: string): string {
  let real = path;
  try {
    real = realpathSync(path);
  } catch {
    // Not there (yet): the path as given.
  }
  return `${real}-${table.toLowerCase()}.lock`;
}

/** The pending load, as its row in the keys-pending table says. */
interface Pending {
  load_key: string;
  input: string;
  pid: number;
}

/**
 * {@link UserStore.claimTable} on SQLite. The claim is an exclusive transaction held on a small
 * lock file beside the database (`<file>-<table>.lock`, empty, kept) for the whole load: loads of
 * the table in any process meet there one at a time, and the operating system lets go of it when
 * a process dies, however it dies. The state (keys pending for which load) is a one-row table
 * (`<table>_keys_pending`) created in the same transaction as the table without its keys and
 * dropped in the same transaction that builds them (or, left by a table dropped by hand, by the
 * next claim that finds no table).
 * `db` is the store's own connection; nothing here for `:memory:`, which no other process sees.
 * `beforeBuild` runs before the keys are built (the store closes its writer thread there).
 */
export async function claimSqliteTable(
  db: Database.Database,
  path: string,
  names: TableNames,
  options: ClaimTableOptions,
  beforeBuild: () => Promise<void> = async () => undefined,
): Promise<TableClaim> {
  if (path === ':memory:') return KEYS_WITH_TABLE;
  const { table, keysPending } = names;
  const lockPath = claimLockPath(path, table);
  let lock: Database.Database;
  try {
    // No busy wait inside SQLite: it would block this thread; the loop below waits instead.
    lock = new Database(lockPath, { timeout: 0 });
  } catch (error) {
    throw new DatabaseError(
      `Cannot open ${lockPath}, the file loads of table ${table} take turns on: ${(error as Error).message}`,
      {
        errorClass: 'fatal',
        hint: 'check that the directory of the database is writable',
        cause: error,
      },
    );
  }
  // Closing the connection ends its transaction, and with it the lock; nothing here may throw
  // over the error that brought the claim down.
  const unlock = () => {
    try {
      if (lock.open) lock.close();
    } catch {
      // Nothing else to do: the lock goes with the process at the latest.
    }
  };
  try {
    const started = performance.now();
    for (let said = false; ; ) {
      try {
        lock.exec('BEGIN EXCLUSIVE');
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== SQLITE_BUSY) throw error;
      }
      if (options.signal?.aborted) {
        unlock();
        return KEYS_WITH_TABLE;
      }
      if (!said && performance.now() - started >= SAY_AFTER_MS) {
        said = true;
        options.onWait?.(holderOf(db, keysPending));
      }
      await sleep(POLL_MS);
    }
    const decide = db.transaction((): 'create' | 'resume' | Pending | undefined => {
      if (!tableExists(db, table)) {
        // A mark whose table was dropped (by hand, say) says nothing any more.
        dropPendingMark(db, keysPending);
        // A table of the mark's name that is not a mark (a user's): no mark, so the keys go with the table.
        if (!options.mayBuildKeysAfter || tableExists(db, keysPending)) return undefined;
        for (const sql of createUsersTableSql('sqlite', { table, uniqueKeys: false, secondaryIndexes: false }))
          db.exec(sql);
        db.exec(
          `CREATE TABLE "${keysPending}" (load_key TEXT NOT NULL, input TEXT NOT NULL, pid INTEGER NOT NULL) STRICT`,
        );
        db.prepare(`INSERT INTO "${keysPending}" VALUES (?, ?, ?)`).run(options.loadKey, options.input, process.pid);
        return 'create';
      }
      let pending = pendingOf(db, keysPending);
      if (pending && hasUniqueKeys(db, table)) {
        // A mark beside a table that has its keys (made by hand, say) says nothing either.
        dropPendingMark(db, keysPending);
        pending = undefined;
      }
      if (pending?.load_key === options.loadKey && options.mayBuildKeysAfter) {
        db.prepare(`UPDATE "${keysPending}" SET pid = ?`).run(process.pid);
        return 'resume';
      }
      return pending;
    });
    const decision = decide.immediate();
    if (decision === 'create' || decision === 'resume') return sqliteClaim(db, names, unlock, beforeBuild);
    if (decision === undefined) {
      unlock();
      return KEYS_WITH_TABLE;
    }
    throw refusedForPendingKeys(table, decision.input);
  } catch (error) {
    unlock();
    throw toDatabaseError(error);
  }
}

// The mark's columns, as the claim creates them: how it tells its mark from a user's table.
const PENDING_COLUMNS = ['load_key', 'input', 'pid'] as const;

/** Whether `name` is a table, in any case (as SQLite's names are). */
function tableExists(db: Database.Database, name: string): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ? COLLATE NOCASE").get(name) !== undefined
  );
}

/** Whether `name` is a keys-pending mark as this module writes it (not a user's table of that name). */
function isPendingTable(db: Database.Database, name: string): boolean {
  const columns = (db.prepare('SELECT name FROM pragma_table_info(?)').all(name) as { name: string }[]).map(
    (c) => c.name,
  );
  return columns.join() === PENDING_COLUMNS.join();
}

/** Drop the keys-pending mark `name`, if there is one (and never a user's table of that name). */
export function dropPendingMark(db: Database.Database, name: string): void {
  if (isPendingTable(db, name)) db.exec(`DROP TABLE "${name}"`);
}

/** Whether the table has a unique index besides its primary key. */
function hasUniqueKeys(db: Database.Database, table: string): boolean {
  const list = db.prepare('SELECT "unique", origin FROM pragma_index_list(?)').all(table) as {
    unique: number;
    origin: string;
  }[];
  return list.some((i) => i.unique === 1 && i.origin !== 'pk');
}

function pendingOf(db: Database.Database, keysPending: string): Pending | undefined {
  if (!isPendingTable(db, keysPending)) return undefined;
  return db.prepare(`SELECT ${PENDING_COLUMNS.join(', ')} FROM "${keysPending}"`).get() as Pending | undefined;
}

/** The load holding the claim, as its keys-pending row tells (nothing before it has one). */
function holderOf(db: Database.Database, keysPending: string): ClaimHolder {
  try {
    const pending = pendingOf(db, keysPending);
    return pending ? { pid: Number(pending.pid), input: pending.input } : {};
  } catch {
    return {};
  }
}

function sqliteClaim(
  db: Database.Database,
  names: TableNames,
  unlock: () => void,
  beforeBuild: () => Promise<void>,
): TableClaim {
  const { table, keysPending } = names;
  const claim: TableClaim = {
    keysAfter: true,
    async buildKeys() {
      await beforeBuild();
      const build = db.transaction(() => {
        for (const sql of buildKeysSql('sqlite', table)) db.exec(sql);
        dropPendingMark(db, keysPending);
      });
      // SQLite's own default page cache, 2 MB, for the sorts (better-sqlite3 sets 16 MB): a 1M-row
      // load ended 0.6 s sooner and its peak memory 3-10 MB lower, measured.
      const cache = db.pragma('cache_size', { simple: true });
      db.pragma('cache_size = -2000');
      try {
        build.immediate();
        return 'built';
      } catch (error) {
        if ((error as { code?: string }).code === SQLITE_CONSTRAINT_UNIQUE) return 'conflict';
        throw toDatabaseError(error);
      } finally {
        db.pragma(`cache_size = ${cache}`);
      }
    },
    async recreateWithKeys() {
      const recreate = db.transaction(() => {
        db.exec(`DROP TABLE IF EXISTS "${table}"`);
        for (const sql of createUsersTableSql('sqlite', { table })) db.exec(sql);
        dropPendingMark(db, keysPending);
      });
      try {
        recreate.immediate();
      } catch (error) {
        throw toDatabaseError(error);
      }
      claim.keysAfter = false;
    },
    async release() {
      unlock();
    },
  };
  return claim;
}
