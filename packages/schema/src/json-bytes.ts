import { type ColumnSpec, USER_COLUMNS } from './ddl.js';
import { SchemaMismatchError } from './errors.js';
import { DEPARTMENTS, EMAIL_PATTERN, LIMITS } from './user.js';
import { daysInMonth, sampleRecord, validateUser } from './validate.js';

/**
 * A user record's JSON text read as bytes, without `JSON.parse` and without an object: the fast
 * way in for a loader, whose rows are almost all written by a generator as one flat object with
 * the fields in column order.
 *
 * {@link scanUserJson} accepts a line only when it is that canonical form — `{"id":N,"username":"…",…}`,
 * every field once, in column order, no whitespace, no escape sequences — and when
 * {@link validateUser} would accept the record it encodes; it then gives each value's byte span.
 * Anything else (other key order, whitespace, `\` escapes, a number that is not plain digits, a
 * value near a limit it cannot decide on bytes, and every invalid record) returns false, and the
 * caller parses and validates the line the ordinary way, which also words the error. So this
 * decides nothing on its own: it is a subset of the validator, held to it by the self check at the
 * end of this module and by the tests (json-bytes.test.ts).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Per column: the bytes before its value (`{"id":`, `,"username":"`, …), its kind and limits. */
interface ByteRule {
  prefix: Uint8Array;
  kind: ColumnSpec['kind'];
  min: number;
  max: number;
  /** `identifier`: the bytes its pattern allows (1) — read off the compiled pattern itself. */
  allowed: Uint8Array | undefined;
}

/**
 * The bytes an `identifier` pattern (`^[class]{min,max}$`, see patternOf) allows: each ASCII
 * character is tried in the validator's own regular expression, repeated to the minimum length.
 */
function allowedBytes(re: RegExp, min: number): Uint8Array {
  const allowed = new Uint8Array(256);
  for (let b = 0x21; b < 0x7f; b++) allowed[b] = re.test(String.fromCharCode(b).repeat(Math.max(min, 1))) ? 1 : 0;
  allowed[QUOTE] = 0;
  return allowed;
}

const RULES: readonly ByteRule[] = USER_COLUMNS.map((c, i) => {
  const quoted = c.kind !== 'id';
  const prefix = `${i === 0 ? '{' : ','}${JSON.stringify(c.field)}:${quoted ? '"' : ''}`;
  return {
    prefix: Buffer.from(prefix, 'latin1'),
    kind: c.kind,
    min: c.min,
    max: c.max,
    // The validator's own pattern, compiled from the same column table.
    allowed:
      c.kind === 'identifier' && c.pattern !== undefined ? allowedBytes(new RegExp(c.pattern), c.min) : undefined,
  };
});

/**
 * The email pattern ({@link EMAIL_PATTERN}) on bytes, without making a string: a local part of
 * 1 to `emailLocalMax` bytes from one set, `@`, then two or more dot-separated labels of 1 to 63
 * bytes from another set, none starting or ending with one from the third. The sets are read off
 * the validator's own compiled pattern, character by character, as {@link allowedBytes} does;
 * {@link checkUserJsonScanner} holds the lengths to it.
 */
const EMAIL_RE = new RegExp(EMAIL_PATTERN);
const EMAIL_LOCAL = new Uint8Array(256);
const EMAIL_LABEL = new Uint8Array(256);
const EMAIL_LABEL_EDGE = new Uint8Array(256);
for (let b = 0x21; b < 0x7f; b++) {
  const ch = String.fromCharCode(b);
  EMAIL_LOCAL[b] = EMAIL_RE.test(`${ch}@a.b`) ? 1 : 0;
  EMAIL_LABEL[b] = EMAIL_RE.test(`a@a${ch}a.b`) ? 1 : 0;
  EMAIL_LABEL_EDGE[b] = EMAIL_RE.test(`a@${ch}.b`) ? 1 : 0;
}
// The separator: `a@a.a.b` matches as three labels, not as a label holding a dot.
EMAIL_LABEL[0x2e] = 0;
const EMAIL_LABEL_MAX = 63;
const AT = 0x40;
const DOT = 0x2e;

