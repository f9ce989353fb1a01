import {
  DEPARTMENTS,
  SchemaMismatchError,
  USER_COLUMNS,
  USER_FIELDS,
  type User,
  type UserField,
} from '@stampede/schema';
import { csvField, type Format } from './format.js';
import { jobTitles, type LocaleData, type NameList } from './locales.js';
import { chunkSeed, Mulberry32 } from './random.js';

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

/** Every calendar day from one instant to another as YYYY-MM-DD: {@link encodeDays}, as strings. */
export function dayStrings(fromMs: number, toMs: number): string[] {
  const { bytes } = encodeDays(fromMs, toMs);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  return Array.from({ length: text.length / 10 }, (_, i) => text.slice(i * 10, i * 10 + 10));
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
/**
 * Strings encoded once as UTF-8 into one byte array, so writing one is a copy of a few
 * bytes: rendering allocates nothing per record, and a worker spends its time on records
 * rather than on garbage collection (which its threads would share with the other workers).
 * Plain data: it can live in a SharedArrayBuffer and reach workers without a copy.
 */
export interface Encoded {
  bytes: Uint8Array;
  /** String `i` is `bytes[starts[i], starts[i + 1])`; there are `starts.length - 1`. */
  starts: Uint32Array;
  /** The longest encoding, in bytes. */
  longest: number;
}

export function encode(strings: readonly string[]): Encoded {
  // One native encoding of them all rather than a Buffer per string (20k job titles and
  // 26k dates): the tables are built while the workers start, on the cores they need.
  const joined = strings.join('');
  const bytes = Buffer.from(joined, 'utf8');
  const ascii = bytes.length === joined.length;
  const starts = new Uint32Array(strings.length + 1);
  let total = 0;
  let longest = 0;
  for (let i = 0; i < strings.length; i++) {
    starts[i] = total;
    const s = strings[i] as string;
    const length = ascii ? s.length : Buffer.byteLength(s, 'utf8');
    total += length;
    if (length > longest) longest = length;
  }
  starts[strings.length] = total;
  return { bytes, starts, longest };
}

const size = (e: Encoded) => e.starts.length - 1;

/**
 * Everything a worker needs to render chunks of one locale in one format, encoded by the
 * calling thread once per run rather than by every worker (which would each read the locale
 * file and build the same tables at their start, on the cores the run needs).
 */
export interface RenderTables {
  format: Format;
  /** Mixed into every chunk seed so that two locales with one seed do not share departments and dates. */
  salt: number;
  femaleSlugs: Encoded;
  maleSlugs: Encoded;
  lastSlugs: Encoded;
  /** Names and places as the format writes them: JSON string literals, or CSV fields. */
  female: Encoded;
  male: Encoded;
  last: Encoded;
  departments: Encoded;
  jobs: Encoded;
  cities: Encoded;
  countries: Encoded;
  /** Written as they are: they need no quoting in either format. */
  domains: Encoded;
  birthDays: Encoded;
  createdDays: Encoded;
}

/** The pick lists of a locale, in the order a record's picks index them. */
interface PickLists {
  female: NameList;
  male: NameList;
  last: NameList;
  jobs: readonly string[];
  cities: readonly string[];
  /** Index 0 is the home country: nine users in ten live there. */
  countries: readonly string[];
  domains: readonly string[];
  birthDays: readonly string[];
  createdDays: readonly string[];
  salt: number;
}

function pickLists(data: LocaleData): PickLists {
  return {
    female: data.femaleFirstNames,
    male: data.maleFirstNames,
    last: data.lastNames,
    jobs: jobTitles(data.jobTitleParts),
    cities: data.cities,
    countries: countries(data),
    domains: data.emailDomains,
    birthDays: dayStrings(BIRTH_FIRST_MS, BIRTH_LAST_MS),
    createdDays: dayStrings(CREATED_FIRST_MS, REFERENCE_MS - DAY_MS),
    salt: salt(data),
  };
}

/** Index 0 is the home country: nine users in ten live there. */
function countries(data: LocaleData): string[] {
  return [data.homeCountry, ...data.countries.filter((c) => c !== data.homeCountry)];
}

function salt(data: LocaleData): number {
  return [...data.code].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 0x01000193), 0x811c9dc5);
}

