import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DatagenError } from './errors.js';

/** The locales Stampede generates users for. */
export const LOCALES = ['en', 'de', 'fr', 'ja'] as const;

/** One of {@link LOCALES}. */
export type Locale = (typeof LOCALES)[number];

/** Whether `value` is one of {@link LOCALES}. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Strings to pick from, each with its ASCII slug for usernames and emails. */
export interface NameList {
  names: readonly string[];
  slugs: readonly string[];
}

/** Everything a generator picks from for one locale, flattened into arrays once per thread. */
export interface LocaleData {
  code: Locale;
  femaleFirstNames: NameList;
  maleFirstNames: NameList;
  lastNames: NameList;
  cities: readonly string[];
  /** The locale's own country, in its language: most users live there. */
  homeCountry: string;
  /** Every country, in the locale's language, for the users who live abroad. */
  countries: readonly string[];
  /**
   * Job titles as faker's pattern makes them, in the locale's word order: one option of each
   * piece, joined. Every combination is a title ({@link jobTitles}).
   */
  jobTitleParts: readonly (readonly string[])[];
  /** Reserved example domains (RFC 2606), so a generated address can never reach a real person. */
  emailDomains: readonly string[];
}

// Letters that Unicode decomposition would strip to something a German or Dane would not write.
const SPECIAL_ASCII: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  þ: 'th',
  ð: 'd',
  ı: 'i',
};
const GERMAN_UMLAUTS: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue' };
const SLUG_MAX = 20;

/**
 * An ASCII slug of a name for usernames and emails: `Müller-Lüdenscheidt` → `mueller-luedenscheidt`
 * (de) and `Hélène` → `helene`; only `a-z`, `0-9` and inner `-`, at most 20 characters, never
 * a dot (the dot separates the id), `user` when nothing is left.
 */
export function asciiSlug(name: string, locale: Locale = 'en'): string {
  let s = name.toLowerCase();
  if (locale === 'de') s = s.replace(/[äöü]/g, (c) => GERMAN_UMLAUTS[c] ?? c);
  s = s
    .replace(/[ßæœøłđþðı]/g, (c) => SPECIAL_ASCII[c] ?? c)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\s'’._]+/g, '-')
    .replace(/[^a-z0-9-]/g, '')
    .replace(/-{2,}/g, '-')
    .slice(0, SLUG_MAX)
    .replace(/^-+|-+$/g, '');
  return s.length > 0 ? s : 'user';
}

/**
 * Every job title of a locale: every combination of one option per piece, the last piece
 * varying fastest (faker's order). A record's job is an index into this list.
 */
export function jobTitles(parts: LocaleData['jobTitleParts']): string[] {
  let out = [''];
  for (const options of parts) {
    const next = new Array<string>(out.length * options.length);
    let k = 0;
    for (const head of out) for (const option of options) next[k++] = head + option;
    out = next;
  }
  return out;
}

const cache = new Map<Locale, Promise<LocaleData>>();

/**
 * The pick lists of `locale`, read from its locale file (`locales/<locale>.json`, built from
 * faker's definitions by locales/from-faker.ts) once per thread: a run neither loads faker
 * (40 ms) nor slugs thousands of names.
 */
export function loadLocale(locale: Locale): Promise<LocaleData> {
  let data = cache.get(locale);
  if (!data) {
    data = readLocale(locale);
    cache.set(locale, data);
  }
  return data;
}

async function readLocale(locale: Locale): Promise<LocaleData> {
  const url = new URL(`../locales/${locale}.json`, import.meta.url);
  try {
    return JSON.parse(await readFile(url, 'utf8')) as LocaleData;
  } catch (cause) {
    const why = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new DatagenError(
      'GENERATION_FAILED',
      `the ${locale} locale file ${fileURLToPath(url)} cannot be read (${why})`,
      {
        option: 'locale',
        hint: 'this install of @stampede/datagen is incomplete: reinstall it',
        cause,
      },
    );
  }
}
