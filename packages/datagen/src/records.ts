import { DEPARTMENTS, type User } from '@stampede/schema';
import { csvField, type Format } from './format.js';
import type { LocaleData, NameList } from './locales.js';
import { chunkSeed, mulberry32, type Random } from './random.js';

/**
 * Ids per chunk. Fixed, and never derived from the thread count: chunk `k` covers ids
 * `[k * CHUNK_SIZE + 1, (k + 1) * CHUNK_SIZE]` and is seeded from `seed` and `k`, so a
 * record depends only on the seed, the locale and its id.
 */
export const CHUNK_SIZE = 10_000;

/** Dates are relative to this instant, never to now, so a run can be repeated. */
export const REFERENCE_DATE = '2025-01-01T00:00:00.000Z';

/** A slice of one chunk: ids `[start, end)` inside chunk `index`. */
export interface ChunkRange {
  index: number;
  start: number;
  end: number;
}

/** The chunks that cover ids `[startId, startId + count)`, in order; the first and last may be partial. */
export function* planChunks(startId: number, count: number): Generator<ChunkRange> {
  const end = startId + count;
  let id = startId;
  while (id < end) {
    const index = Math.floor((id - 1) / CHUNK_SIZE);
    const chunkEnd = Math.min(end, (index + 1) * CHUNK_SIZE + 1);
    yield { index, start: id, end: chunkEnd };
    id = chunkEnd;
  }
}

/** How many chunks {@link planChunks} yields. */
export function chunkCount(startId: number, count: number): number {
  return Math.floor((startId + count - 2) / CHUNK_SIZE) - Math.floor((startId - 1) / CHUNK_SIZE) + 1;
}

const DAY_MS = 86_400_000;
const REFERENCE_MS = Date.parse(REFERENCE_DATE);
const BIRTH_FIRST_MS = Date.UTC(1945, 0, 1); // aged 80 at the reference date
const BIRTH_LAST_MS = Date.UTC(2006, 11, 31); // aged 18
const CREATED_FIRST_MS = Date.UTC(2015, 0, 1);