/**
 * The tables {@link ChunkRenderer} renders `format` from. With `shared`, every array lives in
 * one SharedArrayBuffer, so handing the tables to a worker (in a task) copies nothing.
 */
export function renderTables(data: LocaleData, format: Format, shared = false): RenderTables {
  const tables = encodeTables(data, format);
  return shared ? shareTables(tables) : tables;
}

// The same lists as pickLists, but the 20k job titles and 26k dates go straight to bytes
// without a string each: built on the main thread while the workers start, on the cores
// they need, these took most of the tables' time and garbage.
/** A string as the format writes it: a JSON string literal, or a CSV field. */
function quoting(format: Format): (s: string) => string {
  return format === 'csv' ? csvField : (s) => JSON.stringify(s);
}

function encodeTables(data: LocaleData, format: Format): RenderTables {
  const quote = quoting(format);
  return {
    format,
    salt: salt(data),
    femaleSlugs: encode(data.femaleFirstNames.slugs),
    maleSlugs: encode(data.maleFirstNames.slugs),
    lastSlugs: encode(data.lastNames.slugs),
    female: encode(data.femaleFirstNames.names.map(quote)),
    male: encode(data.maleFirstNames.names.map(quote)),
    last: encode(data.lastNames.names.map(quote)),
    departments: encode(DEPARTMENTS.map(quote)),
    jobs: encodeCombinations(data.jobTitleParts, format),
    cities: encode(data.cities.map(quote)),
    countries: encode(countries(data).map(quote)),
    domains: encode(data.emailDomains),
    birthDays: encodeDays(BIRTH_FIRST_MS, BIRTH_LAST_MS),
    createdDays: encodeDays(CREATED_FIRST_MS, REFERENCE_MS - DAY_MS),
  };
}

const DIGIT_0 = 0x30;
const DASH = 0x2d;
const QUOTE = 0x22;

/**
 * Every calendar day from one instant to another as YYYY-MM-DD, encoded: 10 bytes each, by
 * counting days rather than formatting a Date each (26k dates at every run's start).
 */
export function encodeDays(fromMs: number, toMs: number): Encoded {
  const count = Math.floor((toMs - fromMs) / DAY_MS) + 1;
  const bytes = new Uint8Array(count * 10);
  const starts = new Uint32Array(count + 1);
  const from = new Date(fromMs);
  let year = from.getUTCFullYear();
  let month = from.getUTCMonth() + 1;
  let day = from.getUTCDate();
  let at = 0;
  for (let i = 0; i < count; i++) {
    starts[i] = at;
    bytes[at++] = DIGIT_0 + Math.floor(year / 1000);
    bytes[at++] = DIGIT_0 + (Math.floor(year / 100) % 10);
    bytes[at++] = DIGIT_0 + (Math.floor(year / 10) % 10);
    bytes[at++] = DIGIT_0 + (year % 10);
    bytes[at++] = DASH;
    bytes[at++] = DIGIT_0 + Math.floor(month / 10);
    bytes[at++] = DIGIT_0 + (month % 10);
    bytes[at++] = DASH;
    bytes[at++] = DIGIT_0 + Math.floor(day / 10);
    bytes[at++] = DIGIT_0 + (day % 10);
    if (++day > daysInMonth(year, month)) {
      day = 1;
      if (++month > 12) {
        month = 1;
        year++;
      }
    }
  }
  starts[count] = at;
  return { bytes, starts, longest: 10 };
}

