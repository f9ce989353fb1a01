import type { User } from '@stampede/schema';
import { describe, expect, it } from 'vitest';
import { EncodedRows, tsvLine } from './encoded-rows.js';

const user = (id: number, over: Partial<User> = {}): User => ({
  id,
  username: `user.${id}`,
  email: `user.${id}@example.com`,
  firstName: 'Zoë',
  lastName: 'Smith',
  department: 'Sales',
  jobTitle: 'Analyst',
  birthDate: '1990-01-02',
  city: 'Kraków',
  country: 'Poland',
  createdAt: '2024-05-06T07:08:09.123Z',
  ...over,
});

describe('EncodedRows', () => {
  it('holds the LOAD DATA lines of its rows, and decodes them back to the same users', () => {
    const users = [user(1), user(2, { lastName: 'a\tb\\c\nd\re 😀' }), user(3)];
    const rows = new EncodedRows();
    for (const u of users) rows.push(u);
    expect(rows.length).toBe(3);
    expect(rows.bytes().toString('utf8')).toBe(users.map(tsvLine).join(''));
    expect(tsvLine(users[1] as User)).toContain('a\\tb\\\\c\\nd\\re 😀');
    expect(rows.users()).toEqual(users);
  });

  it('slices by row, whatever the escapes, sharing the bytes', () => {
    const users = Array.from({ length: 7 }, (_, i) => user(i + 1, i % 2 ? { city: 'x\ny' } : {}));
    const rows = new EncodedRows();
    for (const u of users) rows.push(u);
    for (const [from, to] of [
      [0, 7],
      [0, 3],
      [3, 7],
      [2, 5],
      [6, 7],
      [4, 4],
    ] as const) {
      const part = rows.slice(from, to);
      expect(part.length).toBe(to - from);
      expect(part.users()).toEqual(users.slice(from, to));
      expect(part.slice(1).users()).toEqual(users.slice(from + 1, to));
    }
  });

  it('grows past its first buffer, and is reused after clear()', () => {
    const rows = new EncodedRows(Buffer.allocUnsafe(16));
    const many = Array.from({ length: 2000 }, (_, i) => user(i + 1));
    for (const u of many) rows.push(u);
    expect(rows.users()).toEqual(many);
    rows.clear();
    expect(rows.length).toBe(0);
    expect(rows.bytes().length).toBe(0);
    rows.push(user(9));
    expect(rows.users()).toEqual([user(9)]);
  });

  it('pushJson: a canonical JSON line gives the very bytes push gives its user, in order with pushed users', () => {
    const users = [
      user(1),
      user(2, { firstName: '𠮷子', lastName: '😀 Emoji', createdAt: '2024-05-06T07:08:09Z' }),
      user(3, { lastName: 'a\tb\\c' }),
      user(4, { createdAt: '2024-05-06T07:08:09.1Z' }),
      user(5, { city: 'x'.repeat(80) }),
    ];
    const viaPush = new EncodedRows();
    const viaJson = new EncodedRows(Buffer.allocUnsafe(16));
    const padded = (u: User) => Buffer.from(`  ${JSON.stringify(u)}\n`);
    for (const u of users) {
      viaPush.push(u);
      const b = padded(u);
      // A value with escapes is not canonical: declined, nothing appended, pushed the ordinary way.
      if (!viaJson.pushJson(b, 2, b.length - 1)) {
        expect(u.id).toBe(3);
        expect(viaJson.length).toBe(2);
        viaJson.push(u);
      }
    }
    expect(viaJson.length).toBe(users.length);
    expect(viaJson.bytes().toString('utf8')).toBe(viaPush.bytes().toString('utf8'));
    expect(viaJson.users()).toEqual(users);
  });

  it('pushJson declines an invalid record and appends nothing', () => {
    const rows = new EncodedRows();
    for (const bad of [
      { ...user(1), department: 'sales' },
      { ...user(1), id: 0 },
      { ...user(1), extra: 1 },
    ]) {
      const b = Buffer.from(JSON.stringify(bad));
      expect(rows.pushJson(b, 0, b.length)).toBe(false);
    }
    expect(rows.length).toBe(0);
    expect(rows.bytes().length).toBe(0);
  });
});
