import { describe, expect, it } from 'vitest';
import { fakeStore, makeUser } from '../test/fixtures.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { isLookupError } from './errors.js';
import { createLookup } from './lookup.js';
import { normalizeDepartment, normalizeUsername } from './matching.js';

const users = Array.from({ length: 50 }, (_, i) => makeUser(i + 1));

describe('matching rules', () => {
  it('trims, folds ASCII case, and refuses what no stored username can be', () => {
    expect(normalizeUsername('  User.7\t')).toBe('user.7');
    expect(normalizeUsername('ab')).toBeUndefined();
    expect(normalizeUsername('a'.repeat(65))).toBeUndefined();
    expect(normalizeUsername("x' OR '1'='1")).toBeUndefined();
    expect(normalizeUsername('zoë')).toBeUndefined();
    // The Kelvin sign lowercases to ASCII k under Unicode rules; it must not match "k".
    expect(normalizeUsername('\u212Aate')).toBeUndefined();
    expect(normalizeUsername(42)).toBeUndefined();
  });

  it('departments: trimmed, inner spaces collapsed, ASCII case folded, else unknown', () => {
    expect(normalizeDepartment(' human   RESOURCES ')).toBe('Human Resources');
    expect(normalizeDepartment('Engineering')).toBe('Engineering');
    expect(normalizeDepartment('Engineerin')).toBeUndefined();
    expect(normalizeDepartment("Sales'; DROP TABLE users; --")).toBeUndefined();
    expect(normalizeDepartment(null)).toBeUndefined();
  });
});

