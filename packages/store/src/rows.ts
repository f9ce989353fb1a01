import {
  assertIdentifier,
  DEPARTMENTS,
  type Dialect,
  mysqlDatetimeToIso,
  USER_COLUMNS,
  type User,
} from '@stampede/schema';

/** `SELECT` list mapping snake_case columns back to the record's field names. */
export function selectList(dialect: Dialect): string {
  const q = dialect === 'mysql' ? '`' : '"';
  return USER_COLUMNS.map((c) =>
    c.column === c.field ? `${q}${c.column}${q}` : `${q}${c.column}${q} AS ${q}${c.field}${q}`,
  ).join(', ');
}

/** A row as either driver returns it (MySQL with dateStrings), keyed by field as {@link selectList} names them → a {@link User}. */
export function rowToUser(row: Record<string, unknown>, dialect: Dialect): User {
  const user: Record<string, unknown> = {};
  for (const c of USER_COLUMNS) {
    const value = row[c.field];
    // BIGINT may come back as a string; DATETIME(3) as `YYYY-MM-DD HH:MM:SS.sss`, always UTC here.
    if (c.kind === 'id') user[c.field] = Number(value);
    else if (c.kind === 'timestamp' && dialect === 'mysql') user[c.field] = mysqlDatetimeToIso(String(value));
    else user[c.field] = String(value);
  }
  return user as User;
}

// Usernames are ASCII by definition; a non-ASCII string can match none, and an ASCII
// column on MySQL would coerce it lossily ('?'), so such strings are never sent.
const ASCII_RE = /^[\x20-\x7e]*$/;

/** The usernames worth asking the database about: ASCII, de-duplicated. */
export function queryableUsernames(usernames: readonly string[]): string[] {
  return [...new Set(usernames.filter((u) => typeof u === 'string' && ASCII_RE.test(u)))];
}

/** Whether `department` is one of the fixed list (others cannot be stored, so need no query). */
export function isKnownDepartment(department: string): boolean {
  return (DEPARTMENTS as readonly string[]).includes(department);
}

/** Page size within bounds. */
export function pageLimit(limit: number | undefined): number {
  const n = limit ?? 100;
  if (!Number.isInteger(n) || n < 1 || n > 10_000) {
    throw new RangeError(`limit must be an integer from 1 to 10000, got ${String(limit)}`);
  }
  return n;
}

export { assertIdentifier };
