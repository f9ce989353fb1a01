import type { User } from '@stampede/schema';

/** A valid user with id `id`, username `user.<id>`, non-ASCII and 4-byte UTF-8 names; `over` replaces fields. */
export function user(id: number, over: Partial<User> = {}): User {
  return {
    id,
    username: `user.${id}`,
    email: `user.${id}@example.com`,
    firstName: 'Zoë',
    lastName: '𠮷野',
    department: 'Engineering',
    jobTitle: 'Engineer',
    birthDate: '1990-02-03',
    city: 'Kraków',
    country: 'Polska',
    createdAt: '2024-05-06T07:08:09.123Z',
    ...over,
  };
}