/**
 * `encode(jobTitles(parts).map(quote))` for the format's quoting, without a string per title.
 * Both quotings escape character by character (JSON's escapes, CSV's doubled quotes), so a
 * title's quoted form is its parts' escaped forms joined, inside quotes when it needs them:
 * always in JSON, in CSV when a part holds a quote, comma or line break.
 */
export function encodeCombinations(parts: LocaleData['jobTitleParts'], format: Format): Encoded {
  const csv = format === 'csv';
  // A surrogate pair split across two parts would escape differently apart: never in
  // faker's job words, but then the plain way is the right one.
  if (parts.some((options) => options.some((o) => /[\ud800-\udfff]/.test(o)))) {
    return encode(jobTitles(parts).map(quoting(format)));
  }
  type Piece = { bytes: Buffer; quote: boolean };
  const escaped: Piece[][] = parts.map((options) =>
    options.map((o) => ({
      bytes: Buffer.from(csv ? o.replaceAll('"', '""') : JSON.stringify(o).slice(1, -1), 'utf8'),
      quote: !csv || csvField(o) !== o,
    })),
  );
  const count = parts.reduce((n, options) => n * options.length, 1);
  const widest = escaped.reduce((n, options) => n + Math.max(0, ...options.map((o) => o.bytes.length)), 2);
  const bytes = new Uint8Array(count * widest);
  const starts = new Uint32Array(count + 1);
  // The option each part takes in the current title, advanced like an odometer, the last part fastest.
  const digit = parts.map(() => 0);
  const chosen = escaped.map((options) => options[0] as Piece);
  let at = 0;
  let longest = 0;
  for (let i = 0; i < count; i++) {
    starts[i] = at;
    const quote = chosen.some((piece) => piece.quote);
    if (quote) bytes[at++] = QUOTE;
    for (const piece of chosen) {
      bytes.set(piece.bytes, at);
      at += piece.bytes.length;
    }
    if (quote) bytes[at++] = QUOTE;
    longest = Math.max(longest, at - (starts[i] as number));
    for (let k = escaped.length - 1; k >= 0; k--) {
      const options = escaped[k] as Piece[];
      const next = ((digit[k] as number) + 1) % options.length;
      digit[k] = next;
      chosen[k] = options[next] as Piece;
      if (next !== 0) break;
    }
  }
  starts[count] = at;
  return { bytes: bytes.subarray(0, at), starts, longest };
}

function shareTables(tables: RenderTables): RenderTables {
  const lists = Object.entries(tables).filter((e): e is [string, Encoded] => typeof e[1] === 'object');
  const align = (n: number) => Math.ceil(n / 4) * 4;
  const total = lists.reduce((n, [, e]) => n + align(e.bytes.length) + e.starts.byteLength, 0);
  const memory = new SharedArrayBuffer(total);
  let at = 0;
  const out: Record<string, unknown> = { ...tables };
  for (const [key, e] of lists) {
    const starts = new Uint32Array(memory, at, e.starts.length);
    starts.set(e.starts);
    at += e.starts.byteLength;
    const bytes = new Uint8Array(memory, at, e.bytes.length);
    bytes.set(e.bytes);
    at += align(e.bytes.length);
    out[key] = { bytes, starts, longest: e.longest };
  }
  return out as unknown as RenderTables;
}

/** How many of each pick list there are: all a record's picks depend on, with the seed and the id. */
interface PickSizes {
  female: number;
  male: number;
  last: number;
  jobs: number;
  cities: number;
  countries: number;
  domains: number;
  birthDays: number;
  createdDays: number;
  salt: number;
}

/**
 * The picks of one record at a time, drawn in a fixed order from a per-chunk PRNG, so the
 * same id always gives the same record: the text generator and the byte renderer share it.
 */
export class Picks {
  private readonly random = new Mulberry32();
  id = 0;
  female = false;
  firstIndex = 0;
  lastIndex = 0;
  departmentIndex = 0;
  jobIndex = 0;
  birthIndex = 0;
  createdIndex = 0;
  /** Milliseconds into the creation day. */
  createdMs = 0;
  cityIndex = 0;
  countryIndex = 0;
  domainIndex = 0;

