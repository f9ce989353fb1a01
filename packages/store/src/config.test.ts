import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DATABASE_URL,
  parseDatabaseUrl,
  redactDatabaseUrl,
  resolveDatabaseUrl,
  spreadOverHosts,
} from './config.js';
import { type ConfigError, isConfigError } from './errors.js';

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

describe('passwords are masked whole', () => {
  it.each([
    ['mysql://root:p4ss@w0rd@host/x', 'mysql://root:***@host/x'],
    ['mysql://root:p4ss@w0rd@host:3307/x?ssl=1', 'mysql://root:***@host:3307/x?ssl=1'],
    ['mysql://u:a:b@h/db', 'mysql://u:***@h/db'],
    // Not a URL the standard reads (a / in the password, a host list): cut at the last @.
    ['mysql://u:se/cret@h/db', 'mysql://u:***@h/db'],
    ['mysql://u:s@cret@h1:3311,h2:3312/db', 'mysql://u:***@h1:3311,h2:3312/db'],
    ['mysql://h:3306/db', 'mysql://h:3306/db'],
    ['sqlite:./a@b:c.sqlite', 'sqlite:./a@b:c.sqlite'],
  ])('%s prints as %s', (url, shown) => {
    expect(redactDatabaseUrl(url)).toBe(shown);
  });

  it('in the URL a store shows and in every parse error', () => {
    expect(redactDatabaseUrl(parseDatabaseUrl('mysql://root:p4ss@w0rd@host/x').url)).not.toMatch(/p4ss|w0rd/);
    expect(parseDatabaseUrl('mysql://root:p4ss@w0rd@host/x')).toMatchObject({ password: 'p4ss@w0rd', host: 'host' });
    for (const bad of ['mysql://root:p4ss@w0rd@/x', 'mysql://root:p4ss@w0rd@host', 'mysql://root:p4ss@w0rd@host/%zz']) {
      const caught = catchError(() => parseDatabaseUrl(bad));
      expect(isConfigError(caught)).toBe(true);
      expect((caught as Error).message).not.toMatch(/p4ss|w0rd/);
    }
  });
});

describe('a malformed %-escape', () => {
  it.each([
    ['mysql://app:50%off@h/db', 'password'],
    ['mysql://a%2@h/db', 'user name'],
    ['mysql://app@h/db%zz', 'database name'],
  ])('in %s is a ConfigError (exit 2) naming the part and the fix, not "URI malformed"', (url, part) => {
    const caught = catchError(() => parseDatabaseUrl(url));
    expect(isConfigError(caught)).toBe(true);
    expect(caught).toMatchObject({ exitCode: 2, code: 'CONFIG_INVALID' });
    expect((caught as Error).message).toContain(`the ${part} has a malformed %-escape`);
    expect((caught as Error).message).toContain(redactDatabaseUrl(url));
    expect((caught as Error).message).not.toContain('50%off');
    expect((caught as ConfigError).hint).toMatch(/%25/);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('spreadOverHosts', () => {
  it('turns a cluster URL so that host k comes first, keeping everything else as written', () => {
    const url = 'mysql://app:p%40ss,w@n1:3311,n2:3312,n3:3313/db?x=1';
    expect(spreadOverHosts(url, 0)).toBe(url);
    expect(spreadOverHosts(url, 1)).toBe('mysql://app:p%40ss,w@n2:3312,n3:3313,n1:3311/db?x=1');
    expect(spreadOverHosts(url, 5)).toBe('mysql://app:p%40ss,w@n3:3313,n1:3311,n2:3312/db?x=1');
    expect(parseDatabaseUrl(spreadOverHosts(url, 2))).toMatchObject({ host: 'n3', port: 3313 });
  });

  it('leaves a single host and SQLite alone', () => {
    expect(spreadOverHosts('mysql://root@127.0.0.1:3306/test', 3)).toBe('mysql://root@127.0.0.1:3306/test');
    expect(spreadOverHosts('sqlite:./x.sqlite', 1)).toBe('sqlite:./x.sqlite');
  });
});