describe('createLookup over a counting store', () => {
  it('returns results in input order with found and not found, echoing the pair as asked', async () => {
    const store = fakeStore(users);
    const lookup = createLookup(store);
    const u3 = users[2]!;
    const u9 = users[8]!;
    const results = await lookup.findMany([
      { username: u9.username, department: u9.department },
      { username: 'nobody.here', department: 'Sales' },
      { username: ` ${u3.username.toUpperCase()} `, department: u3.department.toLowerCase() },
      { username: u3.username, department: u3.department === 'Sales' ? 'Legal' : 'Sales' },
    ]);
    expect(results.map((r) => r.found)).toEqual([true, false, true, false]);
    expect(results[0]!.user).toEqual(u9);
    expect(results[2]!.user).toEqual(u3);
    expect(results[2]!.username).toBe(` ${u3.username.toUpperCase()} `);
    expect(results[1]!.user).toBeNull();
    expect(store.calls).toHaveLength(1);
  });

  it('coalesces N concurrent finds in one tick into one query', async () => {
    const store = fakeStore(users);
    const lookup = createLookup(store);
    const results = await Promise.all(
      users.map((u) => lookup.find({ username: u.username, department: u.department })),
    );
    expect(results.every((r) => r.found)).toBe(true);
    expect(store.calls).toHaveLength(1);
    expect(store.calls[0]).toHaveLength(users.length);
    expect(lookup.stats()).toEqual({ queries: 1, keys: users.length });
  });

  it('finds in separate ticks are separate queries; batch: false is one query per find', async () => {
    const store = fakeStore(users);
    const lookup = createLookup(store);
    await lookup.find({ username: 'user.1', department: users[0]!.department });
    await lookup.find({ username: 'user.2', department: users[1]!.department });
    expect(store.calls).toHaveLength(2);
    const unbatched = fakeStore(users);
    const one = createLookup(unbatched, { batch: false });
    await Promise.all(users.slice(0, 5).map((u) => one.find(u)));
    expect(unbatched.calls).toHaveLength(5);
  });

  it("batchWindow 'turn' coalesces finds from separate callbacks of one loop turn, as a server's requests arrive", async () => {
    const fromCallbacks = async (batchWindow: 'tick' | 'turn') => {
      const store = fakeStore(users);
      const lookup = createLookup(store, { batchWindow });
      const results = await Promise.all(
        users
          .slice(0, 6)
          .map(
            (u) => new Promise((resolve) => setImmediate(() => resolve(lookup.find(u)))) as Promise<{ found: boolean }>,
          ),
      );
      expect(results.every((r) => r.found)).toBe(true);
      return store.calls.length;
    };
    expect(await fromCallbacks('tick')).toBe(6);
    expect(await fromCallbacks('turn')).toBe(1);
  });

  it('chunks at maxBatchSize and still answers in input order', async () => {
    const store = fakeStore(users);
    const lookup = createLookup(store, { maxBatchSize: 7 });
    const pairs = [...users].reverse().map((u) => ({ username: u.username, department: u.department }));
    const results = await lookup.findMany(pairs);
    expect(results.map((r) => r.user?.id)).toEqual(pairs.map((_, i) => users.length - i));
    expect(store.calls.map((c) => c.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
  });

  it('never sends injection strings, Unicode or very long values to the store', async () => {
    const store = fakeStore(users);
    const lookup = createLookup(store);
    const results = await lookup.findMany([
      { username: "' OR 1=1 --", department: 'Sales' },
      { username: 'ユーザー', department: 'Sales' },
      { username: 'x'.repeat(100_000), department: 'Sales' },
      { username: 'user.1', department: 'x'.repeat(100_000) },
      { username: 'user.1', department: '😀' },
    ]);
    expect(results.every((r) => !r.found)).toBe(true);
    expect(store.calls).toHaveLength(0);
  });

  it('passes a store failure to every caller of that batch', async () => {
    const store = fakeStore(users);
    store.findByUsernames = async () => {
      throw new Error('boom');
    };
    const lookup = createLookup(store);
    const a = lookup.find({ username: 'user.1', department: 'Sales' });
    const b = lookup.find({ username: 'user.2', department: 'Sales' });
    await expect(a).rejects.toThrow('boom');
    await expect(b).rejects.toThrow('boom');
  });

  it('reports each query to onQuery', async () => {
    const events: number[] = [];
    const lookup = createLookup(fakeStore(users), { onQuery: (e) => events.push(e.keys, e.rows) });
    await lookup.findMany([
      { username: 'user.1', department: 'x' },
      { username: 'user.1', department: 'y' },
      { username: 'user.404', department: 'Nope' },
    ]);
    expect(events).toEqual([]); // unknown departments: nothing to ask
    await lookup.findMany([
      { username: 'user.1', department: 'Sales' },
      { username: 'user.1', department: 'Legal' },
      { username: 'user.404', department: 'Sales' },
    ]);
    expect(events).toEqual([2, 1]);
  });
});

describe('listDepartment', () => {
  it('walks a department page by page with keyset cursors, without an empty last page', async () => {
    const lookup = createLookup(fakeStore(users));
    const dept = users[0]!.department;
    const expected = users.filter((u) => u.department === dept).map((u) => u.id);
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await lookup.listDepartment(dept.toUpperCase(), { limit: 2, ...(cursor && { cursor }) });
      expect(page.department).toBe(dept);
      expect(page.users.length).toBeGreaterThan(0);
      seen.push(...page.users.map((u) => u.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 2));
  });

  it('refuses unknown departments, bad limits and forged cursors naming the field', async () => {
    const lookup = createLookup(fakeStore(users));
    const codes = async (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e) => (isLookupError(e) ? `${e.code}:${e.field}` : String(e)),
      );
    expect(await codes(lookup.listDepartment('Nope'))).toBe('UNKNOWN_DEPARTMENT:department');
    expect(await codes(lookup.listDepartment('Sales', { limit: 0 }))).toBe('INVALID_LIMIT:limit');
    expect(await codes(lookup.listDepartment('Sales', { limit: 1001 }))).toBe('INVALID_LIMIT:limit');
    expect(await codes(lookup.listDepartment('Sales', { cursor: 'abc' }))).toBe('INVALID_CURSOR:cursor');
    expect(await codes(lookup.listDepartment('Sales', { cursor: Buffer.from('id:-1').toString('base64url') }))).toBe(
      'INVALID_CURSOR:cursor',
    );
  });

  it('cursors round-trip', () => {
    expect(decodeCursor(encodeCursor(123_456_789))).toBe(123_456_789);
  });
});
