import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { siblingScript } from '@stampede/cli';
import { makeTempDir, threadsStartedBy } from '@stampede/test-utils';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { EncodedRows, isDatabaseError, openStore } from '../src/index.js';
import { SqliteWriterThread, type WriterData } from '../src/sqlite-writer-thread.js';
import { user } from './fixtures.js';

const tmp = makeTempDir('store-writer');
afterAll(() => tmp.cleanup());

describe('SQLite writer thread', () => {
  it('bounds its young generation: each batch arrives as a fresh copy, garbage once written', async () => {
    const { result, started } = await threadsStartedBy(async () => {
      const store = openStore(`sqlite:${tmp.join('young.sqlite')}`, { sqliteWriterThread: true });
      await store.ensureSchema();
      const written = await store.upsert([user(1), user(2)]);
      await store.close();
      return written;
    });
    expect(result).toEqual({ inserted: 2, updated: 0, skipped: 0 });
    expect(started).toHaveLength(1);
    expect(started[0]?.resourceLimits?.maxYoungGenerationSizeMb).toBeLessThanOrEqual(16);
  });

  it('takes encoded rows as their bytes, moved to the thread, and writes the same users as from objects', async () => {
    const users = [
      user(1),
      user(2, { jobTitle: 'tab\there, line\nthere, back\\slash', city: 'São Paulo\r' }),
      user(3, { createdAt: '1999-12-31T23:59:59.999Z' }),
    ];
    const encoded = new EncodedRows();
    for (const u of users) encoded.push(u);
    const bytes = encoded.bytes();
    const store = openStore(`sqlite:${tmp.join('encoded.sqlite')}`, { sqliteWriterThread: true });
    try {
      await store.ensureSchema();
      expect(await store.upsert(encoded)).toEqual({ inserted: 3, updated: 0, skipped: 0 });
      // The batch's own buffer stays with the loader, which reuses it: a copy is what moved.
      expect(bytes.byteLength).toBeGreaterThan(0);
      expect(encoded.length).toBe(3);
      expect((await store.findByIds([1, 2, 3])).sort((a, b) => a.id - b.id)).toEqual(users);
    } finally {
      await store.close();
    }
  });

  it("brings the lock holder's SQLITE_BUSY back as a retryable error with its code, and writes once the lock is gone", async () => {
    const url = `sqlite:${tmp.join('busy.sqlite')}`;
    const store = openStore(url, { sqliteWriterThread: true, busyTimeoutMs: 50 });
    await store.ensureSchema();
    const holder = new Database(tmp.join('busy.sqlite'));
    holder.exec('BEGIN IMMEDIATE');
    try {
      const failure = await store.upsert([user(1)]).catch((e: unknown) => e);
      expect(isDatabaseError(failure) && failure.errorClass).toBe('retryable');
      expect(isDatabaseError(failure) && failure.driverCode).toBe('SQLITE_BUSY');
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(await store.upsert([user(1), user(2)])).toEqual({ inserted: 2, updated: 0, skipped: 0 });
    expect(await store.count()).toBe(2);
    await store.close();
  });

  it('does not hold the process open when the store is never closed', async () => {
    // The store's source, run the way its writer thread is (through tsx, the source condition).
    const store = siblingScript(new URL('../src/index.ts', import.meta.url).href, 'index');
    const storeUrl = pathToFileURL(store.path).href;
    const script = `const { openStore } = await import(${JSON.stringify(storeUrl)});
const store = openStore(${JSON.stringify(`sqlite:${tmp.join('open.sqlite')}`)}, { sqliteWriterThread: true });
await store.ensureSchema();
const r = await store.upsert([${JSON.stringify(user(7))}]);
console.log(JSON.stringify(r));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...store.execArgv, '--input-type=module', '-e', script],
      {
        timeout: 20_000,
      },
    );
    expect(JSON.parse(stdout)).toEqual({ inserted: 1, updated: 0, skipped: 0 });
    const db = new Database(tmp.join('open.sqlite'), { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM users').get()).toEqual({ n: 1 });
    db.close();
  });

  describe('once the thread is gone, a request fails at once instead of waiting forever', () => {
    const data = (): WriterData => ({
      path: tmp.join('gone.sqlite'),
      table: 'users',
      progressTable: 'users_load_progress',
      busyTimeoutMs: 50,
    });

    it('after the thread died on its own', async () => {
      const thread = new SqliteWriterThread(data(), new URL('./fixtures/dying-writer.mjs', import.meta.url));
      // In flight or posted after the death, whichever this one is: it fails.
      const first = await thread.upsert([], 'update', undefined).catch((e: unknown) => e);
      expect(isDatabaseError(first) && first.errorClass).toBe('fatal');
      // Certainly posted after the death.
      const later = await thread.upsert([], 'update', undefined).catch((e: unknown) => e);
      expect(isDatabaseError(later) && later.errorClass).toBe('fatal');
      expect((later as Error).message).toMatch(/writer thread/);
      await thread.close();
    });

    it('after the thread was terminated', async () => {
      const store = openStore(`sqlite:${data().path}`);
      await store.ensureSchema();
      await store.close();
      const thread = new SqliteWriterThread(data());
      expect(await thread.upsert([], 'update', { loadKey: 'k', rangeKey: 'r', offset: 1, rows: 0 })).toEqual({
        inserted: 0,
        updated: 0,
        skipped: 0,
      });
      await thread.close();
      const later = await thread.upsert([], 'update', undefined).catch((e: unknown) => e);
      expect(isDatabaseError(later) && later.errorClass).toBe('fatal');
    });
  });
});
