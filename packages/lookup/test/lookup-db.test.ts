import { DEPARTMENTS } from '@stampede/schema';
import { openStore, type UserStore } from '@stampede/store';
import { makeTempDir, useTestDatabase } from '@stampede/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLookup, type LookupPair } from '../src/index.js';
import { makeUser } from './fixtures.js';

const db = await useTestDatabase({ importMetaUrl: import.meta.url });
const tmp = makeTempDir('lookup');
afterAll(() => tmp.cleanup());

const users = Array.from({ length: 300 }, (_, i) => makeUser(i + 1));

// Every pair both stores must answer the same way: the matching rules, and hostile input.
const probes: LookupPair[] = [
  { username: 'user.1', department: users[0]!.department },
  { username: ' USER.2 ', department: ` ${users[1]!.department.toUpperCase()} ` },
  { username: 'user.3', department: users[2]!.department === 'Sales' ? 'Legal' : 'Sales' },
  { username: 'user.4\u0000', department: users[3]!.department },
  { username: 'user.5 x', department: users[4]!.department },
  { username: "user.6' OR '1'='1", department: users[5]!.department },
  { username: 'user.7', department: "x' OR 1=1; DROP TABLE users; --" },
  { username: 'ユーザー', department: 'Engineering' },
  { username: 'user.8😀', department: users[7]!.department },
  { username: 'u'.repeat(65), department: 'Sales' },
  { username: 'u'.repeat(1_000_000), department: 'Sales' },
  { username: 'user.9', department: 'd'.repeat(1_000_000) },
  { username: 'user%', department: 'Sales' },
  { username: 'user._', department: 'Sales' },
  { username: 'user.10', department: 'Human\u00a0Resources' },
  { username: 'nobody', department: 'Sales' },
];

const targets: [string, () => string, (name: string, fn: () => void) => void][] = [
  ['SQLite', () => `sqlite:${tmp.join('users.sqlite')}`, describe],
  ['MariaDB/MySQL', () => db.url, db.describe],
];

const answers = new Map<string, boolean[]>();

for (const [name, url, describeOn] of targets) {
  describeOn(`lookup on ${name}`, () => {
    let store: UserStore;
    beforeAll(async () => {
      store = openStore(url(), { connections: 3 });
      await store.dropTable();
      await store.ensureSchema();
      await store.upsert(users);
    });
    afterAll(async () => {
      await store.close();
    });

    it('answers hostile and odd pairs with found or not found, never a database error', async () => {
      const lookup = createLookup(store);
      const results = await lookup.findMany(probes);
      const found = results.map((r) => r.found);
      answers.set(name, found);
      expect(found.slice(0, 3)).toEqual([true, true, false]);
      expect(found.slice(3).every((f) => !f)).toBe(true);
      expect(await store.count()).toBe(users.length);
    });

    it('coalesces 300 concurrent finds into one query and answers each in order', async () => {
      let calls = 0;
      const counting = Object.create(store) as UserStore;
      counting.findByUsernames = (names) => {
        calls++;
        return store.findByUsernames(names);
      };
      const lookup = createLookup(counting);
      const results = await Promise.all(
        users.map((u) => lookup.find({ username: u.username, department: u.department })),
      );
      expect(calls).toBe(1);
      expect(results.map((r) => r.user?.id)).toEqual(users.map((u) => u.id));
      expect(results[41]!.user).toEqual(users[41]);
    });

    it('chunks findMany into queries of maxBatchSize that share the pool', async () => {
      const lookup = createLookup(store, { maxBatchSize: 64 });
      const pairs = users.flatMap((u, i) => [
        { username: u.username, department: u.department },
        { username: `missing.${i}`, department: u.department },
      ]);
      const results = await lookup.findMany(pairs);
      expect(results.filter((r) => r.found)).toHaveLength(users.length);
      expect(results.map((r) => r.found)).toEqual(pairs.map((_, i) => i % 2 === 0));
      expect(lookup.stats().queries).toBe(Math.ceil(pairs.length / 64));
    });

    it('pages through every department exactly once', async () => {
      const lookup = createLookup(store);
      const seen: number[] = [];
      for (const department of DEPARTMENTS) {
        let cursor: string | undefined;
        do {
          const page = await lookup.listDepartment(department, { limit: 7, ...(cursor && { cursor }) });
          expect(page.users.every((u) => u.department === department)).toBe(true);
          seen.push(...page.users.map((u) => u.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      }
      expect(seen.sort((a, b) => a - b)).toEqual(users.map((u) => u.id));
    });
  });
}

db.describe('MySQL and SQLite', () => {
  it('agree on every probe', () => {
    expect(answers.get('MariaDB/MySQL')).toEqual(answers.get('SQLite'));
  });
});
