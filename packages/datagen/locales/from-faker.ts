// Builds the locale files, locales/<locale>.json, from faker's definitions (pinned to an
// exact version) and our own lists. Only tests run this: test/locale-files.test.ts compares
// each file with what it builds, and `pnpm --filter @stampede/datagen test -u` rewrites them
// after a faker upgrade (which may change the users generated for a seed). At run time the
// generator reads the files and never loads faker.
import { asciiSlug, type Locale, type LocaleData, type NameList } from '../src/locales.js';
import { mulberry32 } from '../src/random.js';

// Minimal shape of faker's raw locale definitions that we read.
interface RawDefinitions {
  person?: {
    first_name?: { female?: string[]; male?: string[]; generic?: string[] };
    last_name?: { generic?: string[] };
    job_descriptor?: string[];
    job_area?: string[];
    job_type?: string[];
    job_title_pattern?: string[];
  };
  location?: {
    city_name?: string[];
    city_pattern?: string[];
    city_prefix?: string[];
    city_suffix?: string[];
    country?: string[];
  };
  internet?: { example_email?: string[] };
}

// Kanji names have no single reading, so ja uses paired lists: the name a user sees and
// its Hepburn romanization for the username (faker itself falls back to random letters).
const JA_FEMALE: readonly (readonly [string, string])[] = [
  ['結衣', 'yui'],
  ['葵', 'aoi'],
  ['陽菜', 'hina'],
  ['さくら', 'sakura'],
  ['芽衣', 'mei'],
  ['凛', 'rin'],
  ['結菜', 'yuna'],
  ['美緒', 'mio'],
  ['心春', 'koharu'],
  ['陽葵', 'himari'],
  ['花子', 'hanako'],
  ['美咲', 'misaki'],
  ['由美', 'yumi'],
  ['恵子', 'keiko'],
  ['裕子', 'yuko'],
  ['明美', 'akemi'],
  ['真由美', 'mayumi'],
  ['愛', 'ai'],
  ['七海', 'nanami'],
  ['杏', 'an'],
];
const JA_MALE: readonly (readonly [string, string])[] = [
  ['蓮', 'ren'],
  ['陽翔', 'haruto'],
  ['湊', 'minato'],
  ['大翔', 'hiroto'],
  ['悠真', 'yuma'],
  ['健太', 'kenta'],
  ['翔太', 'shota'],
  ['大輔', 'daisuke'],
  ['拓也', 'takuya'],
  ['誠', 'makoto'],
  ['浩', 'hiroshi'],
  ['太郎', 'taro'],
  ['一郎', 'ichiro'],
  ['健一', 'kenichi'],
  ['直樹', 'naoki'],
  ['和也', 'kazuya'],
  ['隆', 'takashi'],
  ['翼', 'tsubasa'],
  ['樹', 'itsuki'],
  ['悠人', 'yuto'],
];
const JA_LAST: readonly (readonly [string, string])[] = [
  ['佐藤', 'sato'],
  ['鈴木', 'suzuki'],
  ['高橋', 'takahashi'],
  ['田中', 'tanaka'],
  ['伊藤', 'ito'],
  ['渡辺', 'watanabe'],
  ['山本', 'yamamoto'],
  ['中村', 'nakamura'],
  ['小林', 'kobayashi'],
  ['加藤', 'kato'],
  ['吉田', 'yoshida'],
  ['山田', 'yamada'],
  ['佐々木', 'sasaki'],
  ['山口', 'yamaguchi'],
  ['松本', 'matsumoto'],
  ['井上', 'inoue'],
  ['木村', 'kimura'],
  ['林', 'hayashi'],
  ['斎藤', 'saito'],
  ['清水', 'shimizu'],
  ['山崎', 'yamazaki'],
  ['森', 'mori'],
  ['池田', 'ikeda'],
  ['橋本', 'hashimoto'],
  ['阿部', 'abe'],
  ['石川', 'ishikawa'],
  ['山下', 'yamashita'],
  ['中島', 'nakajima'],
  ['石井', 'ishii'],
  ['小川', 'ogawa'],
  ['前田', 'maeda'],
  ['岡田', 'okada'],
  ['長谷川', 'hasegawa'],
  ['藤田', 'fujita'],
  ['後藤', 'goto'],
  ['近藤', 'kondo'],
  ['村上', 'murakami'],
  ['遠藤', 'endo'],
  ['青木', 'aoki'],
  ['坂本', 'sakamoto'],
];