// Every calendar day from one instant to another as YYYY-MM-DD, by counting days rather than
// formatting a Date each: 26k dates, built at every worker's start.
export function dayStrings(fromMs: number, toMs: number): string[] {
  const out: string[] = [];
  const from = new Date(fromMs);
  let year = from.getUTCFullYear();
  let month = from.getUTCMonth() + 1;
  let day = from.getUTCDate();
  const count = Math.floor((toMs - fromMs) / DAY_MS) + 1;
  for (let i = 0; i < count; i++) {
    out.push(`${year}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`);
    if (++day > daysInMonth(year, month)) {
      day = 1;
      if (++month > 12) {
        month = 1;
        year++;
      }
    }
  }
  return out;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Strings encoded once as UTF-8 into one byte array, so writing one is a copy of a few
 * bytes: rendering allocates nothing per record, and a worker spends its time on records
 * rather than on garbage collection (which its threads would share with the other workers).
 */
class Encoded {
  readonly bytes: Buffer;
  /** `strings[i]` is `bytes[starts[i], starts[i + 1])`. */
  readonly starts: Uint32Array;
  /** The longest encoding, in bytes. */
  readonly longest: number;
  constructor(strings: readonly string[]) {
    const parts = strings.map((s) => Buffer.from(s, 'utf8'));
    this.starts = new Uint32Array(parts.length + 1);
    let total = 0;
    let longest = 0;
    for (const [i, part] of parts.entries()) {
      this.starts[i] = total;
      total += part.length;
      longest = Math.max(longest, part.length);
    }
    this.starts[parts.length] = total;
    this.bytes = Buffer.concat(parts, total);
    this.longest = longest;
  }
}

/** One string, encoded. */
function encoded(text: string): Encoded {
  return new Encoded([text]);
}

/**
 * A pick list with each encoding built once, on first use (a run pays only for the
 * format it writes).
 */
class Column {
  private utf8Cache: Encoded | undefined;
  private jsonCache: Encoded | undefined;
  private csvCache: Encoded | undefined;
  constructor(readonly text: readonly string[]) {}
  /** Each value as it is (for values that need no quoting in either format). */
  get utf8(): Encoded {
    this.utf8Cache ??= new Encoded(this.text);
    return this.utf8Cache;
  }
  /** Each value as a JSON string literal. */
  get json(): Encoded {
    this.jsonCache ??= new Encoded(this.text.map((s) => JSON.stringify(s)));
    return this.jsonCache;
  }
  /** Each value as one CSV field. */
  get csv(): Encoded {
    this.csvCache ??= new Encoded(this.text.map(csvField));
    return this.csvCache;
  }
}

class NameColumn extends Column {
  readonly slugs: readonly string[];
  readonly slugBytes: Encoded;
  constructor(list: NameList) {
    super(list.names);
    this.slugs = list.slugs;
    this.slugBytes = new Encoded(list.slugs);
  }
}

// The fixed parts of a record, in order.
const JSON_PARTS = [
  '{"id":',
  ',"username":"',
  '","email":"',
  '","firstName":',
  ',"lastName":',
  ',"department":',
  ',"jobTitle":',
  ',"birthDate":"',
  '","city":',
  ',"country":',
  ',"createdAt":"',
  'Z"}',
].map(encoded);
const [J_ID, J_USERNAME, J_EMAIL, J_FIRST, J_LAST, J_DEPARTMENT, J_JOB, J_BIRTH, J_CITY, J_COUNTRY, J_CREATED, J_END] =
  JSON_PARTS as [
    Encoded,
    Encoded,
    Encoded,
    Encoded,
    Encoded,
    Encoded,
    Encoded,
    Encoded,
    Encoded,
    Encoded,
    Encoded,
    Encoded,
  ];
const FIXED_BYTES = JSON_PARTS.reduce((n, part) => n + part.longest, 0);

const DIGITS = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz', 'latin1');
const [DOT, AT, COMMA, T, COLON, Z, CR, LF] = Buffer.from('.@,T:Z\r\n', 'latin1') as unknown as [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];
const ZERO = DIGITS[0] as number;
const EMPTY = Buffer.allocUnsafeSlow(0);

/**
 * Makes users for one locale and seed. Picks are drawn in a fixed order from a
 * per-chunk PRNG, so the same id always gives the same record.
 */
export class UserGenerator {
  private readonly female: NameColumn;
  private readonly male: NameColumn;
  private readonly last: NameColumn;
  private readonly departments = new Column(DEPARTMENTS);
  private readonly jobs: Column;
  private readonly cities: Column;
  private readonly countries: Column;
  private readonly domains: Column;
  // Mixed into every chunk seed so that two locales with one seed do not share departments and dates.
  private readonly localeSalt: number;
  private readonly birthDays: Column = new Column(dayStrings(BIRTH_FIRST_MS, BIRTH_LAST_MS));
  private readonly createdDays: Column = new Column(dayStrings(CREATED_FIRST_MS, REFERENCE_MS - DAY_MS));

  // The current record's picks, overwritten by next(): no allocation per record.
  private random: Random = mulberry32(0);
  private id = 0;
  private firstNames!: NameColumn;
  private firstIndex = 0;
  private lastIndex = 0;
  private departmentIndex = 0;
  private jobIndex = 0;
  private birthIndex = 0;
  private createdIndex = 0;
  /** Milliseconds into the creation day. */
  private createdMs = 0;
  private cityIndex = 0;
  private countryIndex = 0;
  private domainIndex = 0;

  // The buffer render() writes into, and how far.
  private buf: Buffer = EMPTY;
  private at = 0;
  private readonly scratch = new Uint8Array(16);

  constructor(
    data: LocaleData,
    private readonly seed: number,
  ) {
    this.female = new NameColumn(data.femaleFirstNames);
    this.male = new NameColumn(data.maleFirstNames);
    this.last = new NameColumn(data.lastNames);
    this.jobs = new Column(data.jobTitles);
    this.cities = new Column(data.cities);
    // Index 0 is the home country: nine users in ten live there.
    this.countries = new Column([data.homeCountry, ...data.countries.filter((c) => c !== data.homeCountry)]);
    this.domains = new Column(data.emailDomains);
    this.localeSalt = [...data.code].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 0x01000193), 0x811c9dc5);
  }

  /** Position the generator at `id`: seed its chunk and skip the ids before it in that chunk. */
  private seek(id: number): void {
    const index = Math.floor((id - 1) / CHUNK_SIZE);
    this.random = mulberry32(chunkSeed(this.seed, index) ^ this.localeSalt);
    for (let skip = index * CHUNK_SIZE + 1; skip < id; skip++) this.next(skip);
  }

  private pick(length: number): number {
    return Math.floor(this.random() * length);
  }

  private next(id: number): void {
    const r = this.random;
    this.id = id;
    this.firstNames = r() < 0.5 ? this.female : this.male;
    this.firstIndex = this.pick(this.firstNames.text.length);
    this.lastIndex = this.pick(this.last.text.length);
    this.departmentIndex = this.pick(DEPARTMENTS.length);
    this.jobIndex = this.pick(this.jobs.text.length);
    this.birthIndex = this.pick(this.birthDays.text.length);
    this.createdIndex = this.pick(this.createdDays.text.length);
    this.createdMs = this.pick(DAY_MS);
    this.cityIndex = this.pick(this.cities.text.length);
    const abroad = r() < 0.1;
    const other = 1 + this.pick(this.countries.text.length - 1);
    this.countryIndex = abroad ? other : 0;
    this.domainIndex = this.pick(this.domains.text.length);
  }

  // The id in base 36 after the last dot makes username and email unique by construction:
  // slugs never contain a dot, so two different ids can never give the same string.
  private local(): string {
    return `${this.firstNames.slugs[this.firstIndex]}.${this.last.slugs[this.lastIndex]}.${this.id.toString(36)}`;
  }

  private createdAt(): string {
    const ms = this.createdMs;
    const sec = Math.floor(ms / 1000);
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    return `${this.createdDays.text[this.createdIndex]}T${pad(Math.floor(sec / 3600), 2)}:${pad(Math.floor(sec / 60) % 60, 2)}:${pad(sec % 60, 2)}.${pad(ms % 1000, 3)}Z`;
  }

  private user(): User {
    const local = this.local();
    return {
      id: this.id,
      username: local,
      email: `${local}@${this.domains.text[this.domainIndex]}`,
      firstName: this.firstNames.text[this.firstIndex] as string,
      lastName: this.last.text[this.lastIndex] as string,
      department: DEPARTMENTS[this.departmentIndex] as User['department'],
      jobTitle: this.jobs.text[this.jobIndex] as string,
      birthDate: this.birthDays.text[this.birthIndex] as string,
      city: this.cities.text[this.cityIndex] as string,
      country: this.countries.text[this.countryIndex] as string,
      createdAt: this.createdAt(),
    };
  }

  /** The users with ids `[start, end)`. */
  users(start: number, end: number): User[] {
    const out: User[] = [];
    for (let id = start; id < end; id++) {
      if (id === start || (id - 1) % CHUNK_SIZE === 0) this.seek(id);
      this.next(id);
      out.push(this.user());
    }
    return out;
  }

  // --- Writing bytes into this.buf at this.at. ---

  private copy(from: Encoded, index: number): void {
    const src = from.bytes;
    const end = from.starts[index + 1] as number;
    const out = this.buf;
    let at = this.at;
    for (let i = from.starts[index] as number; i < end; i++) out[at++] = src[i] as number;
    this.at = at;
  }

  private byte(b: number): void {
    this.buf[this.at++] = b;
  }

  /** A non-negative safe integer in base 10 or 36, as Number#toString writes it. */
  private integer(n: number, radix: number): void {
    const scratch = this.scratch;
    let len = 0;
    do {
      const digit = n % radix;
      scratch[len++] = DIGITS[digit] as number;
      n = (n - digit) / radix;
    } while (n > 0);
    while (len > 0) this.byte(scratch[--len] as number);
  }

  private padded(n: number, width: number): void {
    if (width === 3) this.byte(ZERO + Math.floor(n / 100));
    this.byte(ZERO + (Math.floor(n / 10) % 10));
    this.byte(ZERO + (n % 10));
  }

  private writeLocal(): void {
    this.copy(this.firstNames.slugBytes, this.firstIndex);
    this.byte(DOT);
    this.copy(this.last.slugBytes, this.lastIndex);
    this.byte(DOT);
    this.integer(this.id, 36);
  }

  private writeEmail(): void {
    this.writeLocal();
    this.byte(AT);
    this.copy(this.domains.utf8, this.domainIndex);
  }

  private writeCreatedAt(): void {
    this.copy(this.createdDays.utf8, this.createdIndex);
    this.byte(T);
    const ms = this.createdMs;
    const sec = Math.floor(ms / 1000);
    this.padded(Math.floor(sec / 3600), 2);
    this.byte(COLON);
    this.padded(Math.floor(sec / 60) % 60, 2);
    this.byte(COLON);
    this.padded(sec % 60, 2);
    this.byte(DOT);
    this.padded(ms % 1000, 3);
  }

  // Byte-for-byte what JSON.stringify(this.user()) gives, without building the object.
  private writeJson(): void {
    this.copy(J_ID, 0);
    this.integer(this.id, 10);
    this.copy(J_USERNAME, 0);
    this.writeLocal();
    this.copy(J_EMAIL, 0);
    this.writeEmail();
    this.copy(J_FIRST, 0);
    this.copy(this.firstNames.json, this.firstIndex);
    this.copy(J_LAST, 0);
    this.copy(this.last.json, this.lastIndex);
    this.copy(J_DEPARTMENT, 0);
    this.copy(this.departments.json, this.departmentIndex);
    this.copy(J_JOB, 0);
    this.copy(this.jobs.json, this.jobIndex);
    this.copy(J_BIRTH, 0);
    this.copy(this.birthDays.utf8, this.birthIndex);
    this.copy(J_CITY, 0);
    this.copy(this.cities.json, this.cityIndex);
    this.copy(J_COUNTRY, 0);
    this.copy(this.countries.json, this.countryIndex);
    this.copy(J_CREATED, 0);
    this.writeCreatedAt();
    this.copy(J_END, 0);
  }

  private writeCsv(): void {
    this.integer(this.id, 10);
    this.byte(COMMA);
    this.writeLocal();
    this.byte(COMMA);
    this.writeEmail();
    this.byte(COMMA);
    this.copy(this.firstNames.csv, this.firstIndex);
    this.byte(COMMA);
    this.copy(this.last.csv, this.lastIndex);
    this.byte(COMMA);
    this.copy(this.departments.csv, this.departmentIndex);
    this.byte(COMMA);
    this.copy(this.jobs.csv, this.jobIndex);
    this.byte(COMMA);
    this.copy(this.birthDays.utf8, this.birthIndex);
    this.byte(COMMA);
    this.copy(this.cities.csv, this.cityIndex);
    this.byte(COMMA);
    this.copy(this.countries.csv, this.countryIndex);
    this.byte(COMMA);
    this.writeCreatedAt();
    this.byte(Z);
    this.byte(CR);
    this.byte(LF);
  }

  /** Make room for `bytes` more, keeping what is written. */
  private reserve(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(this.buf.length * 2 + bytes);
    bigger.set(this.buf.subarray(0, this.at));
    this.buf = bigger;
  }

  /** The most bytes one record can take in `format` (a JSON record's is the larger). */
  private longestRecord(format: Format): number {
    const column = (c: Column) => (format === 'csv' ? c.csv.longest : c.json.longest);
    const firstName = Math.max(column(this.female), column(this.male));
    const local =
      Math.max(this.female.slugBytes.longest, this.male.slugBytes.longest) + this.last.slugBytes.longest + 13;
    return (
      FIXED_BYTES +
      16 +
      2 * local +
      this.domains.utf8.longest +
      firstName +
      column(this.last) +
      column(this.departments) +
      column(this.jobs) +
      column(this.cities) +
      column(this.countries) +
      64
    );
  }

  /**
   * Ids `[start, end)` of one chunk rendered in `format` as UTF-8: NDJSON lines, JSON records
   * joined by `,\n`, or CSV rows, between `prefix` and `suffix` (the file's framing, see
   * {@link framing}). The bytes own their ArrayBuffer, so they can be transferred to another thread.
   */
  render(start: number, end: number, format: Format, prefix = '', suffix = ''): Buffer {
    const head = Buffer.from(prefix, 'utf8');
    const tail = Buffer.from(suffix, 'utf8');
    const longest = this.longestRecord(format) + 2;
    this.buf = Buffer.allocUnsafeSlow(Math.max(1024, (end - start) * 320 + head.length + tail.length));
    this.at = 0;
    this.reserve(head.length);
    this.buf.set(head, 0);
    this.at = head.length;
    const csv = format === 'csv';
    const ndjson = format === 'ndjson';
    for (let id = start; id < end; id++) {
      if (id === start || (id - 1) % CHUNK_SIZE === 0) this.seek(id);
      this.next(id);
      this.reserve(longest);
      if (csv) this.writeCsv();
      else if (ndjson) {
        this.writeJson();
        this.byte(LF);
      } else {
        if (id !== start) {
          this.byte(COMMA);
          this.byte(LF);
        }
        this.writeJson();
      }
    }
    this.reserve(tail.length);
    this.buf.set(tail, this.at);
    this.at += tail.length;
    const bytes = Buffer.from(this.buf.buffer, 0, this.at);
    this.buf = EMPTY;
    return bytes;
  }
}
