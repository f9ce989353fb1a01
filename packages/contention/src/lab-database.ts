import { closeSync, lstatSync, openSync, readSync, rmSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ensureDir } from './ensure-dir.js';
import { ContendUsageError, isContendUsageError, isLabSetupError, LabSetupError } from './errors.js';
import type { StrategySettings } from './strategies.js';

/**
 * The lab's mark, in the header of every database it creates (`PRAGMA application_id`, bytes
 * 68-71): 'STCL', for Stampede contention lab. Only a file that carries it is ever replaced.
 */
export const LAB_APPLICATION_ID = 0x5354434c;

// SQLite keeps a database's uncommitted or not yet checkpointed pages in these files beside it.
const SIDE_SUFFIXES = ['-journal', '-wal', '-shm'] as const;
const SQLITE_MAGIC = 'SQLite format 3\0';

type Claim = { kind: 'absent' | 'empty' | 'lab' } | { kind: 'foreign'; why: string };

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    // ENOTDIR too: a parent that is a file means there is nothing here to lose.
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

// The first 100 bytes are SQLite's header; the file is read, never opened as a database, so that
// nothing (a hot journal's rollback, a -shm) is written to a file that is not the lab's.
function readHeader(path: string): Buffer {
  const header = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  try {
    return header.subarray(0, readSync(fd, header, 0, header.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** Whose file is at `path`: nobody's (absent or empty), the lab's (it carries the mark), or someone else's. */
function claimOf(path: string): Claim {
  const stats = lstatOrUndefined(path);
  const side = SIDE_SUFFIXES.find((suffix) => lstatOrUndefined(path + suffix) !== undefined);
  if (stats === undefined || (stats.isFile() && stats.size === 0)) {
    // A -wal or -journal without its database may hold someone's only copy of their rows.
    if (side) return { kind: 'foreign', why: `${path}${side} is there, and the lab did not leave it` };
    return { kind: stats === undefined ? 'absent' : 'empty' };
  }
  if (!stats.isFile()) return { kind: 'foreign', why: 'it is not a regular file' };
  const header = readHeader(path);
  if (header.length < 100 || header.toString('latin1', 0, 16) !== SQLITE_MAGIC) {
    return { kind: 'foreign', why: 'it is not a SQLite database' };
  }
  if (header.readUInt32BE(68) !== LAB_APPLICATION_ID) {
    return { kind: 'foreign', why: 'it is a SQLite database the lab did not create' };
  }
  return { kind: 'lab' };
}

/**
 * Refuse, with a {@link ContendUsageError} (exit 2), a `path` the lab may not replace: anything
 * but an absent path, an empty file with nothing beside it, or a database the lab created.
 * Nothing at `path` or beside it is opened for writing.
 */
export function assertLabMayReplace(path: string): 'absent' | 'empty' | 'lab' {
  let claim: Claim;
  try {
    claim = claimOf(path);
  } catch (error) {
    throw new LabSetupError(`Cannot tell whose file ${path} is: ${(error as Error).message}`, {
      path,
      hint: 'pass --db with a path the lab can read',
      cause: error,
    });
  }
  if (claim.kind === 'foreign') {
    throw new ContendUsageError(
      `Refusing to replace ${path}: ${claim.why}`,
      'pass another --db; the lab only replaces a database it created',
    );
  }
  return claim.kind;
}

/** Recreate the database, marked as the lab's, and the pets table with the strategy's journal mode. */
export function prepareDatabase(path: string, settings: StrategySettings): void {
  try {
    ensureDir(dirname(path));
    if (assertLabMayReplace(path) === 'lab') {
      for (const suffix of ['', ...SIDE_SUFFIXES]) rmSync(path + suffix, { force: true });
    }
    const db = new Database(path);
    try {
      // Before WAL: in rollback mode the mark goes straight into the main file's header, where
      // the next run reads it, whatever a killed child leaves in a -wal.
      db.pragma(`application_id = ${LAB_APPLICATION_ID}`);
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
    if (isContendUsageError(error) || isLabSetupError(error)) throw error;
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
