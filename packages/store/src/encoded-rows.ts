import {
  isoToMysqlDatetime,
  mysqlDatetimeToIso,
  scanUserJson,
  USER_COLUMNS,
  USER_JSON_SPANS,
  type User,
} from '@stampede/schema';

/** How {@link EncodedRows} writes rows, told to LOAD DATA. */
export const TSV_FORMAT =
  "CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'";

const TSV_SPECIAL = /[\\\t\n\r]/;
const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const TSV_UNESCAPES: Record<string, string> = { '\\\\': '\\', '\\t': '\t', '\\n': '\n', '\\r': '\r' };

function tsvField(v: string): string {
  return TSV_SPECIAL.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => TSV_ESCAPES[c] ?? c) : v;
}

/**
 * One row as a LOAD DATA line: tab-separated, backslash-escaped, in column order, DATETIME as
 * MySQL stores it (what `userToRow(user, 'mysql')` gives, without its array: this runs per row).
 */
export function tsvLine(user: User): string {
  let line = '';
  for (let i = 0; i < USER_COLUMNS.length; i++) {
    const c = USER_COLUMNS[i] as (typeof USER_COLUMNS)[number];
    const value = user[c.field];
    const v = c.kind === 'timestamp' ? isoToMysqlDatetime(value as string) : String(value);
    line += i === 0 ? tsvField(v) : `\t${tsvField(v)}`;
  }
  return `${line}\n`;
}

/**
 * One LOAD DATA line back to the values of the user it encodes, in column order: what
 * `userToRow(user, 'sqlite')` gives (ids numbers, timestamps ISO text).
 */
function valuesOfLine(line: string): (string | number)[] {
  const values: (string | number)[] = line.split('\t');
  for (let i = 0; i < USER_COLUMNS.length; i++) {
    const kind = (USER_COLUMNS[i] as (typeof USER_COLUMNS)[number]).kind;
    let v = (values[i] as string | undefined) ?? '';
    if (v.includes('\\')) v = v.replace(/\\[\\tnr]/g, (e) => TSV_UNESCAPES[e] ?? e);
    values[i] = kind === 'id' ? Number(v) : kind === 'timestamp' ? mysqlDatetimeToIso(v) : v;
  }
  return values;
}

/** A row's values (as {@link valuesOfLine} gives them) as the user they are (the inverse of {@link tsvLine}). */
function userOfValues(values: (string | number)[]): User {
  const user: Record<string, unknown> = {};
  for (let i = 0; i < USER_COLUMNS.length; i++) {
    user[(USER_COLUMNS[i] as (typeof USER_COLUMNS)[number]).field] = values[i];
  }
  return user as User;
}

/**
 * LOAD DATA lines (as {@link EncodedRows} holds them) to SQLite's row values in column order,
 * what `userToRow(user, 'sqlite')` gives for the user each encodes: the SQLite writer thread
 * decodes a batch this way, so the thread that read it sends bytes instead of objects.
 */
export function sqliteRowsOfTsv(bytes: Uint8Array): (string | number)[][] {
  const lines = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8').split('\n');
  lines.pop();
  return lines.map(valuesOfLine);
}

const INITIAL_BYTES = 64 * 1024;
const TAB = 0x09;
const SPACE = 0x20;
/** Which columns hold a timestamp: written as MySQL's DATETIME (`T` a space, no `Z`), as {@link tsvLine} does. */
const IS_TIMESTAMP: readonly boolean[] = USER_COLUMNS.map((c) => c.kind === 'timestamp');
/** The value spans {@link scanUserJson} fills, one set reused for every row. */
const SPANS = new Int32Array(USER_JSON_SPANS);
/** Characters gathered as one string before they are written to the buffer: one native call per ~250 rows, not per row. */
const FLUSH_CHARS = 64 * 1024;
const LF = 0x0a;

/**
 * Rows encoded once, as `LOAD DATA` reads them (tab-separated UTF-8 lines), in one growing buffer
 * outside the JavaScript heap. A loader holds its batches this way instead of as user objects: a
 * batch is a few objects whatever its size, so rows waiting for the server give the garbage
 * collector nothing to copy or trace (as ~15 heap objects a row, batches in flight survived every
 * young-generation collection and were promoted), and the encoding happens while the row is at
 * hand. A line feed inside a value is escaped, so each row is exactly one line.
 *
 * `upsert` takes it on both databases (MySQL sends the bytes as they are; `insert` and SQLite
 * decode them back to users).
 */
