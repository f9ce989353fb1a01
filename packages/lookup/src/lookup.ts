import type { Department, User } from '@stampede/schema';
import type { UserStore } from '@stampede/store';
import DataLoader from 'dataloader';
import { decodeCursor, encodeCursor } from './cursor.js';
import { LookupError } from './errors.js';
import { normalizeDepartment, normalizeUsername } from './matching.js';

/** One (username, department) question. */
export interface LookupPair {
  username: string;
  department: string;
}

/** The answer to one {@link LookupPair}: the pair as asked, and the user when found. */
export interface LookupResult {
  username: string;
  department: string;
  found: boolean;
  /** The stored user when found, else `null`. */
  user: User | null;
}

/** One page of a department's users. */
export interface DepartmentPage {
  /** The department as stored (the canonical spelling). */
  department: Department;
  users: User[];
  /** Pass as `cursor` for the next page; `null` on the last page. */
  nextCursor: string | null;
}

/** Options of {@link Lookup.listDepartment}. */
export interface ListDepartmentPageOptions {
  /**
   * Users per page, 1 to {@link MAX_PAGE_LIMIT}.
   * @default 100
   */
  limit?: number;
  /** The `nextCursor` of the previous page; omit for the first page. */
  cursor?: string;
}

/** What one query did, for metrics. */
export interface QueryEvent {
  /** Distinct usernames asked for in the query. */
  keys: number;
  /** Users returned. */
  rows: number;
  /** Milliseconds from issue to answer. */
  ms: number;
  /** Set when the query failed. */
  error?: unknown;
}

/** Options of {@link createLookup}. */
export interface LookupOptions {
  /**
   * Most usernames in one query; larger batches are split into several queries, which
   * run concurrently as far as the store's pool allows.
   * @default 500
   */
  maxBatchSize?: number;
  /**
   * Coalesce `find` and `findMany` calls made in the same tick into shared queries.
   * `false` sends one query per call (for comparison in benchmarks).
   * @default true
   */
  batch?: boolean;
  /**
   * How long calls gather before their batch is sent. `tick`: calls made in the same tick
   * (DataLoader's default). `turn`: calls made in the same event-loop turn — the right
   * window for a server, where each request arrives in its own I/O callback and `tick`
   * would give every request a query of its own; it costs one loop turn of latency.
   * @default 'tick'
   */
  batchWindow?: 'tick' | 'turn';
  /** Called after every query. */
  onQuery?: (event: QueryEvent) => void;
}

/** Largest page {@link Lookup.listDepartment} returns. */
export const MAX_PAGE_LIMIT = 1000;

/** Counters since the lookup was created. */
export interface LookupStats {
  /** Queries sent to the store. */
  queries: number;
  /** Usernames asked for across those queries. */
  keys: number;
}

/** Batched lookups over one store. */
export interface Lookup {
  readonly store: UserStore;
  /** Look one pair up; calls in the same tick share one query. */
  find(pair: LookupPair): Promise<LookupResult>;
  /**
   * Look many pairs up in as few queries as the batch size allows (distinct usernames,
   * `maxBatchSize` a query, sent concurrently); results in input order.
   */
  findMany(pairs: readonly LookupPair[]): Promise<LookupResult[]>;
  /**
   * One page of a department's users in id order (keyset pagination: stable under inserts).
   * @throws LookupError `UNKNOWN_DEPARTMENT`, `INVALID_LIMIT` or `INVALID_CURSOR`.
   */
  listDepartment(department: string, options?: ListDepartmentPageOptions): Promise<DepartmentPage>;
  stats(): LookupStats;
}

/**
 * Lookups by (username, department) over `store`.
 *
 * Usernames are unique, so a pair is answered by its username's row: found when that
 * row's department is the one asked for. Concurrent calls coalesce through a DataLoader
 * without a cache, so every call sees current data and a long-running service holds no
 * stale rows. Pairs that cannot match (see {@link normalizeUsername}) never reach the database.
 */
