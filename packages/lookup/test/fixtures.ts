import { DEPARTMENTS, type User } from '@stampede/schema';
import type { UserStore } from '@stampede/store';

/** A valid user with id `id`, department cycling through the list unless given. */
export function makeUser(id: number, over: Partial<User> = {}): User {
  return {
    id,
    username: `user.${id}`,
    email: `user.${id}@example.com`,
    firstName: 'Zoë',
    lastName: '𠮷野',
    department: DEPARTMENTS[id % DEPARTMENTS.length]!,
    jobTitle: 'Engineer',
    birthDate: '1990-02-03',
    city: 'Kraków',
    country: 'Polska',
    createdAt: '2024-05-06T07:08:09.123Z',
    ...over,
  };
}

/** An in-memory store that records every findByUsernames call (only the read methods work). */
export function fakeStore(users: readonly User[]): UserStore & { calls: string[][] } {
  const byName = new Map(users.map((u) => [u.username, u]));
  const calls: string[][] = [];
  const unsupported = async (): Promise<never> => {
    throw new Error('not in the fake store');
  };
  return {
    dialect: 'sqlite',
    table: 'users',
    displayUrl: 'fake:',
    calls,
    async findByUsernames(names) {
      calls.push([...names]);
      return [...new Set(names)].flatMap((n) => (byName.has(n) ? [byName.get(n)!] : []));
    },
    async listDepartment(department, { limit = 100, afterId = 0 } = {}) {
      return users
        .filter((u) => u.department === department && u.id > afterId)
        .sort((a, b) => a.id - b.id)
        .slice(0, limit);
    },
    findByIds: unsupported,
    ensureSchema: unsupported,
    addSecondaryIndexes: unsupported,
    hasSecondaryIndexes: unsupported,
    dropTable: unsupported,
    count: async () => users.length,
    upsert: unsupported,
    readProgress: unsupported,
    resetProgress: unsupported,
    capabilities: async () => ({ loadData: false }),
    maxStatementBytes: async () => Number.POSITIVE_INFINITY,
    close: async () => {},
  };
}