  constructor(
    private readonly sizes: PickSizes,
    private readonly seed: number,
  ) {}

  /** Position at `id`: seed its chunk and skip the ids before it in that chunk. */
  seek(id: number): void {
    const index = Math.floor((id - 1) / CHUNK_SIZE);
    this.random.reset(chunkSeed(this.seed, index) ^ this.sizes.salt);
    for (let skip = index * CHUNK_SIZE + 1; skip < id; skip++) this.next(skip);
  }

  private pick(length: number): number {
    return this.random.pick(length);
  }

  next(id: number): void {
    const s = this.sizes;
    this.id = id;
    this.female = this.random.below(0.5);
    this.firstIndex = this.pick(this.female ? s.female : s.male);
    this.lastIndex = this.pick(s.last);
    this.departmentIndex = this.pick(DEPARTMENTS.length);
    this.jobIndex = this.pick(s.jobs);
    this.birthIndex = this.pick(s.birthDays);
    this.createdIndex = this.pick(s.createdDays);
    this.createdMs = this.pick(DAY_MS);
    this.cityIndex = this.pick(s.cities);
    const abroad = this.random.below(0.1);
    const other = 1 + this.pick(s.countries - 1);
    this.countryIndex = abroad ? other : 0;
    this.domainIndex = this.pick(s.domains);
  }

  /** Ids `[start, end)` in order, each picked in turn. */
  *walk(start: number, end: number): Generator<number> {
    for (let id = start; id < end; id++) {
      if (id === start || (id - 1) % CHUNK_SIZE === 0) this.seek(id);
      this.next(id);
      yield id;
    }
  }
}

/** Makes users for one locale and seed as objects (see {@link ChunkRenderer} for bytes). */
export class UserGenerator {
  private readonly lists: PickLists;
  private readonly picks: Picks;
  private readonly renderers = new Map<Format, ChunkRenderer>();

  constructor(
    private readonly data: LocaleData,
    private readonly seed: number,
  ) {
    this.lists = pickLists(data);
    const l = this.lists;
    this.picks = new Picks(
      {
        female: l.female.names.length,
        male: l.male.names.length,
        last: l.last.names.length,
        jobs: l.jobs.length,
        cities: l.cities.length,
        countries: l.countries.length,
        domains: l.domains.length,
        birthDays: l.birthDays.length,
        createdDays: l.createdDays.length,
        salt: l.salt,
      },
      seed,
    );
    // user() names every field by hand; its order is the JSON order users see, so hold it to the table.
    for (const _ of this.picks.walk(1, 2)) {
      const keys = Object.keys(this.user()).join(',');
      if (keys !== USER_FIELDS.join(',')) {
        throw new SchemaMismatchError('UserGenerator', `it makes the fields ${keys}, the table has ${USER_FIELDS}`);
      }
    }
  }

  private user(): User {
    const p = this.picks;
    const l = this.lists;
    const first = p.female ? l.female : l.male;
    // The id in base 36 after the last dot makes username and email unique by construction:
    // slugs never contain a dot, so two different ids can never give the same string.
    const local = `${first.slugs[p.firstIndex]}.${l.last.slugs[p.lastIndex]}.${p.id.toString(36)}`;
    const sec = Math.floor(p.createdMs / 1000);
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    return {
      id: p.id,
      username: local,
      email: `${local}@${l.domains[p.domainIndex]}`,
      firstName: first.names[p.firstIndex] as string,
      lastName: l.last.names[p.lastIndex] as string,
      department: DEPARTMENTS[p.departmentIndex] as User['department'],
      jobTitle: l.jobs[p.jobIndex] as string,
      birthDate: l.birthDays[p.birthIndex] as string,
      city: l.cities[p.cityIndex] as string,
      country: l.countries[p.countryIndex] as string,
      createdAt: `${l.createdDays[p.createdIndex]}T${pad(Math.floor(sec / 3600), 2)}:${pad(Math.floor(sec / 60) % 60, 2)}:${pad(sec % 60, 2)}.${pad(p.createdMs % 1000, 3)}Z`,
    };
  }

