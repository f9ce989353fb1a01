import { writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { makeTempDir } from '@stampede/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { formatFromPath, inspectInput, readRecords, type SourceRecord, splitAtLines } from './input.js';

const tmp = makeTempDir('loader-input');
afterAll(() => tmp.cleanup());

async function all(reader: ReturnType<typeof readRecords>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const chunk of reader.chunks) out.push(...chunk);
  return out;
}

describe('formatFromPath', () => {
  it('knows the extensions, with or without .gz', () => {
    expect(formatFromPath('a/users.ndjson')).toBe('ndjson');
    expect(formatFromPath('users.JSONL.gz')).toBe('ndjson');
    expect(formatFromPath('users.json')).toBe('json');
    expect(formatFromPath('users.csv.gz')).toBe('csv');
    expect(formatFromPath('users.txt')).toBeUndefined();
  });
});

describe('inspectInput', () => {
  it('refuses a missing file and an unknown extension with a hint', async () => {
    await expect(inspectInput(tmp.join('nope.ndjson'))).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: /no such file/,
    });
    writeFileSync(tmp.join('x.txt'), '{}\n');
    await expect(inspectInput(tmp.join('x.txt'))).rejects.toMatchObject({ hint: /--format/ });
  });

  it('finds the CSV header (snake_case columns map to fields) and skips a BOM', async () => {
    const p = tmp.join('h.csv');
    writeFileSync(p, '\ufeffid,first_name,username\r\n1,Ada,ada\r\n');
    const info = await inspectInput(p);
    expect(info.csvFields).toEqual(['id', 'firstName', 'username']);
    expect(info.dataStart).toBe(3 + 'id,first_name,username\r\n'.length);
    expect(info.seekable).toBe(true);
  });
});

describe('splitAtLines', () => {
  it('cuts at line ends so that every line lands in exactly one range, for any number of parts', async () => {
    const lines = Array.from({ length: 97 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(i % 13)}"}`);
    const p = tmp.join('split.ndjson');
    writeFileSync(p, `${lines.join('\n')}\n`);
    const info = await inspectInput(p);
    for (const parts of [1, 2, 3, 7, 150]) {
      const ranges = await splitAtLines(p, { start: 0, end: info.size as number }, parts);
      expect(ranges).toHaveLength(parts);
      const seen: unknown[] = [];
      for (const range of ranges) {
        for (const r of await all(readRecords({ info, range }))) seen.push((r.value as { n: number }).n);
      }
      expect(seen).toEqual(lines.map((_, i) => i));
    }
  });
});

describe('readRecords', () => {
  it('NDJSON: BOM, CRLF, blank lines skipped, bad JSON and a truncated last line reported with offsets', async () => {
    const text = '\ufeff{"a":1}\r\n\r\n{"a":2}\nnot json\n{"a":3';
    const p = tmp.join('mixed.ndjson');
    writeFileSync(p, text);
    const recs = await all(readRecords({ info: await inspectInput(p) }));
    expect(recs.map((r) => [r.line, r.offset, r.value, r.error?.slice(0, 20)])).toEqual([
      [1, 3, { a: 1 }, undefined],
      [3, 14, { a: 2 }, undefined],
      [4, 22, undefined, 'not valid JSON: Unex'],
      [5, 31, undefined, 'truncated last line '],
    ]);
    expect(recs[3]?.text).toBe('{"a":3');
  });

  it('NDJSON: a line with invalid UTF-8 is reported, not mangled', async () => {
    const p = tmp.join('bad-utf8.ndjson');
    writeFileSync(
      p,
      Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n{"a":"ok"}\n')]),
    );
    const recs = await all(readRecords({ info: await inspectInput(p) }));
    expect(recs.map((r) => r.error ?? r.value)).toEqual(['not valid UTF-8', { a: 'ok' }]);
  });

  it('line numbers of a range in the middle of the file come from lineBase', async () => {
    const p = tmp.join('lines.ndjson');
    writeFileSync(p, '{"a":1}\n{"a":2}\n{"a":3}\n');
    const info = await inspectInput(p);
    const reader = readRecords({ info, range: { start: 8, end: 24 } });
    const recs = await all(reader);
    expect(recs.map((r) => r.line + 0)).toEqual([1, 2]);
    expect(await reader.lineBase()).toBe(1);
  });

  it('CSV: quoted commas and quotes through csv-parse, wrong field counts reported', async () => {
    const p = tmp.join('q.csv');
    writeFileSync(p, 'id,lastName\n1,"O""Brien, Jr"\n2,a,b\n3,"unclosed\n4,plain\n');
    const reader = readRecords({ info: await inspectInput(p) });
    const recs = await all(reader);
    const base = await reader.lineBase();
    expect(recs.map((r) => r.value ?? r.error?.slice(0, 24))).toEqual([
      { id: '1', lastName: 'O"Brien, Jr' },
      'expected 2 fields, got 3',
      'not valid CSV: Quote Not',
      { id: '4', lastName: 'plain' },
    ]);
    expect(recs.map((r) => base + r.line)).toEqual([2, 3, 4, 5]);
  });

  it('gzip and standard input are read sequentially; a streamed CSV takes its header from line 1', async () => {
    const p = tmp.join('u.csv.gz');
    writeFileSync(p, gzipSync('id,username\n1,ada\n2,bob\n'));
    const info = await inspectInput(p);
    expect(info).toMatchObject({ gzip: true, seekable: false, format: 'csv' });
    expect((await all(readRecords({ info }))).map((r) => r.value)).toEqual([
      { id: '1', username: 'ada' },
      { id: '2', username: 'bob' },
    ]);
    const stdinInfo = await inspectInput('-');
    const recs = await all(
      readRecords({ info: stdinInfo, stdin: Readable.from([Buffer.from('{"a":1}\n{"a"'), Buffer.from(':2}\n')]) }),
    );
    expect(recs.map((r) => r.value)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  // Issue 15 item 6 changed this: a damaged array used to be an InputError that lost every batch in flight;
  // now the good elements come back and the damage is one record with an error.
  it('JSON array: streamed elements with their index; resume skips by index; a truncated array is one error record', async () => {
    const p = tmp.join('a.json');
    writeFileSync(p, '[{"a":1},\n {"a":2},\n {"a":3}]');
    const info = await inspectInput(p);
    expect((await all(readRecords({ info, from: 1 }))).map((r) => [r.offset, r.value])).toEqual([
      [1, { a: 2 }],
      [2, { a: 3 }],
    ]);
    writeFileSync(p, '[{"a":1}, {"a":');
    expect((await all(readRecords({ info: await inspectInput(p) }))).map((r) => [r.offset, r.value, r.error])).toEqual([
      [0, { a: 1 }, undefined],
      [1, undefined, "truncated: the input ends inside this element, before the array's closing ]"],
    ]);
    writeFileSync(p, '{"a":1}');
    await expect(all(readRecords({ info: await inspectInput(p) }))).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });
});
