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
  } catch (error) {
    throw new ConfigError(`Invalid database URL "${redactDatabaseUrl(url)}": not a URL`, HINT, { cause: error });
  }
  const shown = redactDatabaseUrl(url);
  const database = decodePart(u.pathname.replace(/^\//, ''), 'database name', shown);
  if (!u.hostname) throw new ConfigError(`Invalid database URL "${shown}": no host`, HINT);
  if (!database || database.includes('/')) {
    throw new ConfigError(`Invalid database URL "${shown}": no database name after the host`, HINT);
  }
  const port = u.port ? Number(u.port) : 3306;
  return {
    kind: 'mysql',
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    user: decodePart(u.username, 'user name', shown) || 'root',
    password: decodePart(u.password, 'password', shown),
    database,
    url: trimmed,
  };
}

/** A percent-encoded part of a URL, decoded; a malformed escape is the user's to fix (exit 2), not a crash. */
function decodePart(text: string, part: string, shown: string): string {
  try {
    return decodeURIComponent(text);
  } catch (error) {
    throw new ConfigError(
      `Invalid database URL "${shown}": the ${part} has a malformed %-escape (% must be followed by two hex digits)`,
      'write a literal % as %25 (and @ as %40, : as %3A, / as %2F) in the user name, password and database name',
      { cause: error },
    );
  }
}

/**
 * The URL with any password replaced by `***`, whole, safe to print. The user information
 * ends at the authority's LAST `@` (as the URL standard reads it), so a password holding an
 * unescaped `@` is hidden entirely; a URL the standard cannot read (a `/` in the password, a
 * multi-host list) is cut at the last `@` of all, hiding too much rather than too little.
 */
export function redactDatabaseUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(url);
  if (!m || /^sqlite:/i.test(url)) return url;
  const scheme = m[1] as string;
  const rest = m[2] as string;
  let at: number;
  if (URL.canParse(url)) {
    const end = rest.search(/[/?#]/);
    at = rest.lastIndexOf('@', end < 0 ? rest.length : end - 1);
    if (end === 0) at = -1;
  } else {
    at = rest.lastIndexOf('@');
  }
  const colon = rest.indexOf(':');
  if (at < 0 || colon < 0 || colon > at) return url;
  return `${scheme}${rest.slice(0, colon)}:***@${rest.slice(at + 1)}`;
}
