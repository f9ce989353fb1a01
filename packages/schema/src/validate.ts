import { DEPARTMENTS, type Department, LIMITS, USER_FIELDS, type User, type UserField } from './user.js';

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

const USERNAME_RE = /^[a-z0-9._-]{3,64}$/;
// Deliberately simpler than RFC 5322: ASCII local part, dotted domain with a TLD.
const EMAIL_RE =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,3})?Z$/;
const ID_STRING_RE = /^[1-9]\d{0,15}$/;
// Control characters are refused in free text: they break CSV, terminals and reports.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
const FIELD_SET: ReadonlySet<string> = new Set(USER_FIELDS);
const DEPARTMENT_SET: ReadonlySet<string> = new Set(DEPARTMENTS);
const TEXT_FIELDS = ['firstName', 'lastName', 'jobTitle', 'city', 'country'] as const;

/** Whether `value` is one of {@link DEPARTMENTS}, exactly. */
export function isDepartment(value: unknown): value is Department {
  return typeof value === 'string' && DEPARTMENT_SET.has(value);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function validDate(y: string, m: string, d: string): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  // MySQL's DATE and DATETIME cover years 1000–9999.
  return year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
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

function checkText(field: string, value: unknown, issues: ValidationIssue[]): void {
  if (typeof value !== 'string') {
    issues.push({ field, message: value === undefined ? 'is missing' : `must be a string, got ${typeName(value)}` });
    return;
  }
  // Fast path: plain short strings need only the emptiness and control checks.
  if (value.length === 0 || value.trim().length === 0) {
    issues.push({ field, message: 'must not be empty' });
    return;
  }
  if (value.length > LIMITS.textMax && codePointLength(value) > LIMITS.textMax) {
    issues.push({ field, message: `must be at most ${LIMITS.textMax} characters, got ${codePointLength(value)}` });
  }
  if (CONTROL_RE.test(value)) issues.push({ field, message: 'must not contain control characters' });
  // A lone surrogate cannot be encoded as UTF-8: the database would refuse it.
  if (!value.isWellFormed()) issues.push({ field, message: 'contains an unpaired UTF-16 surrogate (invalid Unicode)' });
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

/**
 * Validate one record, reporting every problem with the field's name and why.
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

  let id = r.id;
  if (typeof id === 'string' && ID_STRING_RE.test(id)) id = Number(id);
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
    issues.push({
      field: 'id',
      message: id === undefined ? 'is missing' : `must be a positive integer, got ${describe(id)}`,
    });
  }

  const username = r.username;
  if (typeof username !== 'string') {
    issues.push({
      field: 'username',
      message: username === undefined ? 'is missing' : `must be a string, got ${typeName(username)}`,
    });
  } else if (!USERNAME_RE.test(username)) {
    issues.push({
      field: 'username',
      message:
        username.length < LIMITS.usernameMin || username.length > LIMITS.usernameMax
          ? `must be ${LIMITS.usernameMin}-${LIMITS.usernameMax} characters, got ${username.length}`
          : `may contain only a-z, 0-9, '.', '_' and '-', got ${describe(username)}`,
    });
  }

  const email = r.email;
  if (typeof email !== 'string') {
    issues.push({
      field: 'email',
      message: email === undefined ? 'is missing' : `must be a string, got ${typeName(email)}`,
    });
  } else if (email.length > LIMITS.emailMax) {
    issues.push({ field: 'email', message: `must be at most ${LIMITS.emailMax} characters, got ${email.length}` });
  } else if (!EMAIL_RE.test(email)) {
    issues.push({ field: 'email', message: `must be an ASCII address like name@example.com, got ${describe(email)}` });
  }

  for (const field of TEXT_FIELDS) checkText(field, r[field], issues);

  const department = r.department;
  if (!isDepartment(department)) {
    issues.push({
      field: 'department',
      message:
        department === undefined
          ? 'is missing'
          : `must be one of ${DEPARTMENTS.join(', ')}; got ${describe(department)}`,
    });
  }

  const birthDate = r.birthDate;
  const dm = typeof birthDate === 'string' ? DATE_RE.exec(birthDate) : null;
  if (!dm || !validDate(dm[1] as string, dm[2] as string, dm[3] as string)) {
    issues.push({
      field: 'birthDate',
      message:
        birthDate === undefined ? 'is missing' : `must be a calendar date YYYY-MM-DD, got ${describe(birthDate)}`,
    });
  }

  const createdAt = r.createdAt;
  const tm = typeof createdAt === 'string' ? TIMESTAMP_RE.exec(createdAt) : null;
  if (
    !tm ||
    !validDate(tm[1] as string, tm[2] as string, tm[3] as string) ||
    Number(tm[4]) > 23 ||
    Number(tm[5]) > 59 ||
    Number(tm[6]) > 59
  ) {
    issues.push({
      field: 'createdAt',
      message:
        createdAt === undefined
          ? 'is missing'
          : `must be a UTC timestamp YYYY-MM-DDTHH:MM:SS[.sss]Z, got ${describe(createdAt)}`,
    });
  }

  if (!options.allowUnknownFields) {
    for (const key in r) {
      if (!FIELD_SET.has(key)) issues.push({ field: key, message: 'is not a field of a user record' });
    }
  }

  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    user: {
      id: id as number,
      username: username as string,
      email: email as string,
      firstName: r.firstName as string,
      lastName: r.lastName as string,
      department: department as Department,
      jobTitle: r.jobTitle as string,
      birthDate: birthDate as string,
      city: r.city as string,
      country: r.country as string,
      createdAt: createdAt as string,
    },
  };
}

/** Render issues as one line: `username: must be ...; email: is missing`. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.field}: ${i.message}`).join('; ');
}
