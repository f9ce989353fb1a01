import { describe, expect, it } from 'vitest';
import { localeFromFaker } from '../locales/from-faker.js';
import { jobTitles, LOCALES, loadLocale } from '../src/locales.js';

// The generator reads locales/<locale>.json rather than faker. After a faker upgrade these
// fail until `pnpm --filter @stampede/datagen test -u` rewrites the files (and the golden
// output test in src/records.test.ts shows whether users changed).
describe('locale files', () => {
  it.each(LOCALES)('locales/%s.json holds what the installed faker gives', async (locale) => {
    const built = await localeFromFaker(locale);
    await expect(`${JSON.stringify(built, null, 2)}\n`).toMatchFileSnapshot(`../locales/${locale}.json`);
  });

  it.each(LOCALES)('%s: loadLocale gives what the file holds', async (locale) => {
    expect(await loadLocale(locale)).toEqual(await localeFromFaker(locale));
  });

  it.each(LOCALES)('%s: job titles are every combination of the parts, the last varying fastest', async (locale) => {
    const parts = (await loadLocale(locale)).jobTitleParts;
    const titles = jobTitles(parts);
    expect(titles.length).toBe(parts.reduce((n, options) => n * options.length, 1));
    expect(titles[0]).toBe(parts.map((options) => options[0]).join(''));
    expect(titles[1]).toBe(parts.map((options, i) => (i === parts.length - 1 ? options[1] : options[0])).join(''));
    expect(titles.at(-1)).toBe(parts.map((options) => options.at(-1)).join(''));
    expect(new Set(titles).size).toBeGreaterThan(titles.length * 0.99);
  });
});
