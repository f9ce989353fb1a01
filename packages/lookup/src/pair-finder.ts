import type { User } from '@stampede/schema';
import DataLoader from 'dataloader';
import type { LookupPair, LookupResult } from './lookup.js';
import { normalizeDepartment, normalizeUsername } from './matching.js';
import type { UserQuery } from './user-query.js';

/** How {@link createPairFinder} batches (see `LookupOptions`). */
export interface PairFinderOptions {
  maxBatchSize: number;
  batch: boolean;
  batchWindow: 'tick' | 'turn';
}

/** Answers (username, department) pairs through `query`: one at a time, coalesced, or many at once. */
export interface PairFinder {
  find(pair: LookupPair): Promise<LookupResult>;
  findMany(pairs: readonly LookupPair[]): Promise<LookupResult[]>;
}

function result(pair: LookupPair, user: User | null): LookupResult {
  return {
    username: String(pair?.username ?? ''),
    department: String(pair?.department ?? ''),
    found: user !== null,
    user,
  };
}

/**
 * `find` coalesces concurrent calls through a DataLoader without a cache (every call sees
 * current data); `findMany` batches on its own. Pairs that cannot match never reach `query`.
 */
export function createPairFinder(query: UserQuery, options: PairFinderOptions): PairFinder {
  const { maxBatchSize } = options;
  const loader = new DataLoader<string, User | null>(
    async (usernames) => {
      const users = await query([...new Set(usernames)]);
      const byName = new Map(users.map((u) => [u.username, u]));
      return usernames.map((u) => byName.get(u) ?? null);
    },
    {
      cache: false,
      maxBatchSize,
      batch: options.batch,
      ...(options.batchWindow === 'turn' && { batchScheduleFn: (callback: () => void) => setImmediate(callback) }),
    },
  );

  async function find(pair: LookupPair): Promise<LookupResult> {
    const username = normalizeUsername(pair?.username);
    const department = normalizeDepartment(pair?.department);
    if (username === undefined || department === undefined) return result(pair, null);
    const user = await loader.load(username);
    return result(pair, user && user.department === department ? user : null);
  }

  // A findMany is already a batch: it chunks its distinct usernames itself, without a
  // promise per pair, and sends the chunks concurrently (the store's pool bounds them).
  async function findMany(pairs: readonly LookupPair[]): Promise<LookupResult[]> {
    if (!options.batch) return Promise.all(pairs.map(find));
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
    const byName = await usersByName([...distinct], query, maxBatchSize);
    return pairs.map((pair, i) => {
      const username = usernames[i];
      const user = username === undefined ? undefined : byName.get(username);
      return result(pair, user !== undefined && user.department === departments[i] ? user : null);
    });
  }

  return { find, findMany };
}

/** The users named in `keys`, queried `maxBatchSize` at a time, all chunks at once. */
async function usersByName(
  keys: readonly string[],
  query: UserQuery,
  maxBatchSize: number,
): Promise<Map<string, User>> {
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
  return byName;
}
