import { describe, expect, it } from 'vitest';
import { USER_COLUMNS } from './ddl.js';
import { scanUserJson, USER_JSON_SPANS } from './json-bytes.js';
import { DEPARTMENTS, USER_FIELDS, type User } from './user.js';
import { validateUser } from './validate.js';

const good: User = {
  id: 42,
  username: 'ada.lovelace.16',
  email: 'ada.lovelace.16@example.com',
  firstName: 'Zoë',
  lastName: 'Łukasiewicz',
  department: 'Human Resources',
  jobTitle: 'Analyst',
  birthDate: '2000-02-29',
  city: 'São Paulo',
  country: 'Brazil',
  createdAt: '2025-12-31T23:59:59.999Z',
};

/** The spans' values as strings, or undefined when the scanner declines the text. */
function scan(text: string): string[] | undefined {
  const buf = Buffer.from(`xx${text}yy`, 'utf8');
  const spans = new Int32Array(USER_JSON_SPANS);
  if (!scanUserJson(buf, 2, buf.length - 2, spans)) return undefined;
  return USER_COLUMNS.map((_, c) => buf.toString('utf8', spans[2 * c], spans[2 * c + 1]));
}

/**
 * The one rule: what the scanner accepts, JSON.parse and the validator accept too, with the same
 * values. (What it declines goes the ordinary way, so declining is always safe.)
 */
function agrees(text: string): 'accepted' | 'declined' {
  const got = scan(text);
  if (got === undefined) return 'declined';
  const v = validateUser(JSON.parse(text));
  expect(v.ok, text).toBe(true);
  if (v.ok) expect(got, text).toEqual(USER_FIELDS.map((f) => String(v.user[f])));
  return 'accepted';
}

const line = (patch: Record<string, unknown>) => JSON.stringify({ ...good, ...patch });

