import { createHash } from 'node:crypto';
import { isSchemaMismatchError, USER_FIELDS, type UserField, validateUser } from '@stampede/schema';
import { describe, expect, it } from 'vitest';
import { csvField } from './format.js';
import { asciiSlug, jobTitles, LOCALES, loadLocale } from './locales.js';
import {
  CHUNK_SIZE,
  ChunkRenderer,
  chunkCount,
  dayStrings,
  type Encoded,
  encode,
  encodeCombinations,
  encodeDays,
  planChunks,
  recordByTable,
  renderTables,
  UserGenerator,
} from './records.js';

/** The same strings at the same offsets (comparing big typed arrays as bytes, not element by element). */
function expectSame(actual: Encoded, expected: Encoded): void {
  const bytes = (a: Uint8Array | Uint32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  expect(actual.starts.length).toBe(expected.starts.length);
  expect(bytes(actual.starts).equals(bytes(expected.starts))).toBe(true);
  expect(bytes(actual.bytes).equals(bytes(expected.bytes))).toBe(true);
  expect(actual.longest).toBe(expected.longest);
}

describe('planChunks', () => {
  it('aligns chunks to absolute ids, so the chunk layout does not depend on where a run starts', () => {
    const chunks = [...planChunks(9_995, 10_010)];
    expect(chunks).toEqual([
      { index: 0, start: 9_995, end: 10_001 },
      { index: 1, start: 10_001, end: 20_001 },
      { index: 2, start: 20_001, end: 20_005 },
    ]);
    expect(chunkCount(9_995, 10_010)).toBe(3);
  });
  it('counts chunks for many shapes of range', () => {
    for (const [start, count] of [
      [1, 1],
      [1, CHUNK_SIZE],
      [1, CHUNK_SIZE + 1],
      [CHUNK_SIZE, 2],
      [123_456, 98_765],
    ] as const) {
      const chunks = [...planChunks(start, count)];
      expect(chunks.length).toBe(chunkCount(start, count));
      expect(chunks.reduce((n, c) => n + c.end - c.start, 0)).toBe(count);
    }
  });
});

describe('dayStrings', () => {
  it('agrees with Date for every day across leap years and century rules', () => {
    const from = Date.UTC(1896, 0, 1);
    const to = Date.UTC(2030, 11, 31);
    const days = dayStrings(from, to);
    expect(days.length).toBe((to - from) / 86_400_000 + 1);
    days.forEach((d, i) => {
      if (d !== new Date(from + i * 86_400_000).toISOString().slice(0, 10)) throw new Error(`day ${i}: ${d}`);
    });
    expect(days).toContain('2000-02-29');
    expect(days).not.toContain('1900-02-29');
  });

  it('is what encodeDays writes as bytes', () => {
    const from = Date.UTC(1896, 0, 1);
    const to = Date.UTC(2030, 11, 31);
    expectSame(encodeDays(from, to), encode(dayStrings(from, to)));
  });
});

describe('encodeCombinations', () => {
  const quoting = { ndjson: (s: string) => JSON.stringify(s), json: (s: string) => JSON.stringify(s), csv: csvField };

  it.each(LOCALES)('%s: encodes every job title as the format quotes it', async (locale) => {
    const parts = (await loadLocale(locale)).jobTitleParts;
    for (const format of ['ndjson', 'csv'] as const) {
      expectSame(encodeCombinations(parts, format), encode(jobTitles(parts).map(quoting[format])));
    }
  });

  it('quotes and escapes a title as a whole, for parts that need it', () => {
    const parts = [['Chef', 'Say "hi"', 'Ünter, Leiter'], [' '], ['de\\partie', 'line\nbreak', '東京']];
    for (const format of ['json', 'csv'] as const) {
      expectSame(encodeCombinations(parts, format), encode(jobTitles(parts).map(quoting[format])));
    }
    // A surrogate pair split across parts escapes as one character when joined.
    const split = [['a\ud83d'], ['\ude00b']];
    expectSame(encodeCombinations(split, 'json'), encode([JSON.stringify('a😀b')]));
  });
});

describe('asciiSlug', () => {
  it('transliterates names to a-z, 0-9 and inner hyphens', () => {
    expect(asciiSlug('Müller-Lüdenscheidt', 'de')).toBe('mueller-luedenscheid'); // cut at 20
    expect(asciiSlug('Hélène', 'fr')).toBe('helene');
    expect(asciiSlug("O'Connor")).toBe('o-connor');
    expect(asciiSlug('Straße', 'de')).toBe('strasse');
    expect(asciiSlug('Łukasz Øster')).toBe('lukasz-oster');
    expect(asciiSlug('佐藤')).toBe('user');
    expect(asciiSlug('A'.repeat(50)).length).toBe(20);
  });
});

describe('UserGenerator', () => {
  it.each(LOCALES)('%s: records pass the validator, with ASCII usernames and emails', async (locale) => {
    const generator = new UserGenerator(await loadLocale(locale), 7);
    const users = generator.users(1, 3_001);
    for (const user of users) {
      const result = validateUser(user);
      expect(result.ok ? [] : result.issues).toEqual([]);
      expect(user.username).toMatch(/^[a-z0-9.-]+$/);
      expect(user.email).toMatch(/^[a-z0-9.-]+@example\.(com|net|org)$/);
    }
    expect(new Set(users.map((u) => u.username)).size).toBe(users.length);
  });

  it('gives names and places of the locale, non-ASCII included', async () => {
    const de = new UserGenerator(await loadLocale('de'), 1).users(1, 2_001);
    const ja = new UserGenerator(await loadLocale('ja'), 1).users(1, 2_001);
    expect(de.some((u) => /[äöüß]/i.test(u.city + u.lastName))).toBe(true);
    expect(de.filter((u) => u.country === 'Deutschland').length).toBeGreaterThan(1_500);
    expect(ja.every((u) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(u.firstName + u.lastName + u.city))).toBe(true);
  });

  it('makes the same record for an id whatever range it is generated in', async () => {
    const data = await loadLocale('en');
    const whole = new UserGenerator(data, 3).users(1, 25_001);
    const middle = new UserGenerator(data, 3).users(9_990, 20_020);
    expect(middle).toEqual(whole.slice(9_989, 20_019));
    const otherSeed = new UserGenerator(data, 4).users(9_990, 9_991);
    expect(otherSeed[0]).not.toEqual(middle[0]);
  });

  it('renders NDJSON exactly as JSON.stringify of the records, and JSON/CSV consistently', async () => {
    const generator = new UserGenerator(await loadLocale('fr'), 5);
    const users = generator.users(100, 400);
    const ndjson = Buffer.from(generator.render(100, 400, 'ndjson')).toString('utf8');
    expect(ndjson).toBe(users.map((u) => `${JSON.stringify(u)}\n`).join(''));
    const json = Buffer.from(generator.render(100, 400, 'json')).toString('utf8');
    expect(JSON.parse(`[${json}]`)).toEqual(users);
    const csv = Buffer.from(generator.render(100, 400, 'csv')).toString('utf8');
    expect(csv.split('\r\n').length).toBe(users.length + 1);
  });

  it('renders into a buffer that grows when records are longer than estimated', async () => {
    const generator = new UserGenerator(await loadLocale('ja'), 1);
    const bytes = generator.render(1, 2, 'ndjson');
    expect(JSON.parse(Buffer.from(bytes).toString('utf8'))).toEqual(generator.users(1, 2)[0]);
  });

  it('renders the same bytes from tables in shared memory, as workers get them', async () => {
    const data = await loadLocale('de');
    for (const format of ['ndjson', 'json', 'csv'] as const) {
      const shared = renderTables(data, format, true);
      expect(shared.jobs.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
      const own = new ChunkRenderer(renderTables(data, format), 9).render(9_995, 10_020, '[', ']');
      expect(new ChunkRenderer(shared, 9).render(9_995, 10_020, '[', ']')).toEqual(own);
      expect(new UserGenerator(data, 9).render(9_995, 10_020, format, '[', ']')).toEqual(own);
    }
  });

  // The bytes this version makes, pinned: a change to the picks, the PRNG or the tables that
  // keeps every other test green still changes users' data for a seed, and must be deliberate
  // (and noted in the changelog). So does rewriting the locale files after a faker upgrade
  // (test/locale-files.test.ts), when faker's lists changed.
  it('makes the same bytes as before for a seed, in every locale and format', async () => {
    const pinned: Record<string, string> = {
      'en ndjson': '2196af331ee785ec',
      'en json': 'c787f30a6b0c697f',
      'en csv': '86da30e921bd71ce',
      'de ndjson': 'e9bb6c28e079e8c6',
      'de json': '60abed8ea983b547',
      'de csv': '213762fdc77368e8',
      'fr ndjson': '2a17fdf5dbff94c5',
      'fr json': 'b9da198af94fe153',
      'fr csv': '0a3ab5b7e0ef9d1e',
      'ja ndjson': 'd2d424f05f5a3149',
      'ja json': '72bc45835bddfb5f',
      'ja csv': 'f947a430b449953c',
    };
    const made: Record<string, string> = {};
    for (const locale of LOCALES) {
      const data = await loadLocale(locale);
      for (const format of ['ndjson', 'json', 'csv'] as const) {
        const renderer = new ChunkRenderer(renderTables(data, format), 7);
        const hash = createHash('sha256');
        for (const [start, end] of [
          [9_990, 10_001],
          [10_001, 20_001],
          [20_001, 23_456],
        ] as const) {
          hash.update(renderer.render(start, end));
        }
        made[`${locale} ${format}`] = hash.digest('hex').slice(0, 16);
      }
    }
    expect(made).toEqual(pinned);
  });
});

describe('ChunkRenderer start-up check against the column table', () => {
  // A renderer that writes country before city: the base writers with the two fields' tables
  // and picks exchanged for the length of one record.
  class CountryBeforeCity extends ChunkRenderer {
    private swap(): void {
      [this.t.cities, this.t.countries] = [this.t.countries, this.t.cities];
      [this.picks.cityIndex, this.picks.countryIndex] = [this.picks.countryIndex, this.picks.cityIndex];
    }
    protected override writeCsv(): void {
      this.swap();
      super.writeCsv();
      this.swap();
    }
    protected override writeJson(): void {
      this.swap();
      super.writeJson();
      this.swap();
    }
  }

  it.each(['ndjson', 'json', 'csv'] as const)(
    'refuses to start when the %s writer orders fields otherwise',
    async (format) => {
      const tables = renderTables(await loadLocale('de'), format);
      expect(() => new ChunkRenderer(tables, 7)).not.toThrow();
      let error: unknown;
      try {
        new CountryBeforeCity(tables, 7);
      } catch (e) {
        error = e;
      }
      expect(isSchemaMismatchError(error)).toBe(true);
      expect((error as Error).message).toMatch(
        new RegExp(`^the ${format} renderer disagrees with the column table \\(USER_COLUMNS\\): it writes record 1 as`),
      );
    },
  );

  it('builds the reference record from the table: CSV in column order, JSON with the field names', () => {
    // As the tables hold them: names and places already quoted for the format, ASCII kinds bare.
    const quoted = new Set(['firstName', 'lastName', 'department', 'jobTitle', 'city', 'country']);
    const fields = Object.fromEntries(
      USER_FIELDS.map((f) => [f, f === 'id' ? '1' : quoted.has(f) ? `"${f}"` : f]),
    ) as Record<UserField, string>;
    expect(recordByTable(fields, 'csv')).toBe(`${USER_FIELDS.map((f) => fields[f]).join(',')}\r\n`);
    const json = recordByTable(fields, 'ndjson');
    expect(json.endsWith('}\n')).toBe(true);
    expect(Object.entries(JSON.parse(json))).toEqual(USER_FIELDS.map((f) => [f, f === 'id' ? 1 : f]));
  });
});
