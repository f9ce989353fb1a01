import type { User } from '@stampede/schema';
import { useTestDatabase } from '@stampede/test-utils';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type MysqlUserStore, openStore, type UpsertOptions, type UpsertResult } from '../src/index.js';
import { user } from './fixtures.js';

const db = await useTestDatabase({ importMetaUrl: import.meta.url });

type Write = (store: MysqlUserStore, users: User[], options: UpsertOptions) => Promise<UpsertResult>;
const ways: [string, Write][] = [
  ['INSERT', (store, users, options) => store.upsert(users, options)],
  ['LOAD DATA', (store, users, options) => store.upsertViaLoadData(users, options)],
];

for (const [name, write] of ways) {
  db.describe(`a retried batch (${name})`, () => {
    let store: MysqlUserStore;
    beforeAll(async () => {
      store = openStore(db.url, { table: `retry_${name === 'INSERT' ? 'ins' : 'ld'}` }) as MysqlUserStore;
      await store.dropTable();
      await store.ensureSchema();
    });
    afterAll(() => store.close());

    // What a loader does when a COMMIT's reply is lost: the same rows and mark again, as a retry.
    it('whose first attempt committed reports what that attempt did, and writes nothing again', async () => {
      const mark = { loadKey: 'k', rangeKey: 'r', offset: 300, rows: 3 };
      expect(await write(store, [user(1), user(2), user(3)], { progress: mark })).toEqual({
        inserted: 3,
        updated: 0,
        skipped: 0,
      });
      // A changed city shows whether the retry wrote the rows again.
      const again = [user(1, { city: 'Łódź' }), user(2), user(3)];
      expect(await write(store, again, { progress: mark, retry: true })).toEqual({
        inserted: 3,
        updated: 0,
        skipped: 0,
      });
      expect((await store.findByUsernames(['user.1']))[0]?.city).toBe(user(1).city);
      expect(await store.count()).toBe(3);
      expect(await store.readProgress('k')).toEqual([mark]);
    });

    it('whose first attempt did not commit is written, and its mark moves on', async () => {
      const mark = { loadKey: 'k', rangeKey: 'r', offset: 500, rows: 5 };
      expect(await write(store, [user(3, { city: 'Gdańsk' }), user(4)], { progress: mark, retry: true })).toEqual({
        inserted: 1,
        updated: 1,
        skipped: 0,
      });
      expect((await store.findByUsernames(['user.3']))[0]?.city).toBe('Gdańsk');
      expect(await store.readProgress('k')).toEqual([mark]);
    });
  });
}

db.describe('a progress table made before the last batch was recorded', () => {
  it('gains the columns on ensureSchema, and retries then report the recorded batch', async () => {
    const store = openStore(db.url, { table: 'retry_old' }) as MysqlUserStore;
    try {
      await store.dropTable();
      const c = await mysql.createConnection(db.url);
      try {
        // The shape ensureSchema created before this version.
        await c.query(`CREATE TABLE \`retry_old_load_progress\` (
          \`load_key\` VARCHAR(128) CHARACTER SET ascii NOT NULL,
          \`range_key\` VARCHAR(128) CHARACTER SET ascii NOT NULL,
          \`committed_offset\` BIGINT UNSIGNED NOT NULL,
          \`committed_rows\` BIGINT UNSIGNED NOT NULL,
          \`updated_at\` TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
          PRIMARY KEY (\`load_key\`, \`range_key\`)
        ) ENGINE=InnoDB`);
        await c.query("INSERT INTO `retry_old_load_progress` VALUES ('old', 'r', 10, 1, CURRENT_TIMESTAMP(3))");
        // Two processes at once (shards starting together), then again: the columns come once.
        const other = openStore(db.url, { table: 'retry_old' });
        try {
          await Promise.all([store.ensureSchema(), other.ensureSchema()]);
        } finally {
          await other.close();
        }
        await store.ensureSchema();
        const [columns] = (await c.query(
          "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'retry_old_load_progress' AND column_name LIKE 'last\\_%' ORDER BY column_name",
        )) as unknown as [{ c: string }[]];
        expect(columns.map((r) => r.c)).toEqual(['last_inserted', 'last_skipped', 'last_updated']);
      } finally {
        await c.end();
      }
      expect(await store.readProgress('old')).toEqual([{ loadKey: 'old', rangeKey: 'r', offset: 10, rows: 1 }]);
      const mark = { loadKey: 'new', rangeKey: 'r', offset: 20, rows: 2 };
      await store.upsert([user(1), user(2)], { progress: mark });
      expect(await store.upsert([user(1), user(2)], { progress: mark, retry: true })).toEqual({
        inserted: 2,
        updated: 0,
        skipped: 0,
      });
    } finally {
      await store.dropTable();
      await store.close();
    }
  });
});
