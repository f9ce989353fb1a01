import { describe, expect, it } from 'vitest';
import { isSchemaMismatchError } from './errors.js';
import { DEPARTMENTS, USER_FIELDS, type User } from './user.js';
import { checkValidator, formatIssues, type ValidationResult, validateUser } from './validate.js';

const good: User = {
  id: 42,
  username: 'ada.lovelace.16',
  email: 'ada.lovelace.16@example.com',
  firstName: 'Ada',
  lastName: 'Lovelace',
  department: 'Engineering',
  jobTitle: 'Analyst',
  birthDate: '1990-02-28',
  city: 'London',
  country: 'United Kingdom',
  createdAt: '2025-12-31T23:59:59.999Z',
};

function issuesFor(patch: Record<string, unknown>): string[] {
  const result = validateUser({ ...good, ...patch });
  return result.ok ? [] : result.issues.map((i) => i.field);
}

describe('validateUser', () => {
  it('accepts a valid record and returns it unchanged', () => {
    const result = validateUser(good);
    expect(result).toEqual({ ok: true, user: good });
  });

  it('accepts Unicode in names and places, 4-byte UTF-8 included', () => {
    const result = validateUser({
      ...good,
      firstName: '𠮷野',
      lastName: 'Müller-Łukasz 😀',
      jobTitle: 'Ingénieure',
      city: '東京',
      country: 'Österreich',
    });
    expect(result.ok).toBe(true);
  });

  it('counts characters, not UTF-16 units, against the 100-character limit', () => {
    expect(issuesFor({ firstName: '😀'.repeat(100) })).toEqual([]);
    expect(issuesFor({ firstName: '😀'.repeat(101) })).toEqual(['firstName']);
    expect(issuesFor({ city: 'a'.repeat(101) })).toEqual(['city']);
  });

  it('accepts timestamps with no, one or three fraction digits', () => {
    for (const createdAt of ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.5Z', '2024-02-29T23:59:59.123Z']) {
      expect(issuesFor({ createdAt })).toEqual([]);
    }
  });

  it('accepts a canonical decimal string id (as CSV gives) and returns a number', () => {
    const result = validateUser({ ...good, id: '7' });
    expect(result.ok && result.user.id).toBe(7);
  });

  it.each([
    ['id', 0],
    ['id', -1],
    ['id', 1.5],
    ['id', '007'],
    ['id', 'abc'],
    ['id', 2 ** 53],
    ['id', null],
    ['username', 'ab'],
    ['username', 'a'.repeat(65)],
    ['username', 'Ada'],
    ['username', 'ada lovelace'],
    ['username', 'adä'],
    ['username', 5],
    ['email', 'not-an-email'],
    ['email', 'a@b'],
    ['email', 'ä@example.com'],
    ['email', `${'a'.repeat(250)}@example.com`],
    ['firstName', ''],
    ['firstName', '   '],
    ['lastName', 'tab\there'],
    ['jobTitle', 12],
    ['city', '\ud800 lone surrogate'],
    ['country', null],
    ['department', 'engineering'],
    ['department', 'Space Force'],
    ['birthDate', '1990-02-30'],
    ['birthDate', '1990-2-3'],
    ['birthDate', '0999-01-01'],
    ['birthDate', '1990-13-01'],
    ['createdAt', '2025-12-31 23:59:59'],
    ['createdAt', '2025-12-31T24:00:00Z'],
    ['createdAt', '2025-12-31T23:59:59+01:00'],
    ['createdAt', '2025-12-31T23:59:59.1234Z'],
    ['createdAt', '2025-12-31T23:59:59.Z'],
    ['createdAt', '2025-02-29T00:00:00Z'],
    ['createdAt', '2025-12-31T23:60:00Z'],
  ])('refuses %s = %j, naming the field', (field, value) => {
    const result = validateUser({ ...good, [field]: value });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.map((i) => i.field)).toEqual([field]);
      expect(result.issues[0]?.message.length).toBeGreaterThan(5);
    }
  });

  it('reports every problem of a record at once, each missing field by name', () => {
    const result = validateUser({});
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.map((i) => i.field).sort()).toEqual([...USER_FIELDS].sort());
      expect(result.issues.every((i) => i.message === 'is missing')).toBe(true);
    }
  });

  it('refuses unknown fields unless allowed', () => {
    expect(issuesFor({ password: 'x' })).toEqual(['password']);
    expect(validateUser({ ...good, password: 'x' }, { allowUnknownFields: true })).toEqual({ ok: true, user: good });
  });

  it('refuses a value that is not an object', () => {
    for (const v of [null, 3, 'x', [good]]) {
      const result = validateUser(v);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issues[0]?.field).toBe('(record)');
    }
  });

  it('accepts every department and formats issues on one line', () => {
    for (const department of DEPARTMENTS) expect(issuesFor({ department })).toEqual([]);
    const result = validateUser({ ...good, username: 'A', email: undefined });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatIssues(result.issues)).toMatch(/^username: .+; email: is missing$/);
  });
});

describe('checkValidator (the start-up check of the fast path against the column table)', () => {
  it('passes validateUser itself', () => {
    expect(() => checkValidator(validateUser)).not.toThrow();
  });

  it('fires on a validator whose fields come back in another order', () => {
    const reordered = (input: unknown): ValidationResult => {
      const result = validateUser(input);
      if (!result.ok) return result;
      const { id, username, ...rest } = result.user;
      return { ok: true, user: { username, id, ...rest } };
    };
    expect(() => checkValidator(reordered, 'reordered')).toThrow(
      /^reordered disagrees with the column table \(USER_COLUMNS\): it returns the fields username,id,/,
    );
  });

  it('fires on a validator that forgets a field, or checks it with another limit', () => {
    const forgetsCity = (input: unknown): ValidationResult =>
      validateUser({ ...(input as object), city: 'London' }, { allowUnknownFields: true });
    expect(() => checkValidator(forgetsCity)).toThrow(/with city missing it reports \[\], not city/);
    const longerCountry = (input: unknown): ValidationResult => {
      const r = input as Record<string, unknown>;
      const country = typeof r.country === 'string' && r.country.length === 101 ? 'x' : r.country;
      return validateUser({ ...r, country });
    };
    let error: unknown;
    try {
      checkValidator(longerCountry);
    } catch (e) {
      error = e;
    }
    expect(isSchemaMismatchError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'SCHEMA_MISMATCH', name: 'SchemaMismatchError', where: 'validateUser' });
    expect((error as Error).message).toMatch(/with country 101 characters long it reports \[\], not country/);
  });
});
