import { type ColumnSpec, USER_COLUMNS } from './ddl.js';
import { SchemaMismatchError } from './errors.js';
import { DEPARTMENTS, type Department, type FieldKind, USER_FIELDS, type User, type UserField } from './user.js';

/** One problem found in a record. */
export interface ValidationIssue {
  /** The field at fault, or `(record)` when the value is not an object at all. */
  field: UserField | '(record)' | (string & {});
  /** Why, in a few words a user can act on. */
  message: string;
}

/** The outcome of {@link validateUser}. */
export type ValidationResult = { ok: true; user: User } | { ok: false; issues: ValidationIssue[] };

/** Options of {@link validateUser}. */
export interface ValidateOptions {
  /**
   * Accept fields that are not part of {@link User} (they are dropped from the result).
   * @default false
   */
  allowUnknownFields?: boolean;
}

const ID_STRING_RE = /^[1-9]\d{0,15}$/;
// Control characters are refused in free text: they break CSV, terminals and reports.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
// One pass finds both control characters and surrogates; only a hit needs a closer look.
const SUSPECT_RE = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/;
const FIELD_SET: ReadonlySet<string> = new Set(USER_FIELDS);
const DEPARTMENT_SET: ReadonlySet<string> = new Set(DEPARTMENTS);

/** Whether `value` is one of {@link DEPARTMENTS}, exactly. */
export function isDepartment(value: unknown): value is Department {
  return typeof value === 'string' && DEPARTMENT_SET.has(value);
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Digits of `s` from `at` to `at + len` as a number, or -1 if any is not a digit. */
function digits(s: string, at: number, len: number): number {
  let n = 0;
  for (let i = at; i < at + len; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

// Char-code parsing rather than a capturing regex: dates are on every row and this is 4x faster.
/** Whether `s` starts with a real calendar date `YYYY-MM-DD` in MySQL's range (years 1000–9999). */
function isDatePrefix(s: string): boolean {
  if (s.length < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  return year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** `YYYY-MM-DD`. */
function isIsoDate(value: unknown): boolean {
  return typeof value === 'string' && value.length === 10 && isDatePrefix(value);
}

/** `YYYY-MM-DDTHH:MM:SS[.s{1,3}]Z`, UTC only. */
function isIsoTimestamp(value: unknown): boolean {
  if (typeof value !== 'string' || value.length < 20 || value.length > 24 || !isDatePrefix(value)) return false;
  if (value.charCodeAt(10) !== 84 || value.charCodeAt(13) !== 58 || value.charCodeAt(16) !== 58) return false;
  const h = digits(value, 11, 2);
  const m = digits(value, 14, 2);
  const sec = digits(value, 17, 2);
  if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59) return false;
  const end = value.length - 1;
  if (value.charCodeAt(end) !== 90) return false;
  if (end === 19) return true;
  // A fraction of 1–3 digits after the dot.
  return value.charCodeAt(19) === 46 && end > 20 && digits(value, 20, end - 20) >= 0;
}

/** Code points in `s`: UTF-16 length minus the low halves of surrogate pairs. */
function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) n--;
  }
  return n;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function describe(value: unknown): string {
  const s = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** What a field's check needs of its column, looked up once: name, limits, compiled pattern. */
interface Rule {
  field: UserField;
  min: number;
  max: number;
  re: RegExp;
}

/** The rule of `field`, which the column table must give the kind `kind`. */
function rule(field: UserField, kind: FieldKind): Rule {
  const spec = USER_COLUMNS.find((c) => c.field === field);
  if (spec?.kind !== kind) {
    throw new SchemaMismatchError('validateUser', `it checks ${field} as ${kind}, the table says ${spec?.kind}`);
  }
  return { field, min: spec.min, max: spec.max, re: new RegExp(spec.pattern ?? '') };
}

function missingOr(value: unknown, message: string): string {
  return value === undefined ? 'is missing' : message;
}

// One check per kind, sized by the column's rule. Each pushes an issue per problem and returns
// the value the user record gets (the same value, but for an id given as a string).

function checkId(value: unknown, rule: Rule, issues: ValidationIssue[]): number {
  const id = typeof value === 'string' && ID_STRING_RE.test(value) ? Number(value) : value;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < rule.min || id > rule.max) {
    issues.push({ field: rule.field, message: missingOr(id, `must be a positive integer, got ${describe(id)}`) });
  }
  return id as number;
}

function checkIdentifier(value: unknown, rule: Rule, issues: ValidationIssue[]): string {
  if (typeof value !== 'string') {
    issues.push({ field: rule.field, message: missingOr(value, `must be a string, got ${typeName(value)}`) });
  } else if (!rule.re.test(value)) {
    issues.push({
      field: rule.field,
      message:
        value.length < rule.min || value.length > rule.max
          ? `must be ${rule.min}-${rule.max} characters, got ${value.length}`
          : `may contain only a-z, 0-9, '.', '_' and '-', got ${describe(value)}`,
    });
  }
  return value as string;
}

function checkEmail(value: unknown, rule: Rule, issues: ValidationIssue[]): string {
  if (typeof value !== 'string') {
    issues.push({ field: rule.field, message: missingOr(value, `must be a string, got ${typeName(value)}`) });
  } else if (value.length > rule.max) {
    issues.push({ field: rule.field, message: `must be at most ${rule.max} characters, got ${value.length}` });
  } else if (!rule.re.test(value)) {
    issues.push({
      field: rule.field,
      message: `must be an ASCII address like name@example.com, got ${describe(value)}`,
    });
  }
  return value as string;
}

function checkText(value: unknown, rule: Rule, issues: ValidationIssue[]): string {
  const field = rule.field;
  if (typeof value !== 'string') {
    issues.push({ field, message: missingOr(value, `must be a string, got ${typeName(value)}`) });
    return value as string;
  }
  // Fast path: plain short strings need only the emptiness and control checks.
  if (value.length === 0 || value.trim().length === 0) {
    issues.push({ field, message: 'must not be empty' });
    return value;
  }
  if (value.length < rule.min && codePointLength(value) < rule.min) {
    issues.push({ field, message: `must be at least ${rule.min} characters, got ${codePointLength(value)}` });
  }
  if (value.length > rule.max && codePointLength(value) > rule.max) {
    issues.push({ field, message: `must be at most ${rule.max} characters, got ${codePointLength(value)}` });
  }
  if (!SUSPECT_RE.test(value)) return value;
  if (CONTROL_RE.test(value)) issues.push({ field, message: 'must not contain control characters' });
  // A lone surrogate cannot be encoded as UTF-8: the database would refuse it.
  if (!value.isWellFormed()) issues.push({ field, message: 'contains an unpaired UTF-16 surrogate (invalid Unicode)' });
  return value;
}

function checkDepartment(value: unknown, rule: Rule, issues: ValidationIssue[]): Department {
  if (!isDepartment(value)) {
    issues.push({
      field: rule.field,
      message: missingOr(value, `must be one of ${DEPARTMENTS.join(', ')}; got ${describe(value)}`),
    });
  }
  return value as Department;
}

function checkDate(value: unknown, rule: Rule, issues: ValidationIssue[]): string {
  if (!isIsoDate(value)) {
    issues.push({
      field: rule.field,
      message: missingOr(value, `must be a calendar date YYYY-MM-DD, got ${describe(value)}`),
    });
  }
  return value as string;
}

function checkTimestamp(value: unknown, rule: Rule, issues: ValidationIssue[]): string {
  if (!isIsoTimestamp(value)) {
    issues.push({
      field: rule.field,
      message: missingOr(value, `must be a UTC timestamp YYYY-MM-DDTHH:MM:SS[.sss]Z, got ${describe(value)}`),
    });
  }
  return value as string;
}

// The fast path names every field once, below, because a walk over the column table costs a third
// of the speed (keyed property access and calls V8 cannot inline; measured with the bench). It is
// held to the table three ways: `User` comes from the table, so a missing field does not compile;
// rule() refuses a field the table gives another kind; and checkValidator() below runs at load.
const ID = rule('id', 'id');
const USERNAME = rule('username', 'identifier');
const EMAIL = rule('email', 'email');
const FIRST_NAME = rule('firstName', 'text');
const LAST_NAME = rule('lastName', 'text');
const DEPARTMENT = rule('department', 'department');
const JOB_TITLE = rule('jobTitle', 'text');
const BIRTH_DATE = rule('birthDate', 'date');
const CITY = rule('city', 'text');
const COUNTRY = rule('country', 'text');
const CREATED_AT = rule('createdAt', 'timestamp');

/**
 * Validate one record, reporting every problem with the field's name and why, in column order.
 *
 * `id` may be a number or a canonical decimal string (as read from CSV); the
 * returned user always has a numeric id. Runs on every loaded row, so it avoids
 * allocation on the happy path.
 */
export function validateUser(input: unknown, options: ValidateOptions = {}): ValidationResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ field: '(record)', message: `must be an object, got ${typeName(input)}` }] };
  }
  const r = input as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const user: User = {
    id: checkId(r.id, ID, issues),
    username: checkIdentifier(r.username, USERNAME, issues),
    email: checkEmail(r.email, EMAIL, issues),
    firstName: checkText(r.firstName, FIRST_NAME, issues),
    lastName: checkText(r.lastName, LAST_NAME, issues),
    department: checkDepartment(r.department, DEPARTMENT, issues),
    jobTitle: checkText(r.jobTitle, JOB_TITLE, issues),
    birthDate: checkDate(r.birthDate, BIRTH_DATE, issues),
    city: checkText(r.city, CITY, issues),
    country: checkText(r.country, COUNTRY, issues),
    createdAt: checkTimestamp(r.createdAt, CREATED_AT, issues),
  };

  if (!options.allowUnknownFields) {
    for (const key in r) {
      if (!FIELD_SET.has(key)) issues.push({ field: key, message: 'is not a field of a user record' });
    }
  }

  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, user };
}