  /** The users with ids `[start, end)`. */
  users(start: number, end: number): User[] {
    const out: User[] = [];
    for (const _ of this.picks.walk(start, end)) out.push(this.user());
    return out;
  }

  /** The bytes {@link ChunkRenderer.render} gives for these ids: the same records, encoded. */
  render(start: number, end: number, format: Format, prefix = '', suffix = ''): Buffer {
    let renderer = this.renderers.get(format);
    if (!renderer) {
      renderer = new ChunkRenderer(encodeTables(this.data, format), this.seed);
      this.renderers.set(format, renderer);
    }
    return renderer.render(start, end, prefix, suffix);
  }
}

// The fixed parts of a JSON record, in order.
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
].map((s) => encode([s]));
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

/** Bytes of string `i` of an encoded list. */
function lengthOf(e: Encoded, i: number): number {
  return (e.starts[i + 1] as number) - (e.starts[i] as number);
}

// Kinds whose tables hold the value as the format writes it (JSON literal or CSV field); the
// other kinds are plain ASCII, written bare in CSV and between quotes in JSON.
const QUOTED_IN_TABLES: ReadonlySet<string> = new Set(['text', 'department']);

/**
 * One record as the column table orders it: `fields` (each as the format writes it, see
 * ChunkRenderer's fieldTexts) in {@link USER_COLUMNS} order, framed as the format frames a record.
 * The reference the byte renderer is checked against at start-up.
 */
export function recordByTable(fields: Readonly<Record<UserField, string>>, format: Format): string {
  if (format === 'csv') return `${USER_COLUMNS.map((c) => fields[c.field]).join(',')}\r\n`;
  const json = USER_COLUMNS.map((c) => {
    const value = fields[c.field];
    const literal = c.kind === 'id' || QUOTED_IN_TABLES.has(c.kind) ? value : `"${value}"`;
    return `${JSON.stringify(c.field)}:${literal}`;
  });
  return `{${json.join(',')}}${format === 'ndjson' ? '\n' : ''}`;
}

/** Renders chunks of records as bytes from {@link RenderTables}: what a worker runs. */
export class ChunkRenderer {
  // Protected, as are the record writers, so that a test can show the start-up check at work.
  protected readonly t: RenderTables;
  protected readonly picks: Picks;
  /** The most bytes one record can take. */
  private readonly longest: number;
  // The buffer render() writes into, and how far.
  private buf: Buffer = EMPTY;
  private at = 0;
  private readonly scratch = new Uint8Array(16);

  constructor(tables: RenderTables, seed: number) {
    const t = tables;
    this.t = t;
    this.picks = new Picks(
      {
        female: size(t.female),
        male: size(t.male),
        last: size(t.last),
        jobs: size(t.jobs),
        cities: size(t.cities),
        countries: size(t.countries),
        domains: size(t.domains),
        birthDays: size(t.birthDays),
        createdDays: size(t.createdDays),
        salt: t.salt,
      },
      seed,
    );
    const local = Math.max(t.femaleSlugs.longest, t.maleSlugs.longest) + t.lastSlugs.longest + 13;
    this.longest =
      FIXED_BYTES +
      16 +
      2 * local +
      t.domains.longest +
      Math.max(t.female.longest, t.male.longest) +
      t.last.longest +
      t.departments.longest +
      t.jobs.longest +
      t.cities.longest +
      t.countries.longest +
      t.birthDays.longest +
      t.createdDays.longest +
      64;
    this.check();
  }

