import { describe, expect, it } from 'vitest';
import { localeFromFaker } from '../locales/from-faker.js';
import { LOCALES, loadLocale } from '../src/locales.js';

// The generator reads locales/<locale>.json rather than faker. After a faker upgrade these
// fail until `pnpm --filter @stampede/datagen test -u` rewrites the files (and the golden
// output test in src/records.test.ts shows whether users changed).
describe('locale files', () => {
  it.each(LOCALES)('locales/%s.json holds what the installed faker gives', async (locale) => {
    const built = await localeFromFaker(locale);
    await expect(`${JSON.stringify(built, null, 2)}\n`).toMatchFileSnapshot(`../locales/${locale}.json`);
  });

  it.each(LOCALES)('%s: loadLocale gives the lists built from faker, job titles expanded', async (locale) => {
    const { jobTitleParts, ...lists } = await localeFromFaker(locale);
    const data = await loadLocale(locale);
    expect({ ...data, jobTitles: undefined }).toEqual({ ...lists, jobTitles: undefined });
    // Every combination, the last piece varying fastest, as faker's pattern reads.
    const sizes = jobTitleParts.map((options) => options.length);
    expect(data.jobTitles.length).toBe(sizes.reduce((a, b) => a * b, 1));
    expect(data.jobTitles[0]).toBe(jobTitleParts.map((options) => options[0]).join(''));
    expect(data.jobTitles[1]).toBe(
      jobTitleParts.map((options, i) => (i === jobTitleParts.length - 1 ? options[1] : options[0])).join(''),
    );
    expect(data.jobTitles.at(-1)).toBe(jobTitleParts.map((options) => options.at(-1)).join(''));
    expect(new Set(data.jobTitles).size).toBeGreaterThan(data.jobTitles.length * 0.99);
  });
});