/** Whether `buf[s, e)` (ASCII, no quote or backslash) matches the email pattern. */
function isEmailAt(buf: Buffer, s: number, e: number): boolean {
  let p = s;
  while (p < e && EMAIL_LOCAL[buf[p] as number] === 1) p++;
  if (p === s || p - s > LIMITS.emailLocalMax || buf[p] !== AT) return false;
  let labels = 0;
  for (;;) {
    const start = ++p;
    while (p < e && EMAIL_LABEL[buf[p] as number] === 1) p++;
    if (p === start || p - start > EMAIL_LABEL_MAX) return false;
    if (EMAIL_LABEL_EDGE[buf[start] as number] !== 1 || EMAIL_LABEL_EDGE[buf[p - 1] as number] !== 1) return false;
    labels++;
    if (p === e) return labels >= 2;
    if (buf[p] !== DOT) return false;
  }
}

/** The departments as bytes, by length. */
const DEPARTMENT_BYTES: readonly Buffer[] = DEPARTMENTS.map((d) => Buffer.from(d, 'latin1'));

/** Slots a `spans` array needs: a start and an end per column. */
export const USER_JSON_SPANS = USER_COLUMNS.length * 2;

/** Digits of `buf[at, at + len)` as a number, or -1 if any is not a digit (validate.ts's `digits`, on bytes). */
function digits(buf: Buffer, at: number, len: number): number {
  let n = 0;
  for (let i = at; i < at + len; i++) {
    const c = (buf[i] as number) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** validate.ts's `isDatePrefix` on bytes: a real calendar date `YYYY-MM-DD` at `at`, years 1000–9999. */
function isDateAt(buf: Buffer, at: number): boolean {
  if (buf[at + 4] !== 45 || buf[at + 7] !== 45) return false;
  const year = digits(buf, at, 4);
  const month = digits(buf, at + 5, 2);
  const day = digits(buf, at + 8, 2);
  return year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** validate.ts's `isIsoTimestamp` on the bytes `[s, e)`: `YYYY-MM-DDTHH:MM:SS[.s{1,3}]Z`. */
function isTimestampAt(buf: Buffer, s: number, e: number): boolean {
  const len = e - s;
  if (len < 20 || len > 24 || !isDateAt(buf, s)) return false;
  if (buf[s + 10] !== 84 || buf[s + 13] !== 58 || buf[s + 16] !== 58) return false;
  const h = digits(buf, s + 11, 2);
  const m = digits(buf, s + 14, 2);
  const sec = digits(buf, s + 17, 2);
  if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59) return false;
  const last = len - 1;
  if (buf[s + last] !== 90) return false;
  if (last === 19) return true;
  return buf[s + 19] === 46 && last > 20 && digits(buf, s + 20, last - 20) >= 0;
}

function isDepartmentAt(buf: Buffer, s: number, e: number): boolean {
  const len = e - s;
  next: for (const d of DEPARTMENT_BYTES) {
    if (d.length !== len) continue;
    for (let k = 0; k < len; k++) if (buf[s + k] !== d[k]) continue next;
    return true;
  }
  return false;
}

/** Index of the closing quote of an ASCII string value starting at `p` with no escapes, or -1. */
function asciiStringEnd(buf: Buffer, p: number, end: number): number {
  for (; p < end; p++) {
    const b = buf[p] as number;
    if (b === QUOTE) return p;
    if (b < 0x20 || b >= 0x7f || b === BACKSLASH) return -1;
  }
  return -1;
}

/**
 * Whether `buf[start, end)` is a canonical user record {@link validateUser} accepts; when it is,
 * `spans[2c]` and `spans[2c + 1]` are the byte span of column `c`'s value (a string's without its
 * quotes, the id's digits). `buf` must be valid UTF-8 (a loader checks each chunk once).
 */
export function scanUserJson(buf: Buffer, start: number, end: number, spans: Int32Array | number[]): boolean {
  let p = start;
  for (let c = 0; c < RULES.length; c++) {
    const rule = RULES[c] as ByteRule;
    const prefix = rule.prefix;
    if (p + prefix.length > end) return false;
    for (let k = 0; k < prefix.length; k++) if (buf[p + k] !== prefix[k]) return false;
    p += prefix.length;
    const s = p;
    let e: number;
    switch (rule.kind) {
      case 'id': {
        // Plain digits, no leading zero, at most 15 (below 2^53 whatever they are).
        if (buf[p] === 0x30) return false;
        let v = 0;
        for (; p < end; p++) {
          const d = (buf[p] as number) - 0x30;
          if (d < 0 || d > 9) break;
          v = v * 10 + d;
        }
        if (p === s || p - s > 15 || v < rule.min || v > rule.max) return false;
        spans[2 * c] = s;
        spans[2 * c + 1] = p;
        continue;
      }
      case 'text': {
        // Any UTF-8 but escapes and control characters (raw ones are not JSON; DEL and C1 the
        // validator refuses); not blank (a character that cannot be white space proves it); within
        // the limits in code points.
        let codePoints = 0;
        let visible = false;
        for (;;) {
          if (p >= end) return false;
          const b = buf[p] as number;
          if (b === QUOTE) break;
          if (b < 0x80) {
            if (b < 0x20 || b === BACKSLASH || b === 0x7f) return false;
            if (b !== 0x20) visible = true;
            codePoints++;
          } else if ((b & 0xc0) !== 0x80) {
            if (b === 0xc2 && (buf[p + 1] as number) < 0xa0) return false;
            // Every character trim() removes starts with one of these bytes in UTF-8; any other is visible.
            if (b !== 0xc2 && b !== 0xe1 && b !== 0xe2 && b !== 0xe3 && b !== 0xef) visible = true;
            codePoints++;
          }
          p++;
        }
        e = p;
        if (!visible || codePoints < rule.min || codePoints > rule.max) return false;
        break;
      }
      case 'identifier': {
        const allowed = rule.allowed as Uint8Array;
        while (p < end && allowed[buf[p] as number] === 1) p++;
        e = p;
        if (buf[p] !== QUOTE || e - s < rule.min || e - s > rule.max) return false;
        break;
      }
      case 'email':
        e = asciiStringEnd(buf, p, end);
        if (e < 0 || e - s > rule.max || !isEmailAt(buf, s, e)) return false;
        break;
      case 'department':
        e = asciiStringEnd(buf, p, end);
        if (e < 0 || !isDepartmentAt(buf, s, e)) return false;
        break;
      case 'date':
        e = s + 10;
        if (e >= end || buf[e] !== QUOTE || !isDateAt(buf, s)) return false;
        break;
      case 'timestamp':
        e = asciiStringEnd(buf, p, end);
        if (e < 0 || !isTimestampAt(buf, s, e)) return false;
        break;
      default:
        return false;
    }
    spans[2 * c] = s;
    spans[2 * c + 1] = e;
    p = e + 1;
  }
  return p + 1 === end && buf[p] === 0x7d;
}

/**
 * Hold {@link scanUserJson} to the validator at load: the record made from the column table is
 * read by both alike, and each field one character past its limit is left to the validator.
 * @throws SchemaMismatchError naming the first disagreement.
 */
export function checkUserJsonScanner(): void {
  const sample = sampleRecord();
  const spans = new Int32Array(USER_JSON_SPANS);
  const text = Buffer.from(JSON.stringify(sample));
  if (!validateUser(sample).ok || !scanUserJson(text, 0, text.length, spans)) {
    throw new SchemaMismatchError('scanUserJson', 'it refuses the record made from the column table');
  }
  for (const [i, c] of USER_COLUMNS.entries()) {
    const got = text.toString('utf8', spans[2 * i], spans[2 * i + 1]);
    if (got !== String(sample[c.field])) {
      throw new SchemaMismatchError('scanUserJson', `it reads ${c.field} as ${JSON.stringify(got)}`);
    }
    if (c.kind === 'email') {
      // The byte matcher's lengths against the pattern's: a local part and a label at their
      // limits and one past, and a domain of one label.
      const label = (n: number) => 'a'.repeat(n);
      for (const email of [
        `${label(LIMITS.emailLocalMax)}@a.b`,
        `${label(LIMITS.emailLocalMax + 1)}@a.b`,
        `a@${label(EMAIL_LABEL_MAX)}.b`,
        `a@${label(EMAIL_LABEL_MAX + 1)}.b`,
        'a@b',
        'a@-b.c',
        'a@b-.c',
        'a@b..c',
        'a@b.c.',
        'a.b@c.d.e',
        'a@b_c.d',
      ]) {
        const t = Buffer.from(JSON.stringify({ ...sample, [c.field]: email }));
        if (
          scanUserJson(t, 0, t.length, new Int32Array(USER_JSON_SPANS)) !== validateUser(JSON.parse(t.toString())).ok
        ) {
          throw new SchemaMismatchError('scanUserJson', `it disagrees with the validator on ${c.field} ${email}`);
        }
      }
    }
    if (c.kind === 'identifier' || c.kind === 'text') {
      const over = Buffer.from(JSON.stringify({ ...sample, [c.field]: 'a'.repeat(c.max + 1) }));
      if (scanUserJson(over, 0, over.length, spans)) {
        throw new SchemaMismatchError('scanUserJson', `it accepts ${c.field} ${c.max + 1} characters long`);
      }
    }
  }
}

checkUserJsonScanner();
