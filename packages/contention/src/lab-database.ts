import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ensureDir } from './ensure-dir.js';
import { LabSetupError } from './errors.js';
import type { StrategySettings } from './strategies.js';

function removeDatabase(path: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}

/** Recreate the database and the pets table with the strategy's journal mode. */
export function prepareDatabase(path: string, settings: StrategySettings): void {
  try {
    ensureDir(dirname(path));
    removeDatabase(path);
    const db = new Database(path);
    try {
      db.pragma(`journal_mode = ${settings.journalMode}`);
      // No UNIQUE on (process, seq) on purpose: verification must be able to see duplicates.
      db.exec(`CREATE TABLE pets (
        id INTEGER PRIMARY KEY,
        process INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        name TEXT NOT NULL,
        breed TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`);
    } finally {
      db.close();
    }
  } catch (error) {
    throw new LabSetupError(`Cannot create the lab database ${path}: ${(error as Error).message}`, {
      path,
      hint: 'pass --db with a path in a writable directory',
      cause: error,
    });
  }
}

/** What the database holds after a strategy: `PRAGMA integrity_check`'s lines, and copies per `process:seq`. */
export interface Inspection {
  integrity: string[];
  counts: Map<string, number>;
}

/** Read the database's own word on a strategy; a database that cannot be read says so in `integrity`. */
export function inspectDatabase(path: string): Inspection {
  try {
    // Opening read-write lets SQLite roll back a hot journal a killed process left behind.
    const db = new Database(path);
    try {
      const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
      const rows = db.prepare('SELECT process, seq, COUNT(*) AS n FROM pets GROUP BY process, seq').all() as {
        process: number;
        seq: number;
        n: number;
      }[];
      return { integrity, counts: new Map(rows.map((r) => [`${r.process}:${r.seq}`, r.n])) };
    } finally {
      db.close();
    }
  } catch (error) {
    return { integrity: [`cannot inspect the database: ${(error as Error).message}`], counts: new Map() };
  }
}
