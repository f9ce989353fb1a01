import { DEPARTMENTS, type Department, LIMITS } from '@stampede/schema';

// The schema's username rule: every stored username matches it, so nothing else can match.
const USERNAME_RE = /^[a-z0-9._-]{3,64}$/;
const ASCII_UPPER_RE = /[A-Z]/g;
const SPACES_RE = /\s+/g;

const DEPARTMENT_BY_KEY: ReadonlyMap<string, Department> = new Map(DEPARTMENTS.map((d) => [d.toLowerCase(), d]));

/**
 * The username as stored, or `undefined` when no stored username can equal it.
 *
 * Rules: surrounding whitespace is ignored; ASCII letters match case-insensitively
 * (stored usernames are lowercase); anything else must match exactly. Only ASCII A-Z is
 * folded: Unicode case mapping would turn e.g. the Kelvin sign into `k`.
 */
export function normalizeUsername(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > LIMITS.usernameMax * 4) return undefined;
  const name = value.trim().replace(ASCII_UPPER_RE, (c) => c.toLowerCase());
  return USERNAME_RE.test(name) ? name : undefined;
}

/**
 * The department as stored (one of `DEPARTMENTS`), or `undefined` when unknown.
 *
 * Rules: surrounding whitespace is ignored, runs of inner whitespace count as one space,
 * and ASCII letters match case-insensitively: ` human   resources ` is `Human Resources`.
 */
export function normalizeDepartment(value: unknown): Department | undefined {
  if (typeof value !== 'string' || value.length > LIMITS.departmentMax * 4) return undefined;
  return DEPARTMENT_BY_KEY.get(value.trim().replace(SPACES_RE, ' ').toLowerCase());
}
