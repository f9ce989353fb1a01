import { describe, expect, it } from 'vitest';
import { isoToMysqlDatetime, mysqlDatetimeToIso, USER_COLUMN_NAMES, USER_COLUMNS, userToRow } from './ddl.js';
import { LIMITS, USER_FIELDS, type User } from './user.js';

const user: User = {
  id: 7,
  username: 'ada.7',
  email: 'ada.7@example.com',
  firstName: 'Ada',
  lastName: 'Lovelace',
  department: 'Research',
  jobTitle: 'Analyst',
  birthDate: '1990-02-28',
  city: 'London',
  country: 'United Kingdom',
  createdAt: '2025-01-02T03:04:05.678Z',
};

describe('the column table', () => {
  it('gives the fields, the column names and the row in one order', () => {
    expect(USER_COLUMNS.map((c) => c.field)).toEqual([...USER_FIELDS]);
    expect(USER_COLUMNS.map((c) => c.column)).toEqual([...USER_COLUMN_NAMES]);
    expect(userToRow(user, 'sqlite')).toEqual(USER_FIELDS.map((f) => user[f]));
    expect(userToRow(user, 'mysql').at(-1)).toBe('2025-01-02 03:04:05.678');
  });

  it('sizes each column from LIMITS and gives patterns that compile as JSON schema (Unicode) regexes', () => {
    const byField = Object.fromEntries(USER_COLUMNS.map((c) => [c.field, c]));
    expect(byField.username).toMatchObject({ kind: 'identifier', min: LIMITS.usernameMin, max: LIMITS.usernameMax });
    expect(byField.city).toMatchObject({ kind: 'text', min: 1, max: LIMITS.textMax });
    expect(byField.department?.values).toContain('Engineering');
    for (const c of USER_COLUMNS) {
      expect(c.description, c.field).not.toBe('');
      if (c.pattern !== undefined) expect(() => new RegExp(c.pattern as string, 'u'), c.field).not.toThrow();
    }
    expect(new RegExp(byField.username?.pattern as string).test('ada.lovelace_1-2')).toBe(true);
    expect(new RegExp(byField.email?.pattern as string).test('ada@example.com')).toBe(true);
  });

  it('converts timestamps to MySQL DATETIME and back', () => {
    expect(mysqlDatetimeToIso(isoToMysqlDatetime(user.createdAt))).toBe(user.createdAt);
  });
});
