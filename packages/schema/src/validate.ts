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
const ID_STRING_RE = /^[1-9]\d{0,15}$/;
// Control characters are refused in free text: they break CSV, terminals and reports.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
// One pass finds both control characters and surrogates; only a hit needs a closer look.
const SUSPECT_RE = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/;
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
  if (!SUSPECT_RE.test(value)) return;
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
  if (!isIsoDate(birthDate)) {
    issues.push({
      field: 'birthDate',
      message:
        birthDate === undefined ? 'is missing' : `must be a calendar date YYYY-MM-DD, got ${describe(birthDate)}`,
    });
  }

  const createdAt = r.createdAt;
  if (!isIsoTimestamp(createdAt)) {
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
