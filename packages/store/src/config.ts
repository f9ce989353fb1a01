import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from './errors.js';

/** The embedded default store. */
export const DEFAULT_DATABASE_URL = 'sqlite:./data/stampede.sqlite';

/** A parsed database URL. */
export type DatabaseConfig =
  | {
      kind: 'sqlite';
      /** Absolute path of the SQLite file. */
      path: string;
      url: string;
    }
  | {
      kind: 'mysql';
      host: string;
      port: number;
      user: string;
      password: string;
      database: string;
      url: string;
    };

/** Options of {@link resolveDatabaseUrl}. */
export interface ResolveDatabaseOptions {
  /** The `--db` option, which wins over the environment. */
  db?: string | undefined;
  /**
   * Where to read `DATABASE_URL`.
   * @default process.env
   */
  env?: NodeJS.ProcessEnv;
}

/** The store URL every command uses: `--db`, else `DATABASE_URL`, else {@link DEFAULT_DATABASE_URL}. */
export function resolveDatabaseUrl(options: ResolveDatabaseOptions = {}): string {
  const env = options.env ?? process.env;
  return options.db?.trim() || env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL;
}

const HINT = 'use mysql://user:pass@host:port/database or sqlite:path/to/file.sqlite';

/**
 * Parse `mysql://user:pass@host:port/db` or `sqlite:path` (also `sqlite://path`,
 * `sqlite::memory:`). Relative SQLite paths resolve against `cwd`.
 * @throws ConfigError naming the URL and what is wrong.
 */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DatabaseConfig {
  const trimmed = url.trim();
  if (trimmed.startsWith('sqlite:')) {
    let path = trimmed.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (!path) throw new ConfigError(`Invalid database URL "${url}": no SQLite file path`, HINT);
    if (path === ':memory:') return { kind: 'sqlite', path, url: trimmed };
    return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(cwd, path), url: trimmed };
  }
  if (!/^(mysql|mariadb):\/\//i.test(trimmed)) {
    throw new ConfigError(`Invalid database URL "${redactDatabaseUrl(url)}": unknown scheme`, HINT);
  }
  let u: URL;
  try {
    u = new URL(trimmed);
  } catch {
    throw new ConfigError(`Invalid database URL "${redactDatabaseUrl(url)}": not a URL`, HINT);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!u.hostname) throw new ConfigError(`Invalid database URL "${redactDatabaseUrl(url)}": no host`, HINT);
  if (!database || database.includes('/')) {
    throw new ConfigError(`Invalid database URL "${redactDatabaseUrl(url)}": no database name after the host`, HINT);
  }
  const port = u.port ? Number(u.port) : 3306;
  return {
    kind: 'mysql',
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    user: decodeURIComponent(u.username) || 'root',
    password: decodeURIComponent(u.password),
    database,
    url: trimmed,
  };
}

/** The URL with any password replaced by `***`, safe to print. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}
