import { describe, expect, it } from 'vitest';
import { JsonArraySplitter, type RawElement } from './json-array.js';

/** Split `input` fed in pieces of `step` bytes (every boundary must give the same result). */
function split(input: string | Buffer, step = Number.POSITIVE_INFINITY, maxBytes = 1024, from = 0): RawElement[] {
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  const s = new JsonArraySplitter('t.json', maxBytes, from);
  const out: RawElement[] = [];
  for (let i = 0; i < bytes.length && !s.done; i += Math.min(step, bytes.length)) {
    out.push(...s.push(bytes.subarray(i, i + Math.min(step, bytes.length))));
  }
  if (!s.done) out.push(...s.end());
  return out;
}

const brief = (els: RawElement[]) => els.map((e) => [e.index, e.text, e.problem]);

describe('JsonArraySplitter', () => {
  it('cuts at top-level commas, whatever the chunk boundaries (strings, escapes, nesting, BOM)', () => {
    const input = '\ufeff [ {"a":"x,]\\"}"} ,\n[1,[2]] , "s\\\\" ,3,{"b":{"c":[]}}]\n ';
    const want = [
      [0, '{"a":"x,]\\"}"}', undefined],
      [1, '[1,[2]]', undefined],
      [2, '"s\\\\"', undefined],
      [3, '3', undefined],
      [4, '{"b":{"c":[]}}', undefined],
    ];
    for (const step of [1, 2, 3, 5, 7, 1000]) expect(brief(split(input, step))).toEqual(want);
  });

  it('an empty array has no elements; empty elements and a missing ] are one problem each', () => {
    expect(split('[]')).toEqual([]);
    expect(split(' [ \n ] ')).toEqual([]);
    expect(split('')).toEqual([]);
    expect(brief(split('[1,,2,]'))).toEqual([
      [0, '1', undefined],
      [1, '', 'an empty element (two commas, or a comma right after [)'],
      [2, '2', undefined],
      [3, '', 'an empty element (a comma right before ])'],
    ]);
    expect(brief(split('[1,'))).toEqual([
      [0, '1', undefined],
      [1, '', "the input ends before the array's closing ]"],
    ]);
    expect(brief(split('[1, {"a":"b'))).toEqual([
      [0, '1', undefined],
      [1, '{"a":"b', "truncated: the input ends inside this element, before the array's closing ]"],
    ]);
  });

  it('text after the closing ] is one problem, and nothing after it is read', () => {
    for (const step of [1, 4, 1000]) {
      expect(brief(split('[1,2]\ngarbage, [3]', step))).toEqual([
        [0, '1', undefined],
        [1, '2', undefined],
        [2, step === 1 ? 'g' : step === 4 ? 'ga' : 'garbage, [3]', 'text after the end of the JSON array'],
      ]);
    }
  });

  it('refuses an input that is not an array at all', () => {
    expect(() => split('{"a":1}')).toThrow(/t\.json: not a JSON array: it starts with "\{\\"a\\":1\}"/);
  });

  it('nesting past 32 levels, invalid UTF-8 and an element over the bound are problems of that element only', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const els = split(`[1,${deep},2]`, 4096, 1024 * 1024);
    expect(brief(els).map(([i, , p]) => [i, p])).toEqual([
      [0, undefined],
      [1, 'nested deeper than 32 levels'],
      [2, undefined],
    ]);
    const bad = Buffer.concat([Buffer.from('["a'), Buffer.from([0xc3, 0x28]), Buffer.from('", "ok"]')]);
    expect(split(bad).map((e) => e.problem)).toEqual(['not valid UTF-8', undefined]);
    const huge = `"${'x'.repeat(5000)}"`;
    for (const step of [100, 10_000]) {
      const big = split(`[1,${huge},2]`, step, 1000);
      expect(big.map((e) => [e.index, e.problem])).toEqual([
        [0, undefined],
        [1, 'longer than 1000 bytes (5002 bytes): only its first 1000 bytes are kept here'],
        [2, undefined],
      ]);
      expect(big[1]?.text).toHaveLength(1000);
    }
  });

  it('skips elements before `from` (a resume) but keeps counting them', () => {
    expect(brief(split('[1,2,3]', 1, 1024, 2))).toEqual([[2, '3', undefined]]);
  });
});