describe('scanUserJson', () => {
  it("reads a canonical record (what the generator writes) to the validator's values, non-ASCII text included", () => {
    expect(agrees(line({}))).toBe('accepted');
    expect(agrees(line({ firstName: '田中', lastName: 'Ωμέγα', city: 'Київ', country: '\u00a0é\u3000' }))).toBe(
      'accepted',
    );
    expect(agrees(line({ firstName: '𠮷子', lastName: '😀 Emoji', city: 'Łódź', id: 999_999_999_999_999 }))).toBe(
      'accepted',
    );
    for (const department of DEPARTMENTS) expect(agrees(line({ department }))).toBe('accepted');
    for (const createdAt of ['2025-01-01T00:00:00Z', '2025-01-01T00:00:00.1Z', '2025-01-01T00:00:00.12Z']) {
      expect(agrees(line({ createdAt }))).toBe('accepted');
    }
  });

  it('declines every record the validator refuses, near each limit and past it', () => {
    const refused: Record<string, unknown>[] = [
      { id: 0 },
      { id: -1 },
      { id: 1.5 },
      { id: 2 ** 53 },
      { username: 'ab' },
      { username: 'a'.repeat(65) },
      { username: 'Ada' },
      { username: 'ada lovelace' },
      { email: 'no-at-sign' },
      { email: `${'a'.repeat(65)}@example.com` },
      { email: 'zoë@example.com' },
      { firstName: '' },
      { firstName: ' ' },
      { firstName: '\u00a0' },
      { firstName: '\u00a0\u3000\u2003\u2028\u205f\u1680\ufeff' },
      { firstName: 'x'.repeat(101) },
      { firstName: 'é'.repeat(101) },
      { firstName: 'a\u0001b' },
      { firstName: 'a\u007fb' },
      { firstName: 'a\u0085b' },
      { firstName: 'a\ud800b' },
      { department: 'engineering' },
      { department: 'Engineering ' },
      { department: 42 },
      { birthDate: '2001-02-29' },
      { birthDate: '1900-02-29' },
      { birthDate: '2000-13-01' },
      { birthDate: '2000-00-10' },
      { birthDate: '2000-01-32' },
      { birthDate: '0999-01-01' },
      { birthDate: '2000-1-01' },
      { createdAt: '2025-01-01T24:00:00Z' },
      { createdAt: '2025-01-01T00:60:00Z' },
      { createdAt: '2025-01-01T00:00:60Z' },
      { createdAt: '2025-01-01T00:00:00.1234Z' },
      { createdAt: '2025-01-01T00:00:00.Z' },
      { createdAt: '2025-01-01T00:00:00' },
      { createdAt: '2025-01-01 00:00:00Z' },
      { createdAt: '2025-01-01T00:00:00+01:00' },
      { city: null },
      { country: undefined },
      { extra: 'field' },
    ];
    for (const patch of refused) {
      const text = line(patch);
      expect(validateUser(JSON.parse(text)).ok, text).toBe(false);
      expect(scan(text), text).toBeUndefined();
    }
  });

  it('declines what is valid but not canonical, so the ordinary parse reads it', () => {
    const canonical = line({});
    const declined = [
      JSON.stringify(Object.fromEntries(Object.entries(good).reverse())),
      canonical.replace('{', '{ '),
      canonical.replace(':', ' : '),
      `${canonical} `,
      canonical.replace('Zoë', 'Zo\\u00eb'),
      canonical.replace('"id":42', '"id":42.0'),
      canonical.replace('"id":42', '"id":4.2e1'),
      canonical.replace('"id":42', '"id":042'),
      canonical.replace('"id":42', '"id":"42"'),
      canonical.replace('}', ',"id":42}'),
    ];
    for (const text of declined) expect(agrees(text), text).toBe('declined');
  });

  it('declines truncated and damaged text at every cut, and never disagrees with the validator', () => {
    const text = line({});
    for (let cut = 0; cut < text.length; cut++) {
      expect(scan(text.slice(0, cut)), `cut at ${cut}`).toBeUndefined();
    }
    // Every single-byte change of an ASCII position: accepted only when the validator agrees.
    let accepted = 0;
    for (let i = 0; i < text.length; i++) {
      for (const ch of ['"', '\\', ',', ':', '}', '{', '0', '9', 'a', 'Z', ' ', '-', '.', '@', 'T']) {
        const c = text.charCodeAt(i);
        if (c > 0x7f || String.fromCharCode(c) === ch) continue;
        const mutated = `${text.slice(0, i)}${ch}${text.slice(i + 1)}`;
        let parsed: unknown;
        try {
          parsed = JSON.parse(mutated);
        } catch {
          expect(scan(mutated), mutated).toBeUndefined();
          continue;
        }
        if (agrees(mutated) === 'accepted') accepted++;
        else if (validateUser(parsed).ok) {
          // Declined though valid: allowed (the ordinary way reads it), but only for escapes/other forms.
          expect(mutated).toMatch(/\\|[^\x00-\x7f]|"id":0|"id":\d{16}/);
        }
      }
    }
    // Many mutations keep the record valid (a letter for a letter): the scanner reads them too.
    expect(accepted).toBeGreaterThan(500);
  });

  it('agrees with the validator on seeded random records', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const alphabet = [
      'a',
      'Z',
      '0',
      ' ',
      '.',
      '-',
      '_',
      '@',
      'é',
      'ß',
      '中',
      '😀',
      '\u00a0',
      '\u0085',
      '\t',
      '"',
      '\\',
    ];
    const randomText = (max: number) =>
      Array.from({ length: Math.floor(rand() * max) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const patch: Record<string, unknown> = {};
      const field = USER_FIELDS[Math.floor(rand() * USER_FIELDS.length)] as string;
      const kind = USER_COLUMNS.find((c) => c.field === field)?.kind;
      if (kind === 'id') patch.id = Math.floor(rand() * 1e6) - 10;
      else if (kind === 'date')
        patch[field] =
          `${pad(990 + Math.floor(rand() * 9100), 4)}-${pad(Math.floor(rand() * 14), 2)}-${pad(Math.floor(rand() * 33), 2)}`;
      else if (kind === 'timestamp')
        patch[field] =
          `2024-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 10)}T${pad(Math.floor(rand() * 26), 2)}:${pad(Math.floor(rand() * 61), 2)}:${pad(Math.floor(rand() * 61), 2)}${rand() < 0.5 ? '' : `.${pad(Math.floor(rand() * 10000), 1 + Math.floor(rand() * 4))}`}Z`;
      else patch[field] = randomText(kind === 'text' ? 110 : 70);
      if (agrees(line(patch)) === 'accepted') accepted++;
    }
    expect(accepted).toBeGreaterThan(300);
  });
});
