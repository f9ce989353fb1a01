// The SQLite write path, shared by a store writing on the calling thread and its writer thread.
import { USER_COLUMN_NAMES } from '@stampede/schema';
import type Database from 'better-sqlite3';
import type { OnDuplicate, ProgressMark, UpsertResult } from './user-store.js';

/** One user as {@link userToRow} gives it for SQLite: the columns in table order, id first. */
export type SqliteRow = (string | number)[];

const COLS = USER_COLUMN_NAMES.map((c) => `"${c}"`).join(', ');
const PLACEHOLDERS = USER_COLUMN_NAMES.map(() => '?').join(', ');

/** The prepared statements of the write path. */
export interface SqliteWrites {
  insert: Database.Statement;
  insertOrNothing: Database.Statement;
  update: Database.Statement;
  progress: Database.Statement;
  recorded: Database.Statement;
}

/** What the batch a progress mark closes did, kept with the mark (the same columns as on MySQL). */
const LAST_RESULT_COLUMNS = ['last_inserted', 'last_updated', 'last_skipped'] as const;
// The same instant as MySQL's TIMESTAMP(3), in UTC.
const NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')";

/**
 * Create the progress table when absent, and bring one from before the last batch's counts
 * and `updated_at` were kept up to the columns MySQL's has. In one IMMEDIATE transaction, so
 * processes upgrading together take turns instead of adding a column twice.
 */
export function ensureProgressTable(db: Database.Database, progressTable: string): void {
  const upgrade = db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS "${progressTable}" (
  load_key TEXT NOT NULL, range_key TEXT NOT NULL,
  committed_offset INTEGER NOT NULL, committed_rows INTEGER NOT NULL,
  ${LAST_RESULT_COLUMNS.map((c) => `${c} INTEGER NOT NULL DEFAULT 0,`).join(' ')}
  updated_at TEXT NOT NULL DEFAULT (${NOW}),
  PRIMARY KEY (load_key, range_key)) STRICT`);
    const have = new Set(
      (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(progressTable) as { name: string }[]).map((r) => r.name),
    );
    for (const c of LAST_RESULT_COLUMNS) {
      if (!have.has(c)) db.exec(`ALTER TABLE "${progressTable}" ADD COLUMN ${c} INTEGER NOT NULL DEFAULT 0`);
    }
    if (!have.has('updated_at')) {
      // ADD COLUMN takes only a constant default: mark the old rows as written now.
      db.exec(`ALTER TABLE "${progressTable}" ADD COLUMN updated_at TEXT NOT NULL DEFAULT ''`);
      db.exec(`UPDATE "${progressTable}" SET updated_at = ${NOW}`);
    }
  });
  upgrade.immediate();
}

export function prepareWrites(db: Database.Database, table: string, progressTable: string): SqliteWrites {
  return {
    insert: db.prepare(`INSERT INTO "${table}" (${COLS}) VALUES (${PLACEHOLDERS})`),
    // Only an existing id is "no change"; a username or email of another id still raises.
    insertOrNothing: db.prepare(
      `INSERT INTO "${table}" (${COLS}) VALUES (${PLACEHOLDERS}) ON CONFLICT ("id") DO NOTHING`,
    ),
    update: db.prepare(
      `UPDATE "${table}" SET ${USER_COLUMN_NAMES.slice(1)
        .map((c) => `"${c}" = ?`)
        .join(', ')} WHERE "id" = ?`,
    ),
    progress: db.prepare(
      `INSERT INTO "${progressTable}" (load_key, range_key, committed_offset, committed_rows, ${LAST_RESULT_COLUMNS.join(', ')}, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ${NOW})
       ON CONFLICT (load_key, range_key) DO UPDATE SET committed_offset = excluded.committed_offset,
         committed_rows = excluded.committed_rows, ${LAST_RESULT_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')},
         updated_at = excluded.updated_at`,
    ),
    recorded: db.prepare(
      `SELECT committed_offset, committed_rows, ${LAST_RESULT_COLUMNS.join(', ')} FROM "${progressTable}" WHERE load_key = ? AND range_key = ?`,
    ),
  };
}

/** Write `mark` with what the batch it closes did (nothing, for a layout recorded up front). */
export function writeProgress(s: SqliteWrites, mark: ProgressMark, result?: UpsertResult): void {
  const r = result ?? { inserted: 0, updated: 0, skipped: 0 };
  s.progress.run(mark.loadKey, mark.rangeKey, mark.offset, mark.rows, r.inserted, r.updated, r.skipped);
}

/** For a retry whose mark is already committed: what the first attempt did, as recorded with it. */
function recordedResult(s: SqliteWrites, mark: ProgressMark): UpsertResult | undefined {
  const row = s.recorded.get(mark.loadKey, mark.rangeKey) as Record<string, number> | undefined;
  if (!row || Number(row.committed_offset) !== mark.offset || Number(row.committed_rows) !== mark.rows)
    return undefined;
  return { inserted: Number(row.last_inserted), updated: Number(row.last_updated), skipped: Number(row.last_skipped) };
}

/**
 * Upsert `rows` and write `progress` in one IMMEDIATE transaction: the write lock is taken
 * up front, so there is no read-then-write upgrade to fail with SQLITE_BUSY. Throws the
 * driver's error; the transaction is then rolled back. A `retry` whose mark is already
 * committed writes nothing and returns what was recorded with the mark (as on MySQL).
 */
export function upsertRows(
  db: Database.Database,
  s: SqliteWrites,
  rows: readonly SqliteRow[],
  onDuplicate: OnDuplicate,
  progress: ProgressMark | undefined,
  retry = false,
): UpsertResult {
  let result: UpsertResult = { inserted: 0, updated: 0, skipped: 0 };
  const tx = db.transaction(() => {
    const recorded = retry && progress ? recordedResult(s, progress) : undefined;
    if (recorded) {
      result = recorded;
      return;
    }
    for (const row of rows) {
      if (onDuplicate === 'error') {
        s.insert.run(row);
        result.inserted++;
      } else if (s.insertOrNothing.run(row).changes === 1) {
        result.inserted++;
      } else if (onDuplicate === 'update') {
        s.update.run([...row.slice(1), row[0]]);
        result.updated++;
      } else {
        result.skipped++;
      }
    }
    if (progress) writeProgress(s, progress, result);
  });
  tx.immediate();
  return result;
}
