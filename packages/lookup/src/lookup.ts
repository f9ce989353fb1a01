import type { Department, User } from '@stampede/schema';
import type { UserStore } from '@stampede/store';
import { listDepartmentPage, MAX_PAGE_LIMIT } from './department-page.js';
import { createPairFinder } from './pair-finder.js';
import { countedQuery } from './user-query.js';

export { MAX_PAGE_LIMIT };

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
  const query = countedQuery(store, stats, options.onQuery);
  const { find, findMany } = createPairFinder(query, {
    maxBatchSize,
    batch: options.batch ?? true,
    batchWindow: options.batchWindow ?? 'tick',
  });
  return {
    store,
    find,
    findMany,
    listDepartment: (department, page) => listDepartmentPage(store, department, page),
    stats: () => ({ ...stats }),
  };
}
