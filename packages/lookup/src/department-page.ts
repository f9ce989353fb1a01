import type { UserStore } from '@stampede/store';
import { decodeCursor, encodeCursor } from './cursor.js';
import { LookupError } from './errors.js';
import type { DepartmentPage, ListDepartmentPageOptions } from './lookup.js';
import { normalizeDepartment } from './matching.js';
import { readWithRetry } from './read-retry.js';

/** Largest page {@link Lookup.listDepartment} returns. */
export const MAX_PAGE_LIMIT = 1000;

/**
 * One page of a department's users in id order, by keyset (`id > cursor`), so pages neither
 * skip nor repeat rows while users are added.
 * @throws LookupError `UNKNOWN_DEPARTMENT`, `INVALID_LIMIT` or `INVALID_CURSOR`.
 */
export async function listDepartmentPage(
  store: UserStore,
  departmentName: string,
  page: ListDepartmentPageOptions = {},
): Promise<DepartmentPage> {
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
  const users = await readWithRetry(() => store.listDepartment(department, { limit: limit + 1, afterId }));
  const more = users.length > limit;
  if (more) users.length = limit;
  const last = users.at(-1);
  return { department, users, nextCursor: more && last ? encodeCursor(last.id) : null };
}