export class EncodedRows {
  #buf: Buffer;
  #used: number;
  #rows: number;
  /** Encoded lines not yet written to the buffer. */
  #pending = '';

  constructor(buf: Buffer = Buffer.allocUnsafe(INITIAL_BYTES), rows = 0, used = 0) {
    this.#buf = buf;
    this.#rows = rows;
    this.#used = used;
  }

  /** Rows held. */
  get length(): number {
    return this.#rows;
  }

  /** Encode `user` and append it. */
  push(user: User): void {
    this.#pending += tsvLine(user);
    this.#rows++;
    if (this.#pending.length >= FLUSH_CHARS) this.#flush();
  }

  /**
   * Append the user whose JSON text is `buf[start, end)` when it is in the canonical form
   * {@link scanUserJson} reads on bytes (what the generator writes): its values are copied into
   * the row as they are, with no string, object or parse on the way. False, and nothing appended,
   * for any other text: parse and validate it, then {@link push} the user. `buf` must be valid UTF-8.
   */
  pushJson(buf: Buffer, start: number, end: number): boolean {
    const spans = SPANS;
    if (!scanUserJson(buf, start, end, spans)) return false;
    if (this.#pending.length > 0) this.#flush();
    // The row is shorter than its JSON text: keys and quotes go, a tab and a line feed come.
    this.#reserve(end - start + 1);
    const out = this.#buf;
    let p = this.#used;
    for (let c = 0; c < IS_TIMESTAMP.length; c++) {
      if (c > 0) out[p++] = TAB;
      const s = spans[2 * c] as number;
      const e = spans[2 * c + 1] as number;
      if (IS_TIMESTAMP[c]) {
        // 2024-05-06T07:08:09.123Z -> 2024-05-06 07:08:09.123
        for (let i = s; i < s + 10; i++) out[p++] = buf[i] as number;
        out[p++] = SPACE;
        for (let i = s + 11, z = e - 1; i < z; i++) out[p++] = buf[i] as number;
        continue;
      }
      if (e - s > 32) {
        p += buf.copy(out, p, s, e);
        continue;
      }
      for (let i = s; i < e; i++) out[p++] = buf[i] as number;
    }
    out[p++] = LF;
    this.#used = p;
    this.#rows++;
    return true;
  }

  /** Room for `bytes` more bytes. */
  #reserve(bytes: number): void {
    if (this.#used + bytes <= this.#buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#used + bytes));
    this.#buf.copy(grown, 0, 0, this.#used);
    this.#buf = grown;
  }

  #flush(): void {
    const text = this.#pending;
    if (text.length === 0) return;
    this.#pending = '';
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    this.#reserve(text.length * 3);
    this.#used += this.#buf.write(text, this.#used, 'utf8');
  }

  /** Empty, keeping the buffer for the next rows (a loader reuses a committed batch's). */
  clear(): void {
    this.#pending = '';
    this.#rows = 0;
    this.#used = 0;
  }

  /** Rows `[from, to)`, sharing these bytes (a scan for line ends: for splitting a refused batch, not per row). */
  slice(from = 0, to: number = this.length): EncodedRows {
    const bytes = this.bytes();
    const lo = Math.max(0, Math.min(from, this.length));
    const hi = Math.max(lo, Math.min(to, this.length));
    let start = 0;
    for (let r = 0; r < lo; r++) start = bytes.indexOf(LF, start) + 1;
    let end = start;
    for (let r = lo; r < hi; r++) end = bytes.indexOf(LF, end) + 1;
    return new EncodedRows(bytes.subarray(start, end), hi - lo, end - start);
  }

  /** The rows' bytes, as `LOAD DATA ... {@link TSV_FORMAT}` reads them (a view, not a copy). */
  bytes(): Buffer {
    this.#flush();
    return this.#buf.subarray(0, this.#used);
  }

  /** The rows decoded back to users, for a way in that needs values (`insert`, SQLite). */
  users(): User[] {
    return sqliteRowsOfTsv(this.bytes()).map(userOfValues);
  }
}

/** Users from either form an upsert takes. */
export function usersOf(rows: readonly User[] | EncodedRows): readonly User[] {
  return rows instanceof EncodedRows ? rows.users() : rows;
}
