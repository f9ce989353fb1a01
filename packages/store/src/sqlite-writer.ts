// The writer thread of a SQLite store: it owns the only writing connection of the store's
// upserts, so the thread that parses and validates the next batch never waits for SQLite.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { sqliteRowsOfTsv } from './encoded-rows.js';
import type { WriterData, WriterReply, WriterRequest } from './sqlite-writer-thread.js';
import { prepareWrites, type SqliteWrites, upsertRows } from './sqlite-writes.js';

const data = workerData as WriterData;
let db: Database.Database | undefined;
let writes: SqliteWrites | undefined;

function open(): { db: Database.Database; writes: SqliteWrites } {
  if (!db) {
    db = new Database(data.path, { timeout: data.busyTimeoutMs });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // A load commits every batch, and with real names each batch touches pages all over the unique
    // indexes: checkpointing the WAL into the file every 1,000 pages (the default) copied the same
    // pages again and again. At 20,000 pages (80 MB of WAL at most) 1M generated users went in in
    // 37.8 s instead of 55.9 s; 50,000 was no faster (docs/benchmarks.md).
    db.pragma('wal_autocheckpoint = 20000');
  }
  writes ??= prepareWrites(db, data.table, data.progressTable);
  return { db, writes };
}

parentPort?.on('message', (request: WriterRequest) => {
  let reply: WriterReply;
  try {
    if (request.close) {
      db?.close();
      reply = { id: request.id };
    } else {
      const o = open();
      reply = {
        id: request.id,
        result: upsertRows(
          o.db,
          o.writes,
          request.rows instanceof Uint8Array ? sqliteRowsOfTsv(request.rows) : request.rows,
          request.onDuplicate,
          request.progress,
          request.retry,
        ),
      };
    }
  } catch (error) {
    const e = error as { message?: string; code?: string; name?: string };
    // Prepared statements may refer to a table dropped since: prepare again next time.
    writes = undefined;
    reply = { id: request.id, error: { message: String(e.message ?? error), code: e.code, name: e.name } };
  }
  parentPort?.postMessage(reply);
});
