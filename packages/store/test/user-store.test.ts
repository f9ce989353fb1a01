import { makeTempDir, useTestDatabase } from '@stampede/test-utils';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDatabaseError, type OpenStoreOptions, openStore, type UserStore } from '../src/index.js';
import { user } from './fixtures.js';

const db = await useTestDatabase({ importMetaUrl: import.meta.url });
const tmp = makeTempDir('store');
afterAll(() => tmp.cleanup());

const targets: [string, () => string, (name: string, fn: () => void) => void, OpenStoreOptions][] = [
  ['SQLite', () => `sqlite:${tmp.join('users.sqlite')}`, describe, {}],
  // Every case again with upserts on the writer thread: same results, same errors.
  [
    'SQLite with a writer thread',
    () => `sqlite:${tmp.join('threaded.sqlite')}`,
    describe,
    { sqliteWriterThread: true },
  ],
  ['MariaDB/MySQL', () => db.url, db.describe, {}],
];

for (const [name, url, describeOn, options] of targets) {
  describeOn(`UserStore on ${name}`, () => {
    let store: UserStore;
    beforeEach(async () => {
      store = openStore(url(), { connections: 2, ...options });
      await store.dropTable();
      await store.ensureSchema();
    });
    afterEach(async () => {
      await store.close();
    });

    it('inserts, then updates by id, counting each, and reads back every field (4-byte UTF-8 too)', async () => {
      expect(await store.upsert([user(1), user(2), user(3)])).toEqual({ inserted: 3, updated: 0, skipped: 0 });
      expect(await store.upsert([user(2, { city: 'Łódź' }), user(4)])).toEqual({ inserted: 1, updated: 1, skipped: 0 });
      expect(await store.count()).toBe(4);
      const [found] = await store.findByUsernames(['user.2']);
      expect(found).toEqual(user(2, { city: 'Łódź' }));
      expect((await store.findByUsernames(['user.1']))[0]).toEqual(user(1));
    });

    it('re-running the same batch changes nothing and duplicates nothing', async () => {
      const batch = [user(10), user(11)];
      await store.upsert(batch);
      expect(await store.upsert(batch)).toEqual({ inserted: 0, updated: 2, skipped: 0 });
      expect(await store.count()).toBe(2);
    });

    it('skip leaves an existing id alone; error refuses it as a row error', async () => {
      await store.upsert([user(1)]);
      expect(await store.upsert([user(1, { city: 'Elsewhere' }), user(2)], { onDuplicate: 'skip' })).toEqual({
        inserted: 1,
        updated: 0,
        skipped: 1,
      });
      expect((await store.findByUsernames(['user.1']))[0]?.city).toBe('Kraków');
      const failure = await store.upsert([user(1)], { onDuplicate: 'error' }).catch((e: unknown) => e);
      expect(isDatabaseError(failure) && failure.errorClass).toBe('row');
    });

    it('refuses a username or email that belongs to another id, and leaves that user untouched', async () => {
      await store.upsert([user(1)]);
      for (const clash of [user(2, { username: 'user.1' }), user(3, { email: 'USER.1@example.com' })]) {
        const failure = await store.upsert([clash]).catch((e: unknown) => e);
        expect(isDatabaseError(failure)).toBe(true);
        expect(isDatabaseError(failure) && failure.errorClass).toBe('row');
        expect(isDatabaseError(failure) && (failure.driverCode ?? '')).not.toBe('');
      }
      expect(await store.count()).toBe(1);
      expect((await store.findByUsernames(['user.1']))[0]).toEqual(user(1));
    });

    it('rolls back the whole batch when one row fails', async () => {
      const failure = await store
        .upsert([user(1), user(2, { firstName: 'x'.repeat(101) })], {
          progress: { loadKey: 'k', rangeKey: 'r', offset: 10, rows: 2 },
        })
        .catch((e: unknown) => e);
      expect(isDatabaseError(failure) && failure.errorClass).toBe('row');
      expect(await store.count()).toBe(0);
      expect(await store.readProgress('k')).toEqual([]);
    });

    it('commits progress marks with the batch and reads them back per load', async () => {
      expect(await store.readProgress('load-a')).toEqual([]);
      await store.upsert([user(1)], { progress: { loadKey: 'load-a', rangeKey: 'r1', offset: 100, rows: 1 } });
      await store.upsert([user(2)], { progress: { loadKey: 'load-a', rangeKey: 'r1', offset: 200, rows: 2 } });
      await store.upsert([user(3)], { progress: { loadKey: 'load-b', rangeKey: 'r1', offset: 50, rows: 1 } });
      expect(await store.readProgress('load-a')).toEqual([{ loadKey: 'load-a', rangeKey: 'r1', offset: 200, rows: 2 }]);
      await store.resetProgress('load-a');
      expect(await store.readProgress('load-a')).toEqual([]);
      expect(await store.readProgress('load-b')).toHaveLength(1);
    });

    it("resetProgress replaces one load's marks with a new layout, rows untouched", async () => {
      await store.upsert([user(1)], { progress: { loadKey: 'load-a', rangeKey: 'old#0', offset: 100, rows: 1 } });
      const layout = [
        { loadKey: 'load-a', rangeKey: '0-50#0', offset: 0, rows: 0 },
        { loadKey: 'load-a', rangeKey: '50-99#0', offset: 50, rows: 0 },
      ];
      await store.resetProgress('load-a', layout);
      expect(await store.readProgress('load-a')).toEqual(layout);
      expect(await store.count()).toBe(1);
    });

    it('finds by exact username only; hostile and non-ASCII input finds nothing', async () => {
      await store.upsert([user(1), user(2, { department: 'Sales' })]);
      const found = await store.findByUsernames([
        'user.1',
        'USER.2',
        ' user.2',
        "user.1' OR '1'='1",
        'ünïcode',
        'x'.repeat(5000),
      ]);
      expect(found.map((u) => u.id)).toEqual([1]);
    });

    it('pages through a department by id with a keyset cursor', async () => {
      await store.upsert(Array.from({ length: 7 }, (_, i) => user(i + 1, { department: i % 2 ? 'Sales' : 'Legal' })));
      const first = await store.listDepartment('Legal', { limit: 2 });
      expect(first.map((u) => u.id)).toEqual([1, 3]);
      const next = await store.listDepartment('Legal', { limit: 2, afterId: 3 });
      expect(next.map((u) => u.id)).toEqual([5, 7]);
      expect(await store.listDepartment('Legal', { limit: 2, afterId: 7 })).toEqual([]);
      expect(await store.listDepartment('Nope')).toEqual([]);
    });

    it('adds the secondary index later when created without it', async () => {
      await store.dropTable();
      await store.ensureSchema({ secondaryIndexes: false });
      expect(await store.hasSecondaryIndexes()).toBe(false);
      await store.addSecondaryIndexes();
      await store.addSecondaryIndexes();
      expect(await store.hasSecondaryIndexes()).toBe(true);
    });
  });
}

describe('openStore', () => {
  it('names a server that is not there in the error, classified', async () => {
    const store = openStore('mysql://root@127.0.0.1:1/test', { connectTimeoutMs: 1000 });
    const failure = await store.count().catch((e: unknown) => e);
    await store.close();
    expect(isDatabaseError(failure)).toBe(true);
    expect(String((failure as Error).message)).toMatch(/127\.0\.0\.1:1/);
  });
});
