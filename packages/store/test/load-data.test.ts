import type { User } from '@stampede/schema';
import { useTestDatabase } from '@stampede/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type MysqlUserStore, openStore } from '../src/index.js';
import { user as baseUser } from './fixtures.js';

const db = await useTestDatabase({ importMetaUrl: import.meta.url });
// Backslashes in a name (Zoë\Tab\t): LOAD DATA's escaping must bring them back as they were.
const user = (id: number, over: Partial<User> = {}): User =>
  baseUser(id, { firstName: 'Zoë\\Tab\\t', department: 'Sales', ...over });

db.describe('MysqlUserStore.upsertViaLoadData', () => {
  let store: MysqlUserStore;
  beforeAll(async () => {
    store = openStore(db.url, { table: 'ld' }) as MysqlUserStore;
    await store.ensureSchema();
  });
  afterAll(() => store.close());

  it('round-trips every field (backslashes, 4-byte UTF-8), counts updates, keeps the progress mark', async () => {
    const progress = { loadKey: 'k', rangeKey: 'r', offset: 10, rows: 2 };
    expect(await store.upsertViaLoadData([user(1), user(2)], { progress })).toEqual({
      inserted: 2,
      updated: 0,
      skipped: 0,
    });
    expect(await store.upsertViaLoadData([user(2, { city: 'Łódź' }), user(3)])).toEqual({
      inserted: 1,
      updated: 1,
      skipped: 0,
    });
    expect(await store.upsertViaLoadData([user(3, { city: 'Gdańsk' })], { onDuplicate: 'skip' })).toEqual({
      inserted: 0,
      updated: 0,
      skipped: 1,
    });
    expect((await store.findByUsernames(['user.1']))[0]).toEqual(user(1));
    expect((await store.findByUsernames(['user.2']))[0]?.city).toBe('Łódź');
    expect((await store.findByUsernames(['user.3']))[0]?.city).toBe('Kraków');
    expect(await store.readProgress('k')).toEqual([progress]);
  });

  it('a username of another id and a too-long value are row errors, and nothing of the batch lands', async () => {
    await expect(store.upsertViaLoadData([user(10), user(11, { username: 'user.1' })])).rejects.toMatchObject({
      errorClass: 'row',
    });
    await expect(store.upsertViaLoadData([user(12, { city: 'x'.repeat(101) })])).rejects.toMatchObject({
      errorClass: 'row',
      errno: 1406,
    });
    expect(await store.findByUsernames(['user.10', 'user.12'])).toEqual([]);
    expect(await store.count()).toBe(3);
  });
});
