import { USER_FIELDS, type User, userToRow } from '@stampede/schema';
import { describe, expect, it } from 'vitest';
import { rowToUser, selectList } from './rows.js';

const user: User = {
  id: 9,
  username: 'kenji.sato.9',
  email: 'kenji.sato.9@example.jp',
  firstName: '𠮷田',
  lastName: '佐藤',
  department: 'Research',
  jobTitle: '研究員',
  birthDate: '1985-07-14',
  city: '東京',
  country: '日本',
  createdAt: '2025-01-02T03:04:05.678Z',
};

/** A row as the driver returns it for `SELECT ${selectList()}`: the values userToRow wrote, keyed by field. */
function rowOf(dialect: 'mysql' | 'sqlite'): Record<string, unknown> {
  const values = userToRow(user, dialect);
  return Object.fromEntries(USER_FIELDS.map((f, i) => [f, values[i]]));
}

describe('rowToUser', () => {
  it('reads back what userToRow wrote, on both dialects, fields in column order', () => {
    for (const dialect of ['mysql', 'sqlite'] as const) {
      const back = rowToUser(rowOf(dialect), dialect);
      expect(back).toEqual(user);
      expect(Object.keys(back)).toEqual([...USER_FIELDS]);
    }
  });

  it('turns a BIGINT id given as a string into a number', () => {
    expect(rowToUser({ ...rowOf('sqlite'), id: '9' }, 'sqlite').id).toBe(9);
  });

  it('names every field in the select list, aliasing snake_case columns', () => {
    expect(selectList('sqlite')).toContain('"first_name" AS "firstName"');
    expect(selectList('mysql').split(', ')).toHaveLength(USER_FIELDS.length);
  });
});