/** A value of each kind that its check accepts whatever the column's limits. */
function sampleValue(spec: ColumnSpec): unknown {
  switch (spec.kind) {
    case 'id':
      return spec.min;
    case 'identifier':
      return 'a'.repeat(spec.min);
    case 'email':
      return 'a@example.com';
    case 'text':
      return 'a'.repeat(spec.min);
    case 'department':
      return DEPARTMENTS[0];
    case 'date':
      return '2000-01-01';
    case 'timestamp':
      return '2000-01-01T00:00:00Z';
  }
}

/** A record made from the column table, one accepted value a field: what the start-up checks feed a reader. */
export function sampleRecord(): Record<string, unknown> {
  return Object.fromEntries(USER_COLUMNS.map((c) => [c.field, sampleValue(c)]));
}

/**
 * Hold a validator to the column table: it accepts a record made from the table and returns
 * its fields in column order, and it reports each field missing, and each string field one
 * character too long, under that field's name.
 * @throws SchemaMismatchError naming the first disagreement.
 */
export function checkValidator(validate: (input: unknown) => ValidationResult, where = 'validateUser'): void {
  const sample = sampleRecord();
  const result = validate(sample);
  if (!result.ok)
    throw new SchemaMismatchError(where, `it refuses a record made from the table: ${formatIssues(result.issues)}`);
  const keys = Object.keys(result.user).join(',');
  if (keys !== USER_FIELDS.join(',')) {
    throw new SchemaMismatchError(where, `it returns the fields ${keys}, the table has ${USER_FIELDS.join(',')}`);
  }
  for (const c of USER_COLUMNS) {
    const probes: [unknown, string][] = [[undefined, 'missing']];
    if (c.kind === 'identifier' || c.kind === 'text')
      probes.push(['a'.repeat(c.max + 1), `${c.max + 1} characters long`]);
    for (const [value, what] of probes) {
      const probe = validate({ ...sample, [c.field]: value });
      const fields = probe.ok ? [] : probe.issues.map((i) => i.field);
      if (fields.join(',') !== c.field) {
        throw new SchemaMismatchError(
          where,
          `with ${c.field} ${what} it reports [${fields.join(', ')}], not ${c.field}`,
        );
      }
    }
  }
}

checkValidator(validateUser);

/** Render issues as one line: `username: must be ...; email: is missing`. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.field}: ${i.message}`).join('; ');
}
