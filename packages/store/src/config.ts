import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from './errors.js';

/** The embedded default store. */
export const DEFAULT_DATABASE_URL = 'sqlite:./data/stampede.sqlite';

/** One server of a (multi-host) MySQL URL. */
export interface MysqlHost {
  host: string;
  port: number;
}

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
      /** The host (for a multi-host URL, the first one). */
      host: string;
      /** The port (for a multi-host URL, the first host's). */
      port: number;
      /**
       * Every host of a multi-host URL (`mysql://u:p@h1:3311,h2:3312/db`, a cluster), in the
       * URL's order; absent for a single host.
       */
      hosts?: readonly MysqlHost[];
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
const CLUSTER_HINT =
  "list the cluster's nodes as host:port separated by commas: mysql://user:pass@h1:3306,h2:3306,h3:3306/db";

/**
 * Parse `mysql://user:pass@host:port/db`, a cluster's `mysql://user:pass@h1:p1,h2:p2,h3:p3/db`
 * (the form other MySQL and PostgreSQL clients accept), or `sqlite:path` (also `sqlite://path`,
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
  const multi = splitMultiHost(trimmed);
  if (multi) return parseMultiHost(trimmed, multi);
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

/**
 * The same store with its host list turned so that host `k` (mod the count) comes first: writes go
 * to the first live host, so N loader processes given k = 0..N-1 start on N different nodes of a
 * cluster and still fail over to the others. A single-host or SQLite URL comes back unchanged.
 */
export function spreadOverHosts(url: string, k: number): string {
  const parts = splitMultiHost(url.trim());
  if (!parts) return url;
  const hosts = parts.hosts.split(',');
  const turn = ((k % hosts.length) + hosts.length) % hosts.length;
  const turned = [...hosts.slice(turn), ...hosts.slice(0, turn)].join(',');
  return `${parts.scheme}${parts.userinfo === undefined ? '' : `${parts.userinfo}@`}${turned}${parts.tail}`;
}

/** The parts of a URL whose authority lists several hosts, as written (still percent-encoded). */
interface MultiHostParts {
  scheme: string;
  /** `user:pass`, or undefined when the URL has no `@`. */
  userinfo: string | undefined;
  /** `h1:p1,h2:p2,...` */
  hosts: string;
  /** `/db?query#fragment` (possibly empty). */
  tail: string;
}

/**
 * Split `scheme://userinfo@h1:p1,h2:p2/db` by hand: the URL standard cannot read a host list.
 * As the standard does, the authority ends at the first `/`, `?` or `#`, and the user information
 * at the authority's LAST `@`, so a password may hold `@`, `,` and `:` unescaped (a `/`, `?` or
 * `#` must be percent-encoded). Undefined when the hosts hold no `,` (a single host).
 */
function splitMultiHost(url: string): MultiHostParts | undefined {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(url);
  if (!m) return undefined;
  const rest = m[2] as string;
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  const hosts = authority.slice(at + 1);
  if (!hosts.includes(',')) return undefined;
  return {
    scheme: m[1] as string,
    userinfo: at < 0 ? undefined : authority.slice(0, at),
    hosts,
    tail: end < 0 ? '' : rest.slice(end),
  };
}

const HOST_PORT = /^(\[[0-9a-f:.]+\]|[^\s[\]:]+)(?::(\d+))?$/i;

/** `mysql://user:pass@h1:p1,h2:p2/db`: each host checked, the first one also as `host`/`port`. */
function parseMultiHost(url: string, parts: MultiHostParts): DatabaseConfig {
  const shown = redactDatabaseUrl(url);
  const hosts = parts.hosts.split(',').map((text): MysqlHost => {
    const m = HOST_PORT.exec(text);
    const port = m?.[2] === undefined ? 3306 : Number(m[2]);
    if (!m || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConfigError(
        `Invalid database URL "${shown}": "${text}" is not a host or host:port in the host list`,
        CLUSTER_HINT,
      );
    }
    return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
  });
  const colon = parts.userinfo?.indexOf(':') ?? -1;
  const user = colon < 0 ? (parts.userinfo ?? '') : (parts.userinfo as string).slice(0, colon);
  const password = colon < 0 ? '' : (parts.userinfo as string).slice(colon + 1);
  const path = parts.tail.replace(/[?#].*$/s, '');
  const database = decodePart(path.replace(/^\//, ''), 'database name', shown);
  if (!database || database.includes('/')) {
    throw new ConfigError(`Invalid database URL "${shown}": no database name after the hosts`, CLUSTER_HINT);
  }
  const first = hosts[0] as MysqlHost;
  return {
    kind: 'mysql',
    host: first.host,
    port: first.port,
    hosts,
    user: decodePart(user, 'user name', shown) || 'root',
    password: decodePart(password, 'password', shown),
    database,
    url,
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
 * ends at the authority's LAST `@` (as the URL standard reads it, and a multi-host URL alike), so
 * a password holding an unescaped `@`, `,` or `:` is hidden entirely; a URL the standard cannot
 * read otherwise (a `/` in the password) is cut at the last `@` of all, hiding too much rather
 * than too little.
 */
export function redactDatabaseUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(url);
  if (!m || /^sqlite:/i.test(url)) return url;
  const scheme = m[1] as string;
  const rest = m[2] as string;
  const multi = splitMultiHost(url);
  if (multi) {
    const colon = multi.userinfo?.indexOf(':') ?? -1;
    if (colon < 0) return url;
    return `${scheme}${(multi.userinfo as string).slice(0, colon)}:***@${multi.hosts}${multi.tail}`;
  }
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
