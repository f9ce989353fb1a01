import { makeTempDir, useTestDatabase } from '@stampede/test-utils';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  describeRowError,
  isConfigError,
  isMissingTable,
  MAX_TABLE_NAME_LENGTH,
  type OpenStoreOptions,
  openStore,
  progressTableName,
  type UserStore,
} from '../src/index.js';
import { user } from './fixtures.js';

// What a caller may ask any store, answered the same way by both databases: capabilities,
// named errors, idempotent DDL, and progress marks that mean the same thing.
const db = await useTestDatabase({ importMetaUrl: import.meta.url });
const tmp = makeTempDir('store-interface');
afterAll(() => tmp.cleanup());

const targets: [string, () => string, (name: string, fn: () => void) => void, OpenStoreOptions][] = [
  ['SQLite', () => `sqlite:${tmp.join('iface.sqlite')}`, describe, {}],
  ['SQLite with a writer thread', () => `sqlite:${tmp.join('iface-t.sqlite')}`, describe, { sqliteWriterThread: true }],
  ['MariaDB/MySQL', () => db.url, db.describe, {}],
];

/** The progress table's rows as the database holds them, every column. */
async function progressRows(url: string, table: string): Promise<Record<string, unknown>[]> {
  const name = progressTableName(table);
  if (url.startsWith('sqlite:')) {
    const raw = new Database(url.slice('sqlite:'.length), { readonly: true });
    try {
      return raw.prepare(`SELECT * FROM "${name}" ORDER BY range_key`).all() as Record<string, unknown>[];
    } finally {
      raw.close();
    }
  }
  const conn = await mysql.createConnection(url);
  try {
    const [rows] = await conn.query(`SELECT * FROM \`${name}\` ORDER BY range_key`);
    return rows as Record<string, unknown>[];
  } finally {
    await conn.end();
  }
}

