import { appendFileSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { openStore, type UserStore } from '@stampede/store';
import { makeTempDir, useTestDatabase } from '@stampede/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { type LoadOptions, loadFile } from '../src/index.js';
import { csv, jsonArray, ndjson, user, users, write } from './fixtures.js';

const db = await useTestDatabase({ importMetaUrl: import.meta.url });
const tmp = makeTempDir('loader-load');
afterAll(() => tmp.cleanup());

let tableNo = 0;
const targets: [string, (t: string) => string, (name: string, fn: () => void) => void, LoadOptions['method']][] = [
  ['SQLite', (t) => `sqlite:${tmp.join(`${t}.sqlite`)}`, describe, 'auto'],
  ['MariaDB/MySQL, --method insert', () => db.url, db.describe, 'insert'],
  ['MariaDB/MySQL, --method load-data', () => db.url, db.describe, 'load-data'],
];

async function withStore<T>(url: string, table: string, fn: (s: UserStore) => Promise<T>): Promise<T> {
  const s = openStore(url, { table });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

async function ids(url: string, table: string): Promise<number[]> {
  return withStore(url, table, async (s) => {
    const out: number[] = [];
    for (const d of ['Engineering', 'Sales', 'Marketing', 'Finance']) {
      let afterId = 0;
      for (;;) {
        const page = await s.listDepartment(d, { limit: 1000, afterId });
        if (page.length === 0) break;
        out.push(...page.map((u) => u.id));
        afterId = page.at(-1)?.id ?? 0;
      }
    }
    return out.sort((a, b) => a - b);
  });
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/** The mixed bad-input file of the issue, and what must come of it. */
function badInput(): { text: Buffer; rejects: { line: number; stage: string; reason: RegExp }[]; good: number[] } {
  const lines: string[] = [];
  const rejects: { line: number; stage: string; reason: RegExp }[] = [];
  const add = (l: string, reject?: { stage: string; reason: RegExp }) => {
    lines.push(l);
    if (reject) rejects.push({ line: lines.length, ...reject });
  };
  add(JSON.stringify(user(1)));
  add(JSON.stringify(user(2, { firstName: '𠮷子', lastName: '😀 Emoji', city: 'Łódź' })));
  add('{"id": 3, "username": "user.3", ', { stage: 'parse', reason: /not valid JSON/ });
  add(JSON.stringify({ ...user(4), id: 'four' }), { stage: 'validate', reason: /id: must be a positive integer/ });
  add(JSON.stringify({ ...user(5), department: 42 }), { stage: 'validate', reason: /department: must be one of/ });
  add(JSON.stringify({ id: 6, username: 'user.6' }), { stage: 'validate', reason: /email: is missing/ });
  add(JSON.stringify(user(7, { lastName: 'x'.repeat(101) })), {
    stage: 'validate',
    reason: /lastName: must be at most 100/,
  });
  for (const u of users(100, 40)) add(JSON.stringify(u));
  add(JSON.stringify(user(8, { username: 'user.120' })), { stage: 'database', reason: /another id|UNIQUE/ });
  add('');
  for (const u of users(200, 40)) add(JSON.stringify(u));
  add(JSON.stringify(user(9, { email: 'USER.210@example.com' })), { stage: 'database', reason: /another id|UNIQUE/ });
  add(JSON.stringify(user(10)));
  const truncated = JSON.stringify(user(11)).slice(0, 40);
  const text = Buffer.from(`\ufeff${lines.join('\r\n')}\r\n${truncated}`, 'utf8');
  rejects.push({ line: lines.length + 1, stage: 'parse', reason: /truncated last line/ });
  return { text, rejects, good: [1, 2, 10, ...range(100, 139), ...range(200, 239)].sort((a, b) => a - b) };
}

for (const [name, urlFor, describeOn, method] of targets) {
  describeOn(`loadFile into ${name}`, () => {
    const setup = () => {
      const table = `t${++tableNo}`;
      return { table, url: urlFor(table) };
    };
    const load = (o: Partial<LoadOptions> & { input: string }, t: { table: string; url: string }) =>
      loadFile({ db: t.url, table: t.table, concurrency: 3, batchRows: 50, method, ...o });

    it('loads every input format with the same rows: NDJSON, CSV, JSON array, .gz, stdin', async () => {
      const list = users(1, 300);
      const inputs: [string, Partial<LoadOptions>][] = [
        [write(tmp.join('u.ndjson'), ndjson(list)), {}],
        [write(tmp.join('u.csv'), csv(list)), {}],
        [write(tmp.join('u.json'), jsonArray(list)), {}],
        [write(tmp.join('u.ndjson.gz'), gzipSync(ndjson(list))), {}],
        ['-', { stdin: Readable.from([Buffer.from(csv(list))]), format: 'csv' }],
      ];
      for (const [input, extra] of inputs) {
        const t = setup();
        const s = await load({ input, ...extra }, t);
        expect(s, input).toMatchObject({ rowsRead: 300, inserted: 300, rejected: 0, complete: true });
        expect(await ids(t.url, t.table)).toEqual(range(1, 300));
        const back = await withStore(t.url, t.table, (st) => st.findByUsernames(['user.7', 'user.8']));
        expect(back.sort((a, b) => a.id - b.id)).toEqual([user(7), user(8)]);
      }
    });

    it('a re-run duplicates nothing: update counts updates, skip leaves rows, error rejects them', async () => {
      const t = setup();
      const input = write(tmp.join('rerun.ndjson'), ndjson(users(1, 120)));
      expect(await load({ input }, t)).toMatchObject({ inserted: 120, updated: 0 });
      expect(await load({ input }, t)).toMatchObject({ inserted: 0, updated: 120, rejected: 0 });
      expect(await load({ input, onDuplicate: 'skip' }, t)).toMatchObject({ inserted: 0, skipped: 120 });
      const err = await load({ input, onDuplicate: 'error', rejectFile: tmp.join('rerun.rejects') }, t);
      expect(err).toMatchObject({ inserted: 0, rejected: 120 });
      expect(await ids(t.url, t.table)).toEqual(range(1, 120));
    });

    it('the mixed bad-input file: exactly the expected rejects with line, offset, reason, raw; every good row loads', async () => {
      const t = setup();
      const { text, rejects, good } = badInput();
      const input = write(tmp.join(`bad-${t.table}.ndjson`), text);
      const rejectFile = tmp.join(`bad-${t.table}.rejects.ndjson`);
      // One connection: with several, two rows claiming one username race and either may win.
      const s = await load({ input, rejectFile, batchRows: 1000, concurrency: 1 }, t);
      expect(s).toMatchObject({ rejected: rejects.length, inserted: good.length, rejectFile, complete: true });
      const got = readFileSync(rejectFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      got.sort((a, b) => a.line - b.line);
      expect(got.map((r) => r.line)).toEqual(rejects.map((r) => r.line));
      for (const [i, r] of got.entries()) {
        expect(r.stage).toBe(rejects[i]?.stage);
        expect(r.reason).toMatch(rejects[i]?.reason as RegExp);
        // The offset points at the raw text in the file.
        expect(text.subarray(r.offset, r.offset + Buffer.byteLength(r.raw)).toString('utf8')).toBe(r.raw);
      }
      expect(await ids(t.url, t.table)).toEqual(good);
      const [emoji] = await withStore(t.url, t.table, (st) => st.findByUsernames(['user.2']));
      expect(emoji?.lastName).toBe('😀 Emoji');
    });

    it('the mixed bad-input file through standard input: the same rejects, each with its line as read', async () => {
      // Standard input cannot be read again: a row the database refuses must bring its own text.
      const t = setup();
      const { text, rejects, good } = badInput();
      const rejectFile = tmp.join(`bad-stdin-${t.table}.rejects.ndjson`);
      const stdin = Readable.from([text.subarray(0, 1000), text.subarray(1000)]);
      const s = await load({ input: '-', stdin, rejectFile, batchRows: 1000, concurrency: 1 }, t);
      expect(s).toMatchObject({ rejected: rejects.length, inserted: good.length, complete: true });
      const got = readFileSync(rejectFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      got.sort((a, b) => a.line - b.line);
      expect(got.map((r) => [r.line, r.stage])).toEqual(rejects.map((r) => [r.line, r.stage]));
      for (const r of got)
        expect(text.subarray(r.offset, r.offset + Buffer.byteLength(r.raw)).toString('utf8')).toBe(r.raw);
      expect(got.filter((r) => r.stage === 'database').map((r) => JSON.parse(r.raw).id)).toEqual([8, 9]);
      expect(await ids(t.url, t.table)).toEqual(good);
    });

    it('three shards add up to the whole file, rows and counts', async () => {
      const t = setup();
      const input = write(tmp.join('shards.csv'), csv(users(1, 1000)));
      let read = 0;
      for (let k = 1; k <= 3; k++) {
        const s = await load({ input, shard: { index: k, count: 3 } }, t);
        expect(s.rejected).toBe(0);
        read += s.rowsRead;
      }
      expect(read).toBe(1000);
      expect(await ids(t.url, t.table)).toEqual(range(1, 1000));
    });

    it('stopped by a signal mid-load, --resume loads exactly the rest', async () => {
      const t = setup();
      const input = write(tmp.join(`resume-${t.table}.ndjson`), ndjson(users(1, 2000)));
      const ac = new AbortController();
      const first = await load(
        {
          input,
          batchRows: 20,
          signal: ac.signal,
          progressIntervalMs: 1,
          onProgress: (p) => {
            if (p.rowsCommitted >= 100) ac.abort();
          },
        },
        t,
      );
      expect(first).toMatchObject({ complete: false, stopped: 'signal' });
      const loadedFirst = (await ids(t.url, t.table)).length;
      expect(loadedFirst).toBeLessThan(2000);
      const second = await load({ input, resume: true, concurrency: 1 }, t);
      expect(second).toMatchObject({ resumed: true, complete: true });
      expect(second.resumedPast).toBeGreaterThan(0);
      // Only what the first run had not committed is read again.
      expect(second.rowsRead).toBeLessThanOrEqual(2000 - loadedFirst + 3 * 20);
      expect(await ids(t.url, t.table)).toEqual(range(1, 2000));
      const third = await load({ input, resume: true }, t);
      expect(third).toMatchObject({ rowsRead: 0, complete: true });
    });

    it('streams (JSON array, .gz) shared by several connections: stopped, then --resume loads exactly the rest', async () => {
      const list = users(1, 1500);
      for (const [name, text] of [
        [`stream-${tableNo}.json`, jsonArray(list)],
        [`stream-${tableNo}.ndjson.gz`, gzipSync(ndjson(list))],
      ] as const) {
        const t = setup();
        const input = write(tmp.join(name), text);
        const ac = new AbortController();
        const first = await load(
          {
            input,
            batchRows: 20,
            concurrency: 4,
            signal: ac.signal,
            progressIntervalMs: 1,
            onProgress: (p) => {
              // Well past the first batches: the mark can only be 0 while batch 0 is still in flight.
              if (p.rowsCommitted >= 600) ac.abort();
            },
          },
          t,
        );
        expect(first, name).toMatchObject({ complete: false, stopped: 'signal' });
        const loadedFirst = (await ids(t.url, t.table)).length;
        const second = await load({ input, resume: true, concurrency: 2 }, t);
        expect(second, name).toMatchObject({ resumed: true, complete: true, rejected: 0 });
        // The low-water mark may redo batches that were in flight together, never skip one.
        expect(second.resumedPast).toBeGreaterThan(0);
        expect(second.rowsRead).toBeLessThan(1500);
        expect(second.rowsRead).toBeGreaterThanOrEqual(1500 - loadedFirst);
        expect(await ids(t.url, t.table)).toEqual(range(1, 1500));
      }
    });

    it('--max-rejects stops early', async () => {
      const t = setup();
      const lines = users(1, 500).map((u, i) => (i % 10 === 0 ? '{bad' : JSON.stringify(u)));
      const input = write(tmp.join('many-bad.ndjson'), `${lines.join('\n')}\n`);
      const s = await load({ input, maxRejects: 5, concurrency: 1, rejectFile: tmp.join('many-bad.rej') }, t);
      expect(s).toMatchObject({ stopped: 'max-rejects', complete: false, rejected: 6 });
    });

    it('--resume after a stop writes each reject once, and drops a half-written last line', async () => {
      const t = setup();
      // Bad lines 5, 105, 205, 305, 405.
      const lines = users(1, 500).map((u, i) => (i % 100 === 4 ? '{bad' : JSON.stringify(u)));
      const input = write(tmp.join(`resume-rejects-${t.table}.ndjson`), `${lines.join('\n')}\n`);
      const rejectFile = tmp.join(`resume-rejects-${t.table}.rej`);
      // Stops at line 5's reject, before the batch holding it commits: the resume reads it again.
      const first = await load({ input, rejectFile, maxRejects: 0, concurrency: 1 }, t);
      expect(first).toMatchObject({ stopped: 'max-rejects', rejected: 1 });
      // What a kill -9 in the middle of a write leaves.
      appendFileSync(rejectFile, '{"line":105,"offs');
      const second = await load({ input, rejectFile, resume: true }, t);
      expect(second).toMatchObject({ complete: true, rejected: 5 });
      const written = readFileSync(rejectFile, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { line: number }).line);
      expect(written.sort((a, b) => a - b)).toEqual([5, 105, 205, 305, 405]);
      expect(await ids(t.url, t.table)).toEqual(range(1, 500).filter((i) => i % 100 !== 5));
    });

    it('--defer-indexes creates the table without its secondary index and adds it after the load', async () => {
      const t = setup();
      const input = write(tmp.join('defer.ndjson'), ndjson(users(1, 100)));
      await load({ input, deferIndexes: true }, t);
      expect(await withStore(t.url, t.table, (s) => s.hasSecondaryIndexes())).toBe(true);
      expect(await ids(t.url, t.table)).toEqual(range(1, 100));
    });
  });
}

db.describe('loadFile --method load-data (MariaDB/MySQL)', () => {
  it('loads through LOAD DATA LOCAL INFILE with the same duplicate rules and rejects', async () => {
    const table = 'ld';
    const { text, rejects, good } = badInput();
    const input = write(tmp.join('ld.ndjson'), text);
    const rejectFile = tmp.join('ld.rejects.ndjson');
    const s = await loadFile({
      input,
      db: db.url,
      table,
      method: 'load-data',
      rejectFile,
      batchRows: 1000,
      concurrency: 1,
    });
    expect(s).toMatchObject({ method: 'load-data', rejected: rejects.length, inserted: good.length });
    expect(await ids(db.url, table)).toEqual(good);
    const again = await loadFile({
      input,
      db: db.url,
      table,
      method: 'load-data',
      rejectFile,
      batchRows: 1000,
      concurrency: 1,
    });
    expect(again).toMatchObject({ inserted: 0, updated: good.length });
  });
});