const HOME_COUNTRY: Record<Locale, string> = {
  en: 'United States',
  de: 'Deutschland',
  fr: 'France',
  ja: '日本',
};

function nameList(names: readonly string[], locale: Locale): NameList {
  return { names, slugs: names.map((n) => asciiSlug(n, locale)) };
}

function pairList(pairs: readonly (readonly [string, string])[]): NameList {
  return { names: pairs.map((p) => p[0]), slugs: pairs.map((p) => p[1]) };
}

function required<T>(value: T | undefined, what: string, locale: Locale): T {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) {
    throw new Error(`faker's ${locale} locale has no ${what}; a faker upgrade may have moved it`);
  }
  return value;
}

function jobTitleParts(p: NonNullable<RawDefinitions['person']>, locale: Locale): string[][] {
  const parts: Record<string, readonly string[]> = {
    jobDescriptor: required(p.job_descriptor, 'person.job_descriptor', locale),
    jobArea: required(p.job_area, 'person.job_area', locale),
    jobType: required(p.job_type, 'person.job_type', locale),
  };
  const pattern = required(p.job_title_pattern?.[0], 'person.job_title_pattern', locale);
  // The pattern's pieces, each a list of options; loadLocale makes every combination.
  return pattern
    .split(/(\{\{person\.\w+\}\})/)
    .filter((piece) => piece !== '')
    .map((piece) => {
      const ref = /^\{\{person\.(\w+)\}\}$/.exec(piece)?.[1];
      return ref ? [...required(parts[ref], `person.${ref}`, locale)] : [piece];
    });
}

// Japanese place names from faker's own pattern (prefix + name + suffix), made once with a
// fixed seed: faker's ja locale has no list of city names.
function patternCities(l: NonNullable<RawDefinitions['location']>, first: string[], last: string[]): string[] {
  const random = mulberry32(0x51ed);
  const pick = (a: readonly string[]) => a[Math.floor(random() * a.length)] as string;
  const refs: Record<string, readonly string[]> = {
    'location.city_prefix': l.city_prefix ?? [],
    'location.city_suffix': l.city_suffix ?? [],
    'person.firstName': first,
    'person.lastName': last,
  };
  const patterns = l.city_pattern ?? [];
  const out = new Set<string>();
  for (let i = 0; i < 2000 && out.size < 500; i++) {
    const pattern = pick(patterns);
    out.add(pattern.replace(/\{\{([\w.]+)\}\}/g, (_, ref: string) => pick(refs[ref] ?? [''])));
  }
  return [...out];
}

async function rawDefinitions(locale: Locale): Promise<RawDefinitions> {
  // One import per locale rather than the package root, which would load all seventy.
  switch (locale) {
    case 'en':
      return (await import('@faker-js/faker/locale/en')).faker.rawDefinitions as RawDefinitions;
    case 'de':
      return (await import('@faker-js/faker/locale/de')).faker.rawDefinitions as RawDefinitions;
    case 'fr':
      return (await import('@faker-js/faker/locale/fr')).faker.rawDefinitions as RawDefinitions;
    case 'ja':
      return (await import('@faker-js/faker/locale/ja')).faker.rawDefinitions as RawDefinitions;
  }
}

/** What `locales/<locale>.json` holds, built from faker's definitions and our own lists. */
export async function localeFromFaker(locale: Locale): Promise<LocaleData> {
  const raw = await rawDefinitions(locale);
  const person = required(raw.person, 'person', locale);
  const location = required(raw.location, 'location', locale);
  const first = required(person.first_name, 'person.first_name', locale);
  const female = required(first.female, 'person.first_name.female', locale);
  const male = required(first.male, 'person.first_name.male', locale);
  const last = required(person.last_name?.generic, 'person.last_name.generic', locale);
  const ja = locale === 'ja';
  return {
    code: locale,
    femaleFirstNames: ja ? pairList(JA_FEMALE) : nameList(female, locale),
    maleFirstNames: ja ? pairList(JA_MALE) : nameList(male, locale),
    lastNames: ja ? pairList(JA_LAST) : nameList(last, locale),
    cities: ja
      ? patternCities(location, [...female, ...male], last)
      : required(location.city_name, 'location.city_name', locale),
    homeCountry: HOME_COUNTRY[locale],
    countries: required(location.country, 'location.country', locale),
    jobTitleParts: jobTitleParts(person, locale),
    emailDomains: raw.internet?.example_email ?? ['example.com', 'example.net', 'example.org'],
  };
}
