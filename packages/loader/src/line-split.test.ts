import { describe, expect, it } from 'vitest';
import { LineSplitter, type RawLine } from './line-split.js';

function split(input: Buffer, step: number, maxBytes = 1024, start = 0): RawLine[] {
  const s = new LineSplitter(start, maxBytes);
  const out: RawLine[] = [];
  for (let i = 0; i < input.length; i += step) out.push(...s.push(input.subarray(i, i + step)));
  out.push(...s.end());
  return out;
}

const brief = (lines: RawLine[]) => lines.map((l) => [l.offset, l.end, l.text.length, l.terminated, l.problem]);

describe('LineSplitter', () => {
  it('gives the same lines and offsets whatever the chunk boundaries, BOM and CR stripped', () => {
    const input = Buffer.from('\ufeffab\r\n\ncd\nef');
    const want = [
      [3, 7, 2, true, undefined],
      [7, 8, 0, true, undefined],
      [8, 11, 2, true, undefined],
      [11, 13, 2, false, undefined],
    ];
    for (const step of [1, 2, 3, 4, 100]) expect(brief(split(input, step))).toEqual(want);
  });

  it('a BOM after byte 0 is data', () => {
    const lines = split(Buffer.from('a\n\ufeffb\n'), 100);
    expect(lines.map((l) => l.text)).toEqual(['a', '\ufeffb']);
  });

  it('invalid UTF-8 and NUL bytes are problems of their own line only', () => {
    const input = Buffer.concat([
      Buffer.from('ok\nbad'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('\nn\0ul\nfine\nlast'),
      Buffer.from([0xff]),
    ]);
    for (const step of [1, 5, 100]) {
      expect(split(input, step).map((l) => l.problem)).toEqual([
        undefined,
        'not valid UTF-8',
        'contains a NUL byte',
        undefined,
        'not valid UTF-8',
      ]);
    }
  });

  it('a line over the bound is one line with a problem, its bytes skipped, the next lines intact', () => {
    const huge = 'x'.repeat(10_000);
    for (const step of [7, 4096, 100_000]) {
      const lines = split(Buffer.from(`a\n${huge}\nb\n${huge}`), step, 1000);
      expect(brief(lines)).toEqual([
        [0, 2, 1, true, undefined],
        [2, 10_003, 1000, true, 'longer than 1000 bytes (10000 bytes): only its first 1000 bytes are kept here'],
        [10_003, 10_005, 1, true, undefined],
        [10_005, 20_005, 1000, false, 'longer than 1000 bytes (10000 bytes): only its first 1000 bytes are kept here'],
      ]);
    }
  });
});