for (const [name, url, describeOn, options] of targets) {
  describeOn(`the store interface on ${name}`, () => {
    let store: UserStore;
    beforeEach(async () => {
      store = openStore(url(), { table: 'iface', ...options });
      await store.dropTable();
      await store.ensureSchema();
    });
    afterEach(() => store.close());

    it('says whether LOAD DATA works, and upsert({ method }) gives the same result either way', async () => {
      const caps = await store.capabilities();
      expect(caps.loadData).toBe(store.dialect === 'mysql');
      expect(await store.upsert([user(1), user(2)], { method: 'load-data' })).toEqual({
        inserted: 2,
        updated: 0,
        skipped: 0,
      });
      expect(await store.upsert([user(2, { city: 'Łódź' }), user(3)], { method: 'load-data' })).toEqual({
        inserted: 1,
        updated: 1,
        skipped: 0,
      });
      expect((await store.findByUsernames(['user.2']))[0]?.city).toBe('Łódź');
      expect(await store.count()).toBe(3);
    });

    it('finds users by id, the same records that went in', async () => {
      await store.upsert([user(1), user(2), user(5)]);
      const found = await store.findByIds([5, 1, 1, 3, -1]);
      expect(found.sort((a, b) => a.id - b.id)).toEqual([user(1), user(5)]);
      expect(await store.findByIds([])).toEqual([]);
    });

    it('names a row error: a username or email of another id is "taken", an existing id under error is "duplicate-id"', async () => {
      await store.upsert([user(1)]);
      for (const method of ['insert', 'load-data'] as const) {
        for (const onDuplicate of ['update', 'skip', 'error'] as const) {
          const clash = await store
            .upsert([user(2, { username: 'user.1' })], { method, onDuplicate })
            .catch((e: unknown) => e);
          expect(describeRowError(clash)).toMatchObject({ kind: 'taken', reason: /belongs to another id/ });
        }
        const again = await store.upsert([user(1)], { method, onDuplicate: 'error' }).catch((e: unknown) => e);
        expect(describeRowError(again)?.kind).toBe('duplicate-id');
      }
      const tooLong = await store.upsert([user(3, { city: 'x'.repeat(101) })]).catch((e: unknown) => e);
      // SQLite's CHECK and MySQL's strict mode both refuse it, each in its own words.
      expect(describeRowError(tooLong)?.kind).toBe('invalid');
    });

    it('a query of a table that is not there is isMissingTable', async () => {
      await store.dropTable();
      const failure = await store.findByUsernames(['user.1']).catch((e: unknown) => e);
      expect(isMissingTable(failure)).toBe(true);
      expect(isMissingTable(new Error('wrapped', { cause: failure }))).toBe(true);
      await store.ensureSchema();
      const other = await store.upsert([user(1, { city: 'x'.repeat(101) })]).catch((e: unknown) => e);
      expect(isMissingTable(other)).toBe(false);
    });

    it('addSecondaryIndexes is idempotent, also when several stores add the index at once', async () => {
      await store.dropTable();
      await store.ensureSchema({ secondaryIndexes: false });
      const others = [1, 2, 3].map(() => openStore(url(), { table: 'iface', ...options }));
      try {
        await Promise.all([store, ...others].map((s) => s.addSecondaryIndexes()));
        await store.addSecondaryIndexes();
      } finally {
        await Promise.all(others.map((s) => s.close()));
      }
      expect(await store.hasSecondaryIndexes()).toBe(true);
    });

    it('a progress mark records the same columns with the same meaning: offset, rows, what its batch did, when', async () => {
      const mark = { loadKey: 'k', rangeKey: 'r', offset: 300, rows: 3 };
      await store.upsert([user(1)]);
      expect(await store.upsert([user(1), user(2), user(3)], { progress: mark })).toEqual({
        inserted: 2,
        updated: 1,
        skipped: 0,
      });
      const [row] = await progressRows(url(), 'iface');
      expect(Object.keys(row ?? {}).sort()).toEqual([
        'committed_offset',
        'committed_rows',
        'last_inserted',
        'last_skipped',
        'last_updated',
        'load_key',
        'range_key',
        'updated_at',
      ]);
      expect(row).toMatchObject({ load_key: 'k', range_key: 'r' });
      expect(
        [row?.committed_offset, row?.committed_rows, row?.last_inserted, row?.last_updated, row?.last_skipped].map(
          Number,
        ),
      ).toEqual([300, 3, 2, 1, 0]);
      expect(String(row?.updated_at)).not.toBe('');
      // A retry of the committed batch reports what the batch did and writes nothing again.
      const again = [user(1), user(2, { city: 'Łódź' }), user(3)];
      expect(await store.upsert(again, { progress: mark, retry: true })).toEqual({
        inserted: 2,
        updated: 1,
        skipped: 0,
      });
      expect((await store.findByUsernames(['user.2']))[0]?.city).toBe('Kraków');
      expect(await store.readProgress('k')).toEqual([mark]);
    });
  });

  describeOn(`table names on ${name}`, () => {
    it(`refuses a name whose derived names would pass 64 characters (> ${MAX_TABLE_NAME_LENGTH}), up front, with the limit`, async () => {
      let caught: unknown;
      try {
        openStore(url(), { table: 't'.repeat(MAX_TABLE_NAME_LENGTH + 1), ...options });
      } catch (e) {
        caught = e;
      }
      expect(isConfigError(caught)).toBe(true);
      expect((caught as Error).message).toContain(`at most ${MAX_TABLE_NAME_LENGTH}`);
      expect((caught as Error).message).toContain('64');
    });

    it('a name of the longest allowed length works end to end: schema, index, LOAD DATA, progress', async () => {
      const table = `t${'x'.repeat(MAX_TABLE_NAME_LENGTH - 1)}`;
      const store = openStore(url(), { table, ...options });
      try {
        await store.dropTable();
        await store.ensureSchema({ secondaryIndexes: false });
        await store.addSecondaryIndexes();
        expect(await store.hasSecondaryIndexes()).toBe(true);
        const progress = { loadKey: 'k', rangeKey: 'r', offset: 1, rows: 1 };
        await store.upsert([user(1)], { method: 'load-data', progress });
        // The careful way of LOAD DATA (a staging table named after the table) too.
        await store.upsert([user(1, { city: 'Łódź' })], { method: 'load-data' });
        expect(await store.readProgress('k')).toEqual([progress]);
        await store.dropTable();
      } finally {
        await store.close();
      }
    });
  });
}

describe('a SQLite progress table from before the last batch was recorded', () => {
  it('is upgraded to the columns MySQL has, its marks kept', async () => {
    const path = tmp.join('old-progress.sqlite');
    const raw = new Database(path);
    raw.exec(`CREATE TABLE users_load_progress (
  load_key TEXT NOT NULL, range_key TEXT NOT NULL,
  committed_offset INTEGER NOT NULL, committed_rows INTEGER NOT NULL,
  PRIMARY KEY (load_key, range_key)) STRICT`);
    raw.prepare('INSERT INTO users_load_progress VALUES (?, ?, ?, ?)').run('old', 'r', 10, 1);
    raw.close();
    const stores = [1, 2].map(() => openStore(`sqlite:${path}`));
    try {
      // Two processes starting together take turns at the upgrade.
      await Promise.all(stores.map((s) => s.ensureSchema()));
      const store = stores[0] as UserStore;
      expect(await store.readProgress('old')).toEqual([{ loadKey: 'old', rangeKey: 'r', offset: 10, rows: 1 }]);
      const mark = { loadKey: 'old', rangeKey: 'r', offset: 20, rows: 2 };
      expect(await store.upsert([user(1)], { progress: mark })).toMatchObject({ inserted: 1 });
      expect(await store.upsert([user(1)], { progress: mark, retry: true })).toEqual({
        inserted: 1,
        updated: 0,
        skipped: 0,
      });
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
    const [row] = await progressRows(`sqlite:${path}`, 'users');
    expect(row).toMatchObject({ committed_offset: 20, last_inserted: 1, last_updated: 0, last_skipped: 0 });
    expect(String(row?.updated_at)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
  });
});
