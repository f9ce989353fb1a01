import { describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE_URL, parseDatabaseUrl, redactDatabaseUrl, resolveDatabaseUrl } from './config.js';
import { isConfigError } from './errors.js';

describe('resolveDatabaseUrl', () => {
  it('prefers --db, then DATABASE_URL, then the embedded default', () => {
    expect(resolveDatabaseUrl({ db: 'sqlite:a.db', env: { DATABASE_URL: 'sqlite:b.db' } })).toBe('sqlite:a.db');
    expect(resolveDatabaseUrl({ env: { DATABASE_URL: 'sqlite:b.db' } })).toBe('sqlite:b.db');
    expect(resolveDatabaseUrl({ env: {} })).toBe(DEFAULT_DATABASE_URL);
    expect(resolveDatabaseUrl({ db: '  ', env: { DATABASE_URL: '' } })).toBe(DEFAULT_DATABASE_URL);
  });
});

describe('parseDatabaseUrl', () => {
  it('parses a mysql URL with every part, percent-decoded', () => {
    expect(parseDatabaseUrl('mysql://app:p%40ss@db.local:3307/stampede')).toEqual({
      kind: 'mysql',
      host: 'db.local',
      port: 3307,
      user: 'app',
      password: 'p@ss',
      database: 'stampede',
      url: 'mysql://app:p%40ss@db.local:3307/stampede',
    });
  });

  it('defaults port 3306 and user root', () => {
    expect(parseDatabaseUrl('mysql://127.0.0.1/test')).toMatchObject({ port: 3306, user: 'root', password: '' });
  });

  it('resolves sqlite paths against the working directory', () => {
    expect(parseDatabaseUrl('sqlite:./data/x.sqlite', '/srv')).toMatchObject({
      kind: 'sqlite',
      path: '/srv/data/x.sqlite',
    });
    expect(parseDatabaseUrl('sqlite:///tmp/x.sqlite', '/srv')).toMatchObject({ path: '/tmp/x.sqlite' });
    expect(parseDatabaseUrl('sqlite::memory:')).toMatchObject({ path: ':memory:' });
  });

  it.each([
    ['postgres://h/db', /unknown scheme/],
    ['mysql://h', /no database name/],
    ['mysql://user:secret@h', /no database name/],
    ['sqlite:', /no SQLite file path/],
    ['nonsense', /unknown scheme/],
  ])('refuses %s with a ConfigError that says why', (url, why) => {
    let caught: unknown;
    try {
      parseDatabaseUrl(url);
    } catch (e) {
      caught = e;
    }
    expect(isConfigError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(why);
    expect((caught as Error).message).not.toContain('secret');
  });

  it('redacts passwords', () => {
    expect(redactDatabaseUrl('mysql://u:secret@h:1/db')).toBe('mysql://u:***@h:1/db');
    expect(redactDatabaseUrl('mysql://u@h/db')).toBe('mysql://u@h/db');
  });
});
