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
      `INSERT INTO "${progressTable}" (load_key, range_key, committed_offset, committed_rows) VALUES (?, ?, ?, ?)
       ON CONFLICT (load_key, range_key) DO UPDATE SET committed_offset = excluded.committed_offset, committed_rows = excluded.committed_rows`,
    ),
  };
}

/**
 * Upsert `rows` and write `progress` in one IMMEDIATE transaction: the write lock is taken
 * up front, so there is no read-then-write upgrade to fail with SQLITE_BUSY. Throws the
 * driver's error; the transaction is then rolled back.
 */
export function upsertRows(
  db: Database.Database,
  s: SqliteWrites,
  rows: readonly SqliteRow[],
  onDuplicate: OnDuplicate,
  progress: ProgressMark | undefined,
): UpsertResult {
  const result: UpsertResult = { inserted: 0, updated: 0, skipped: 0 };
  const tx = db.transaction(() => {
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
    if (progress) s.progress.run(progress.loadKey, progress.rangeKey, progress.offset, progress.rows);
  });
  tx.immediate();
  return result;
}
