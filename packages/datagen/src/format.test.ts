import { USER_FIELDS } from '@stampede/schema';
import { describe, expect, it } from 'vitest';
import { csvField, formatFromPath, framing, isFormat } from './format.js';

describe('csvField', () => {
  it('leaves plain text alone, including non-ASCII', () => {
    expect(csvField('München')).toBe('München');
    expect(csvField('佐藤')).toBe('佐藤');
  });
  it('quotes commas, quotes and line breaks, doubling inner quotes (RFC 4180)', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
  });
});

describe('framing', () => {
  it('wraps JSON in an array and gives CSV a header of the record fields', () => {
    expect(framing('json')).toEqual({ head: '[\n', between: ',\n', tail: '\n]\n' });
    expect(framing('csv').head).toBe(`${USER_FIELDS.join(',')}\r\n`);
    expect(framing('ndjson')).toEqual({ head: '', between: '', tail: '' });
  });
});

describe('formatFromPath', () => {
  it('reads the extension, through .gz', () => {
    expect(formatFromPath('users.csv')).toBe('csv');
    expect(formatFromPath('/x/users.JSON.gz')).toBe('json');
    expect(formatFromPath('users.jsonl')).toBe('ndjson');
    expect(formatFromPath('users.ndjson.gz')).toBe('ndjson');
    expect(formatFromPath('users.txt')).toBeUndefined();
  });
  it('isFormat knows exactly the three formats', () => {
    expect(['ndjson', 'json', 'csv', 'xml', 'CSV'].map(isFormat)).toEqual([true, true, true, false, false]);
  });
});
