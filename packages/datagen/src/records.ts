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

const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * A pick list with each rendering computed once, on first use, so a record is only
 * concatenation (and a run pays only for the format it writes).
 */
class Column {
  private jsonCache: readonly string[] | undefined;
  private csvCache: readonly string[] | undefined;
  constructor(readonly text: readonly string[]) {}
  get json(): readonly string[] {
    this.jsonCache ??= this.text.map((s) => JSON.stringify(s));
    return this.jsonCache;
  }
  get csv(): readonly string[] {
    this.csvCache ??= this.text.map(csvField);
    return this.csvCache;
  }
}

class NameColumn extends Column {
  readonly slugs: readonly string[];
  constructor(list: NameList) {
    super(list.names);
    this.slugs = list.slugs;
  }
}

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
  private readonly domains: readonly string[];
  // Mixed into every chunk seed so that two locales with one seed do not share departments and dates.
  private readonly localeSalt: number;
  private readonly birthDays = dayStrings(BIRTH_FIRST_MS, BIRTH_LAST_MS);
  private readonly createdDays = dayStrings(CREATED_FIRST_MS, REFERENCE_MS - DAY_MS);

  // The current record's picks, overwritten by next(): no allocation per record.
  private random: Random = mulberry32(0);
  private id = 0;
  private firstNames!: NameColumn;
  private firstIndex = 0;
  private lastIndex = 0;
  private departmentIndex = 0;
  private jobIndex = 0;
  private birthDate = '';
  private createdAt = '';
  private cityIndex = 0;
  private countryIndex = 0;
  private local = '';
  private domain = '';

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
    this.domains = data.emailDomains;
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
    this.birthDate = this.birthDays[this.pick(this.birthDays.length)] as string;
    const day = this.createdDays[this.pick(this.createdDays.length)] as string;
    const ms = this.pick(DAY_MS);
    const sec = Math.floor(ms / 1000);
    this.createdAt = `${day}T${PAD2[Math.floor(sec / 3600)]}:${PAD2[Math.floor(sec / 60) % 60]}:${PAD2[sec % 60]}.${PAD3[ms % 1000]}Z`;
    this.cityIndex = this.pick(this.cities.text.length);
    const abroad = r() < 0.1;
    const other = 1 + this.pick(this.countries.text.length - 1);
    this.countryIndex = abroad ? other : 0;
    this.domain = this.domains[this.pick(this.domains.length)] as string;
    // The id in base 36 after the last dot makes username and email unique by construction:
    // slugs never contain a dot, so two different ids can never give the same string.
    this.local = `${this.firstNames.slugs[this.firstIndex]}.${this.last.slugs[this.lastIndex]}.${id.toString(36)}`;
  }

  private user(): User {
    return {
      id: this.id,
      username: this.local,
      email: `${this.local}@${this.domain}`,
      firstName: this.firstNames.text[this.firstIndex] as string,
      lastName: this.last.text[this.lastIndex] as string,
      department: DEPARTMENTS[this.departmentIndex] as User['department'],
      jobTitle: this.jobs.text[this.jobIndex] as string,
      birthDate: this.birthDate,
      city: this.cities.text[this.cityIndex] as string,
      country: this.countries.text[this.countryIndex] as string,
      createdAt: this.createdAt,
    };
  }

  // Byte-for-byte what JSON.stringify(this.user()) gives, without building the object.
  private json(): string {
    return `{"id":${this.id},"username":"${this.local}","email":"${this.local}@${this.domain}","firstName":${this.firstNames.json[this.firstIndex]},"lastName":${this.last.json[this.lastIndex]},"department":${this.departments.json[this.departmentIndex]},"jobTitle":${this.jobs.json[this.jobIndex]},"birthDate":"${this.birthDate}","city":${this.cities.json[this.cityIndex]},"country":${this.countries.json[this.countryIndex]},"createdAt":"${this.createdAt}"}`;
  }

  private csv(): string {
    return `${this.id},${this.local},${this.local}@${this.domain},${this.firstNames.csv[this.firstIndex]},${this.last.csv[this.lastIndex]},${this.departments.csv[this.departmentIndex]},${this.jobs.csv[this.jobIndex]},${this.birthDate},${this.cities.csv[this.cityIndex]},${this.countries.csv[this.countryIndex]},${this.createdAt}\r\n`;
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

  /**
   * Ids `[start, end)` of one chunk rendered in `format` as UTF-8: NDJSON lines, JSON records
   * joined by `,\n`, or CSV rows, between `prefix` and `suffix` (the file's framing, see
   * {@link framing}). The bytes own their ArrayBuffer, so they can be transferred to another thread.
   */
  render(start: number, end: number, format: Format, prefix = '', suffix = ''): Buffer {
    // Each record is encoded straight into one buffer: no chunk-sized string (a rope of
    // 250k pieces) lives long enough to be promoted, which keeps worker heaps small.
    let buf = Buffer.allocUnsafeSlow(Math.max(1024, (end - start) * 320 + (prefix.length + suffix.length) * 3));
    let at = buf.write(prefix, 0);
    const put = (text: string) => {
      // 3 bytes per UTF-16 unit is UTF-8's worst case.
      if (at + text.length * 3 > buf.length) {
        const bigger = Buffer.allocUnsafeSlow(buf.length * 2 + text.length * 3);
        buf.copy(bigger, 0, 0, at);
        buf = bigger;
      }
      at += buf.write(text, at);
    };
    for (let id = start; id < end; id++) {
      if (id === start || (id - 1) % CHUNK_SIZE === 0) this.seek(id);
      this.next(id);
      if (format === 'csv') put(this.csv());
      else if (format === 'ndjson') put(`${this.json()}\n`);
      else put(id === start ? this.json() : `,\n${this.json()}`);
    }
    put(suffix);
    return buf.subarray(0, at);
  }
}
