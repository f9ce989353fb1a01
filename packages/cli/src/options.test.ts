import { describe, expect, it } from 'vitest';
import { isUsageError } from './errors.js';
import { flag, option, parseOptions } from './options.js';
import { choice, duration, integer, list, shard } from './values.js';

const specs = {
  count: option('how many', { short: 'n', parse: integer(1), default: 100 }),
  seed: option('seed', { parse: integer(0) }),
  shard: option('which part', { parse: shard }),
  method: option('how', { parse: choice(['insert', 'load-data'] as const), default: 'insert' as const }),
  wait: option('how long', { parse: duration('s') }),
  skip: option('stages', { parse: list(['load', 'lookup'] as const), default: [] }),
  db: option('store', { env: 'DATABASE_URL' }),
  pair: option('a pair', { multiple: true }),
  report: option('file', { negatable: true, default: 'r.html' }),
  json: flag('json'),
};

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isUsageError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('parseOptions', () => {
  it('gives defaults, and values parsed by each option’s parser', () => {
    const { values, given } = parseOptions(
      specs,
      ['-n', '1_000_000', '--shard', '2/4', '--wait', '500ms', '--skip', 'load, lookup'],
      {},
    );
    expect(values).toMatchObject({
      count: 1_000_000,
      shard: { index: 2, count: 4 },
      wait: 500,
      skip: ['load', 'lookup'],
    });
    expect(values.method).toBe('insert');
    expect(values.seed).toBeUndefined();
    expect(values.json).toBe(false);
    expect(values.pair).toEqual([]);
    expect([...given].sort()).toEqual(['count', 'shard', 'skip', 'wait']);
  });

  it('takes a missing option from its environment variable, the command line first', () => {
    expect(parseOptions(specs, [], { DATABASE_URL: 'sqlite:x' }).values.db).toBe('sqlite:x');
    expect(parseOptions(specs, ['--db', 'sqlite:y'], { DATABASE_URL: 'sqlite:x' }).values.db).toBe('sqlite:y');
    expect(parseOptions(specs, [], { DATABASE_URL: '' }).values.db).toBeUndefined();
  });

  it('names the environment variable when its value is bad', () => {
    const bad = { n: option('n', { env: 'N', parse: integer(1) }) };
    expect(usageMessage(() => parseOptions(bad, [], { N: 'many' }))).toBe(
      'N must be a whole number of at least 1, got "many"',
    );
  });

  it('refuses bad values with the option’s name, never a doubled dash', () => {
    expect(usageMessage(() => parseOptions(specs, ['--count', '0'], {}))).toBe(
      '--count must be a whole number of at least 1, got "0"',
    );
    expect(usageMessage(() => parseOptions(specs, ['--count', '1e3'], {}))).toMatch(/^--count must be/);
    expect(usageMessage(() => parseOptions(specs, ['--count', '1__0'], {}))).toMatch(/^--count must be/);
    expect(usageMessage(() => parseOptions(specs, ['--shard', '5/4'], {}))).toBe(
      '--shard must be k/N with 1 <= k <= N, got "5/4"',
    );
    expect(usageMessage(() => parseOptions(specs, ['--method', 'copy'], {}))).toBe(
      '--method must be one of insert, load-data, got "copy"',
    );
    expect(usageMessage(() => parseOptions(specs, ['--skip', 'load,contend'], {}))).toBe(
      '--skip must be one of load, lookup, got "contend"',
    );
    expect(usageMessage(() => parseOptions(specs, ['--wait', '-1'], {}))).toBe(
      '--wait needs a value (one that starts with - is written --wait=-1)',
    );
    expect(usageMessage(() => parseOptions(specs, ['--wait=-1'], {}))).toMatch(/^--wait must be a duration/);
    expect(usageMessage(() => parseOptions(specs, ['--wait', 'soon'], {}))).toMatch(/^--wait must be a duration/);
    expect(usageMessage(() => parseOptions(specs, ['--bogus'], {}))).toBe('unknown option --bogus');
    expect(usageMessage(() => parseOptions(specs, ['--count'], {}))).toBe('--count needs a value');
    expect(usageMessage(() => parseOptions(specs, ['--json=yes'], {}))).toBe('--json takes no value');
  });

  it('accepts durations with units, and plain numbers in the declared unit', () => {
    const d = { t: option('t', { parse: duration('s') }) };
    expect(parseOptions(d, ['--t', '0.3'], {}).values.t).toBe(300);
    expect(parseOptions(d, ['--t', '2m'], {}).values.t).toBe(120_000);
    expect(parseOptions(d, ['--t', '250ms'], {}).values.t).toBe(250);
  });

  it('repeats, and negates', () => {
    const { values } = parseOptions(specs, ['--pair', 'a:B', '--pair', 'c:D', '--no-report'], {});
    expect(values.pair).toEqual(['a:B', 'c:D']);
    expect(values.report).toBe(false);
    expect(parseOptions(specs, ['--report', 'x.html'], {}).values.report).toBe('x.html');
    expect(usageMessage(() => parseOptions(specs, ['--report', 'x', '--no-report'], {}))).toMatch(/contradict/);
  });
});