  /**
   * The byte writers below name the fields by hand, for speed: hold them to the column table
   * before any chunk, by rendering a few records both ways (see {@link recordByTable}).
   * @throws SchemaMismatchError when they disagree: a field missing, extra or out of order.
   */
  private check(): void {
    const format = this.t.format;
    for (let id = 1; id <= 3; id++) {
      const rendered = this.render(id, id + 1).toString('utf8');
      const expected = recordByTable(this.fieldTexts(), format);
      if (rendered !== expected) {
        throw new SchemaMismatchError(
          `the ${format} renderer`,
          `it writes record ${id} as ${JSON.stringify(rendered)}, the table gives ${JSON.stringify(expected)}`,
        );
      }
    }
  }

  /** The current record's fields as the format writes each, keyed by field: slow, and no order to get wrong. */
  private fieldTexts(): Record<UserField, string> {
    const p = this.picks;
    const t = this.t;
    const text = (e: Encoded, i: number) =>
      Buffer.from(e.bytes.buffer, e.bytes.byteOffset + (e.starts[i] as number), lengthOf(e, i)).toString('utf8');
    const local = `${text(p.female ? t.femaleSlugs : t.maleSlugs, p.firstIndex)}.${text(t.lastSlugs, p.lastIndex)}.${p.id.toString(36)}`;
    const sec = Math.floor(p.createdMs / 1000);
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    return {
      id: String(p.id),
      username: local,
      email: `${local}@${text(t.domains, p.domainIndex)}`,
      firstName: text(p.female ? t.female : t.male, p.firstIndex),
      lastName: text(t.last, p.lastIndex),
      department: text(t.departments, p.departmentIndex),
      jobTitle: text(t.jobs, p.jobIndex),
      birthDate: text(t.birthDays, p.birthIndex),
      city: text(t.cities, p.cityIndex),
      country: text(t.countries, p.countryIndex),
      createdAt: `${text(t.createdDays, p.createdIndex)}T${pad(Math.floor(sec / 3600), 2)}:${pad(Math.floor(sec / 60) % 60, 2)}:${pad(sec % 60, 2)}.${pad(p.createdMs % 1000, 3)}Z`,
    };
  }

  protected copy(from: Encoded, index: number): void {
    const src = from.bytes;
    const end = from.starts[index + 1] as number;
    const out = this.buf;
    let at = this.at;
    for (let i = from.starts[index] as number; i < end; i++) out[at++] = src[i] as number;
    this.at = at;
  }

  protected byte(b: number): void {
    this.buf[this.at++] = b;
  }

  /** A non-negative safe integer in base 10 or 36, as Number#toString writes it. */
  protected integer(n: number, radix: number): void {
    const scratch = this.scratch;
    let len = 0;
    do {
      const digit = n % radix;
      scratch[len++] = DIGITS[digit] as number;
      n = (n - digit) / radix;
    } while (n > 0);
    while (len > 0) this.byte(scratch[--len] as number);
  }

  protected padded(n: number, width: number): void {
    if (width === 3) this.byte(ZERO + Math.floor(n / 100));
    this.byte(ZERO + (Math.floor(n / 10) % 10));
    this.byte(ZERO + (n % 10));
  }

  protected writeLocal(): void {
    const p = this.picks;
    this.copy(p.female ? this.t.femaleSlugs : this.t.maleSlugs, p.firstIndex);
    this.byte(DOT);
    this.copy(this.t.lastSlugs, p.lastIndex);
    this.byte(DOT);
    this.integer(p.id, 36);
  }

  protected writeEmail(): void {
    this.writeLocal();
    this.byte(AT);
    this.copy(this.t.domains, this.picks.domainIndex);
  }

  protected writeCreatedAt(): void {
    const p = this.picks;
    this.copy(this.t.createdDays, p.createdIndex);
    this.byte(T);
    const ms = p.createdMs;
    const sec = Math.floor(ms / 1000);
    this.padded(Math.floor(sec / 3600), 2);
    this.byte(COLON);
    this.padded(Math.floor(sec / 60) % 60, 2);
    this.byte(COLON);
    this.padded(sec % 60, 2);
    this.byte(DOT);
    this.padded(ms % 1000, 3);
  }

