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

/** Length limits, in characters (Unicode code points, as MySQL's VARCHAR and SQLite's length() count). */
export const LIMITS = {
  usernameMin: 3,
  usernameMax: 64,
  emailMax: 254,
  emailLocalMax: 64,
  textMax: 100,
  departmentMax: 32,
} as const;

/**
 * What a field holds. The kind decides the field's TypeScript type, its validation, its SQL
 * types on both engines, its row conversion and its JSON schema; the field's own entry adds
 * only its name, column and limits.
 *
 * - `id`: a positive safe integer, the primary key; `min`/`max` are values.
 * - `identifier`: ASCII `a-z`, `0-9`, `.`, `_`, `-`, matched byte for byte.
 * - `email`: ASCII `local@domain.tld`, unique case-insensitively.
 * - `text`: any Unicode (4-byte UTF-8 included), no control characters, not blank.
 * - `department`: one of {@link DEPARTMENTS}, exactly.
 * - `date`: a calendar date `YYYY-MM-DD`, years 1000–9999.
 * - `timestamp`: UTC `YYYY-MM-DDTHH:MM:SS[.sss]Z`; MySQL stores it in DATETIME(3) without the `Z`.
 */
export type FieldKind = 'id' | 'identifier' | 'email' | 'text' | 'department' | 'date' | 'timestamp';

/** One field of the record, as the column table defines it. */
export interface FieldSpec {
  /** The record's field name (camelCase). */
  readonly field: string;
  /** The column name (snake_case). */
  readonly column: string;
  readonly kind: FieldKind;
  /** Fewest characters (Unicode code points); for `id`, the smallest value. */
  readonly min: number;
  /** Most characters (Unicode code points); for `id`, the largest value. */
  readonly max: number;
  /** Unique across the table (a UNIQUE key; `email`'s compares case-insensitively). */
  readonly unique: boolean;
  /** One line for people: type docs, the README, JSON schema and OpenAPI descriptions. */
  readonly description: string;
}

/**
 * The record, defined once: its fields in column order. The {@link User} type, the validator,
 * the DDL, the row mapping, the CSV header and the loader's columns all come from this table;
 * adding a field is one entry here plus its generator in `@stampede/datagen`.
 */
export const USER_FIELD_SPECS = [
  {
    field: 'id',
    column: 'id',
    kind: 'id',
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    unique: true,
    description: 'Primary key: a positive safe integer.',
  },
  {
    field: 'username',
    column: 'username',
    kind: 'identifier',
    min: LIMITS.usernameMin,
    max: LIMITS.usernameMax,
    unique: true,
    description: `Unique; ${LIMITS.usernameMin}–${LIMITS.usernameMax} characters of a-z, 0-9, '.', '_', '-'.`,
  },
  {
    field: 'email',
    column: 'email',
    kind: 'email',
    min: 5,
    max: LIMITS.emailMax,
    unique: true,
    description: `Unique (case-insensitively); ASCII local@domain.tld, at most ${LIMITS.emailMax} characters.`,
  },
  text('firstName', 'first_name'),
  text('lastName', 'last_name'),
  {
    field: 'department',
    column: 'department',
    kind: 'department',
    min: 1,
    max: LIMITS.departmentMax,
    unique: false,
    description: 'One of the fixed departments, exact case.',
  },
  text('jobTitle', 'job_title'),
  {
    field: 'birthDate',
    column: 'birth_date',
    kind: 'date',
    min: 10,
    max: 10,
    unique: false,
    description: 'Calendar date YYYY-MM-DD.',
  },
  text('city', 'city'),
  text('country', 'country'),
  {
    field: 'createdAt',
    column: 'created_at',
    kind: 'timestamp',
    min: 20,
    max: 24,
    unique: false,
    description: 'UTC timestamp YYYY-MM-DDTHH:MM:SS[.sss]Z.',
  },
] as const satisfies readonly FieldSpec[];

function text<const F extends string>(field: F, column: string) {
  return {
    field,
    column,
    kind: 'text',
    min: 1,
    max: LIMITS.textMax,
    unique: false,
    description: `1–${LIMITS.textMax} Unicode characters.`,
  } as const;
}

/**
 * The pattern (a regular expression's source, valid in JSON schema) every `email` value matches.
 * Deliberately simpler than RFC 5322: an ASCII local part, a dotted domain with a TLD.
 */
export const EMAIL_PATTERN =
  `^[A-Za-z0-9!#$%&'*+/=?^_\`{|}~.-]{1,${LIMITS.emailLocalMax}}@` +
  '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$';

/** The pattern a field's values match in full, for the kinds that have one (`identifier`, `email`). */
export function patternOf(spec: FieldSpec): string | undefined {
  if (spec.kind === 'identifier') return `^[a-z0-9._-]{${spec.min},${spec.max}}$`;
  if (spec.kind === 'email') return EMAIL_PATTERN;
  return undefined;
}

/** The TypeScript type each kind's values have in a {@link User}. */
interface KindTypes {
  id: number;
  identifier: string;
  email: string;
  text: string;
  department: Department;
  date: string;
  timestamp: string;
}

type Spec = (typeof USER_FIELD_SPECS)[number];

/**
 * A user record as Stampede generates, loads and looks it up: one property per entry of the
 * column table ({@link USER_COLUMNS}), typed by its kind. See each entry's `description`.
 *
 * ASCII-only fields: `username`, `email`, `department`, `birthDate`, `createdAt`.
 * Any Unicode (4-byte UTF-8 included): `firstName`, `lastName`, `jobTitle`, `city`, `country`.
 */
export type User = { -readonly [S in Spec as S['field']]: KindTypes[S['kind']] };

/** A field name of {@link User}. */
export type UserField = Spec['field'];

/** The record's fields, in column order. */
export const USER_FIELDS: readonly UserField[] = USER_FIELD_SPECS.map((s) => s.field);