export function createLookup(store: UserStore, options: LookupOptions = {}): Lookup {
  const maxBatchSize = options.maxBatchSize ?? 500;
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) {
    throw new RangeError(`maxBatchSize must be a positive integer, got ${String(options.maxBatchSize)}`);
  }
  const stats: LookupStats = { queries: 0, keys: 0 };

  // One query for a set of distinct usernames: the only way lookups reach the store.
  async function query(usernames: readonly string[]): Promise<User[]> {
    const t0 = performance.now();
    stats.queries++;
    stats.keys += usernames.length;
    let users: User[];
    try {
      users = await store.findByUsernames(usernames);
    } catch (error) {
      options.onQuery?.({ keys: usernames.length, rows: 0, ms: performance.now() - t0, error });
      throw error;
    }
    options.onQuery?.({ keys: usernames.length, rows: users.length, ms: performance.now() - t0 });
    return users;
  }

  const loader = new DataLoader<string, User | null>(
    async (usernames) => {
      const users = await query([...new Set(usernames)]);
      const byName = new Map(users.map((u) => [u.username, u]));
      return usernames.map((u) => byName.get(u) ?? null);
    },
    {
      cache: false,
      maxBatchSize,
      batch: options.batch ?? true,
      ...(options.batchWindow === 'turn' && { batchScheduleFn: (callback: () => void) => setImmediate(callback) }),
    },
  );

  function result(pair: LookupPair, user: User | null): LookupResult {
    return {
      username: String(pair?.username ?? ''),
      department: String(pair?.department ?? ''),
      found: user !== null,
      user,
    };
  }

  async function answer(pair: LookupPair): Promise<LookupResult> {
    const username = normalizeUsername(pair?.username);
    const department = normalizeDepartment(pair?.department);
    if (username === undefined || department === undefined) return result(pair, null);
    const user = await loader.load(username);
    return result(pair, user && user.department === department ? user : null);
  }

  // A findMany is already a batch: it chunks its distinct usernames itself, without a
  // promise per pair, and sends the chunks concurrently (the store's pool bounds them).
  async function findMany(pairs: readonly LookupPair[]): Promise<LookupResult[]> {
    if (options.batch === false) return Promise.all(pairs.map(answer));
    const usernames: (string | undefined)[] = new Array(pairs.length);
    const departments: (string | undefined)[] = new Array(pairs.length);
    const distinct = new Set<string>();
    for (let i = 0; i < pairs.length; i++) {
      const username = normalizeUsername(pairs[i]?.username);
      const department = normalizeDepartment(pairs[i]?.department);
      if (username === undefined || department === undefined) continue;
      usernames[i] = username;
      departments[i] = department;
      distinct.add(username);
    }
    const keys = [...distinct];
    const byName = new Map<string, User>();
    const chunks: Promise<void>[] = [];
    for (let start = 0; start < keys.length; start += maxBatchSize) {
      chunks.push(
        query(keys.slice(start, start + maxBatchSize)).then((users) => {
          for (const u of users) byName.set(u.username, u);
        }),
      );
    }
    await Promise.all(chunks);
    return pairs.map((pair, i) => {
      const username = usernames[i];
      const user = username === undefined ? undefined : byName.get(username);
      return result(pair, user !== undefined && user.department === departments[i] ? user : null);
    });
  }

  return {
    store,
    find: answer,
    findMany,
    async listDepartment(departmentName, page = {}) {
      const department = normalizeDepartment(departmentName);
      if (department === undefined) {
        throw new LookupError(
          'UNKNOWN_DEPARTMENT',
          'department',
          `unknown department ${JSON.stringify(String(departmentName).slice(0, 64))}`,
        );
      }
      const limit = page.limit ?? 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
        throw new LookupError('INVALID_LIMIT', 'limit', `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
      }
      const afterId = page.cursor === undefined ? 0 : decodeCursor(page.cursor);
      // One row more than asked says whether a next page exists, sparing a last empty page.
      const users = await store.listDepartment(department, { limit: limit + 1, afterId });
      const more = users.length > limit;
      if (more) users.length = limit;
      const last = users.at(-1);
      return { department, users, nextCursor: more && last ? encodeCursor(last.id) : null };
    },
    stats: () => ({ ...stats }),
  };
}