  // Byte-for-byte what JSON.stringify gives for the record, without building it.
  protected writeJson(): void {
    const p = this.picks;
    const t = this.t;
    this.copy(J_ID, 0);
    this.integer(p.id, 10);
    this.copy(J_USERNAME, 0);
    this.writeLocal();
    this.copy(J_EMAIL, 0);
    this.writeEmail();
    this.copy(J_FIRST, 0);
    this.copy(p.female ? t.female : t.male, p.firstIndex);
    this.copy(J_LAST, 0);
    this.copy(t.last, p.lastIndex);
    this.copy(J_DEPARTMENT, 0);
    this.copy(t.departments, p.departmentIndex);
    this.copy(J_JOB, 0);
    this.copy(t.jobs, p.jobIndex);
    this.copy(J_BIRTH, 0);
    this.copy(t.birthDays, p.birthIndex);
    this.copy(J_CITY, 0);
    this.copy(t.cities, p.cityIndex);
    this.copy(J_COUNTRY, 0);
    this.copy(t.countries, p.countryIndex);
    this.copy(J_CREATED, 0);
    this.writeCreatedAt();
    this.copy(J_END, 0);
  }

  protected writeCsv(): void {
    const p = this.picks;
    const t = this.t;
    this.integer(p.id, 10);
    this.byte(COMMA);
    this.writeLocal();
    this.byte(COMMA);
    this.writeEmail();
    this.byte(COMMA);
    this.copy(p.female ? t.female : t.male, p.firstIndex);
    this.byte(COMMA);
    this.copy(t.last, p.lastIndex);
    this.byte(COMMA);
    this.copy(t.departments, p.departmentIndex);
    this.byte(COMMA);
    this.copy(t.jobs, p.jobIndex);
    this.byte(COMMA);
    this.copy(t.birthDays, p.birthIndex);
    this.byte(COMMA);
    this.copy(t.cities, p.cityIndex);
    this.byte(COMMA);
    this.copy(t.countries, p.countryIndex);
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

  // The hot loop, in a method of its own: V8 compiles it once in the first chunk and then
  // keeps it. Inlined in render(), its optimized code was left at the loop's end on every
  // chunk, for the statements after it that had never run when it was compiled.
  private records(start: number, end: number): void {
    const format = this.t.format;
    const csv = format === 'csv';
    const ndjson = format === 'ndjson';
    const p = this.picks;
    for (let id = start; id < end; id++) {
      if (id === start || (id - 1) % CHUNK_SIZE === 0) p.seek(id);
      p.next(id);
      this.reserve(this.longest);
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
  }

  /**
   * Ids `[start, end)` of one chunk as UTF-8 in the tables' format: NDJSON lines, JSON records
   * joined by `,\n`, or CSV rows, between `prefix` and `suffix` (the file's framing, see
   * {@link framing}). The bytes own their ArrayBuffer, so they can be transferred to another thread:
   * `into`'s when it is given and large enough, else a new one.
   */
  render(start: number, end: number, prefix = '', suffix = '', into?: ArrayBuffer): Buffer {
    const head = Buffer.from(prefix, 'utf8');
    const tail = Buffer.from(suffix, 'utf8');
    const estimate = Math.max(1024, (end - start) * 320 + head.length + tail.length);
    this.buf = into && into.byteLength >= estimate ? Buffer.from(into) : Buffer.allocUnsafeSlow(estimate);
    this.at = 0;
    this.reserve(head.length);
    this.buf.set(head, 0);
    this.at = head.length;
    this.records(start, end);
    this.reserve(tail.length);
    this.buf.set(tail, this.at);
    this.at += tail.length;
    const bytes = Buffer.from(this.buf.buffer, 0, this.at);
    this.buf = EMPTY;
    return bytes;
  }
}
