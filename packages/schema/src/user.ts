/**
 * The departments a user can belong to. A fixed list so that lookups, loaders
 * and the database CHECK constraint all agree on the same values.
 */
export const DEPARTMENTS = [
  'Engineering',
  'Sales',
  'Marketing',
  'Finance',
  'Human Resources',
  'Operations',
  'Legal',
  'Customer Support',
  'Product',
  'Research',
] as const;

/** One of {@link DEPARTMENTS}. */
export type Department = (typeof DEPARTMENTS)[number];

/**
 * A user record as Stampede generates, loads and looks it up.
 *
 * ASCII-only fields: `username`, `email`, `department`, `birthDate`, `createdAt`.
 * Any Unicode (4-byte UTF-8 included): `firstName`, `lastName`, `jobTitle`, `city`, `country`.
 */
export interface User {
  /** Primary key: a positive safe integer. */
  id: number;
  /** Unique; 3–64 characters of `a-z`, `0-9`, `.`, `_`, `-`. */
  username: string;
  /** Unique (case-insensitively); ASCII `local@domain`, at most 254 characters. */
  email: string;
  /** 1–100 Unicode characters. */
  firstName: string;
  /** 1–100 Unicode characters. */
  lastName: string;
  /** One of {@link DEPARTMENTS}. */
  department: Department;
  /** 1–100 Unicode characters. */
  jobTitle: string;
  /** Calendar date `YYYY-MM-DD`. */
  birthDate: string;
  /** 1–100 Unicode characters. */
  city: string;
  /** 1–100 Unicode characters. */
  country: string;
  /** UTC timestamp `YYYY-MM-DDTHH:MM:SS[.sss]Z`. */
  createdAt: string;
}

/** The record's fields, in column order. */
export const USER_FIELDS = [
  'id',
  'username',
  'email',
  'firstName',
  'lastName',
  'department',
  'jobTitle',
  'birthDate',
  'city',
  'country',
  'createdAt',
] as const satisfies readonly (keyof User)[];

/** A field name of {@link User}. */
export type UserField = (typeof USER_FIELDS)[number];

/** Length limits, in characters (Unicode code points, as MySQL's VARCHAR and SQLite's length() count). */
export const LIMITS = {
  usernameMin: 3,
  usernameMax: 64,
  emailMax: 254,
  emailLocalMax: 64,
  textMax: 100,
  departmentMax: 32,
} as const;
