import type { User } from '@stampede/schema';
import type { UserStore } from '@stampede/store';
import type { LookupStats, QueryEvent } from './lookup.js';
import { readWithRetry } from './read-retry.js';

/** One query for a set of distinct usernames. */
export type UserQuery = (usernames: readonly string[]) => Promise<User[]>;

/**
 * The only way lookups reach the store: each query counted in `stats` (as it is sent) and
 * reported to `onQuery` (once it is answered or has failed).
 */
export function countedQuery(
  store: UserStore,
  stats: LookupStats,
  onQuery: ((event: QueryEvent) => void) | undefined,
): UserQuery {
  return async (usernames) => {
    const t0 = performance.now();
    stats.queries++;
    stats.keys += usernames.length;
    let users: User[];
    try {
      users = await readWithRetry(() => store.findByUsernames(usernames));
    } catch (error) {
      onQuery?.({ keys: usernames.length, rows: 0, ms: performance.now() - t0, error });
      throw error;
    }
    onQuery?.({ keys: usernames.length, rows: users.length, ms: performance.now() - t0 });
    return users;
  };
}
