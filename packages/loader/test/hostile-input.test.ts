import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { User } from '@stampede/schema';
import { openStore } from '@stampede/store';
import { makeTempDir, useTestDatabase } from '@stampede/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { type LoadOptions, type LoadSummary, loadFile } from '../src/index.js';
import { csv, jsonArray, ndjson, runLoad, user, users, write } from './fixtures.js';

// Issue 15 items 4, 5, 6 and 17, and the edges around them (BOMs, huge lines, NULs, damaged
// .gz), through the real loader into SQLite and MariaDB: each bad record is one reject, every
// good record loads, and the load ends with a summary, never a crash.

const db = await useTestDatabase({ importMetaUrl: import.meta.url });
const tmp = makeTempDir('loader-hostile');
afterAll(() => tmp.cleanup());

const targets: [string, (t: string) => string, (name: string, fn: () => void) => void][] = [
  ['SQLite', (t) => `sqlite:${tmp.join(`${t}.sqlite`)}`, describe],
  ['MariaDB/MySQL', () => db.url, db.describe],
];

const DEPTS = ['Engineering', 'Sales', 'Marketing', 'Finance'];

/** Every row of the table, by id. */
async function rows(url: string, table: string): Promise<Map<number, User>> {
  const s = openStore(url, { table });
  try {
    const out = new Map<number, User>();
    for (const d of DEPTS) {
      for (let afterId = 0; ; ) {
        const page = await s.listDepartment(d, { limit: 1000, afterId });
        if (page.length === 0) break;
        for (const u of page) out.set(u.id, u);
        afterId = page.at(-1)?.id ?? 0;
      }
    }
    return out;
  } finally {
    await s.close();
  }
}

interface Reject {
  line?: number;
  index?: number;
  stage: string;
  reason: string;
  raw: string;
}

function rejectsOf(s: LoadSummary): Reject[] {
  if (!s.rejectFile || !existsSync(s.rejectFile)) return [];
  return readFileSync(s.rejectFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Reject);
}

const line = (u: User) => JSON.stringify(u);
const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
/** A user's JSON with invalid UTF-8 (0xC3 0x28) inside its city. */
const badUtf8 = (i: number) => {
  const [a, b] = line(user(i, { city: 'KrXXów' })).split('XX') as [string, string];
  return bytes(a, [0xc3, 0x28], b);
};

let tableNo = 0;
for (const [name, urlFor, describeOn] of targets) {
  describeOn(`hostile input into ${name}`, () => {
    const load = async (file: string, text: string | Buffer, o: Partial<LoadOptions> = {}) => {
      const table = `h${++tableNo}`;
      const url = urlFor(table);
      const input = write(tmp.join(`${table}-${file}`), text);
      const summary = await loadFile({ input, db: url, table, ...o });
      return { summary, rejects: rejectsOf(summary), rows: await rows(url, table) };
    };

    it('a deeply nested element is one reject, on every format; the good records load (item 4)', async () => {
      const json = `[${[line(user(1)), deep(50_000), line(user(2)), `${line(user(3)).slice(0, -1)},"x":${deep(40)}}`].join(',')}]`;
      const a = await load('deep.json', json);
      expect(a.summary).toMatchObject({ rowsRead: 4, inserted: 2, rejected: 2, complete: true });
      expect(a.rejects.map((r) => [r.index, r.reason])).toEqual([
        [1, 'nested deeper than 32 levels'],
        [3, 'nested deeper than 32 levels'],
      ]);
      expect([...a.rows.keys()].sort()).toEqual([1, 2]);
      const nd = await load('deep.ndjson', `${[line(user(1)), deep(50_000), line(user(2))].join('\n')}\n`);
      expect(nd.rejects.map((r) => [r.line, r.reason])).toEqual([[2, 'nested deeper than 32 levels']]);
      expect([...nd.rows.keys()].sort()).toEqual([1, 2]);
    });

    it('invalid UTF-8 is a reject on every format, never stored as U+FFFD (item 5)', async () => {
      const json = bytes('[', line(user(1)), ',\n') as Buffer;
      const a = await load('utf8.json', Buffer.concat([json, badUtf8(2), bytes(',', line(user(3)), ']')]));
      expect(a.rejects.map((r) => [r.index, r.reason])).toEqual([[1, 'not valid UTF-8']]);
      expect([...a.rows.keys()].sort()).toEqual([1, 3]);
      const nd = await load('utf8.ndjson', Buffer.concat([badUtf8(2), bytes('\n', line(user(3)), '\n')]));
      expect(nd.rejects.map((r) => [r.line, r.reason])).toEqual([[1, 'not valid UTF-8']]);
      const [head, r1] = csv([user(1)]).split('\n') as [string, string];
      const bad = bytes(`${head}\n${r1.replace('Kraków', 'Kr')}`, [0xc3, 0x28], `\n${csv([user(3)]).split('\n')[1]}\n`);
      const c = await load('utf8.csv', bad);
      expect(c.rejects.map((r) => [r.line, r.reason])).toEqual([[2, 'not valid UTF-8']]);
      expect([...c.rows.keys()].sort()).toEqual([3]);
      for (const r of [...a.rows.values(), ...nd.rows.values(), ...c.rows.values()]) {
        expect(r.city).not.toContain('\ufffd');
      }
    });

    it('a JSON array with trailing garbage: every good element loads, the garbage is one reject (item 6)', async () => {
      const a = await load('trailing.json', `${jsonArray(users(1, 3000))}garbage here\n`, { batchRows: 1000 });
      expect(a.summary).toMatchObject({ rowsRead: 3001, inserted: 3000, rejected: 1, complete: true });
      expect(a.rejects).toEqual([
        { index: 3000, stage: 'parse', reason: 'text after the end of the JSON array', raw: 'garbage here\n' },
      ]);
      expect(a.rows.size).toBe(3000);
      // Cut short: the elements before the cut load, the cut one is the reject.
      const full = jsonArray(users(1, 50));
      const cut = await load('cut.json', full.slice(0, full.indexOf('"user.40"')));
      expect(cut.summary).toMatchObject({ inserted: 39, rejected: 1 });
      expect(cut.rejects[0]).toMatchObject({ index: 39, reason: /^truncated: the input ends inside this element/ });
    });

    it('duplicate keys are rejects; a __proto__ key cannot lend a record a field (item 17)', async () => {
      const { department, ...noDept } = user(2);
      // Were __proto__ to set the prototype, the record would inherit the department it lacks.
      const proto = JSON.stringify(noDept).replace('{', `{"__proto__":${JSON.stringify({ department })},`);
      const dup = line(user(3)).replace('{', '{"id":999,');
      const text = `[${[line(user(1)), proto, dup].join(',')}]`;
      const a = await load('keys.json', text);
      expect(a.rejects.map((r) => [r.index, r.stage, r.reason])).toEqual([
        [1, 'validate', expect.stringMatching(/__proto__/)],
        [2, 'parse', 'duplicate key "id"'],
      ]);
      expect([...a.rows.keys()]).toEqual([1]);
      const nd = await load('keys.ndjson', `${[line(user(1)), proto, dup].join('\n')}\n`);
      // Each line is a range of its own here, read by its own connection at the same time: the
      // reject file is in the order rows were refused, so compare in line order.
      const byLine = nd.rejects.map((r) => [r.line, r.reason] as const).sort((x, y) => (x[0] ?? 0) - (y[0] ?? 0));
      expect(byLine).toEqual([
        [2, expect.stringMatching(/__proto__/)],
        [3, 'duplicate key "id"'],
      ]);
      expect(Object.prototype).not.toHaveProperty('department');
    });

    it('BOM at the start of any format is accepted; anywhere else it is data (a reject)', async () => {
      const list = users(1, 5);
      for (const [file, text] of [
        ['bom.ndjson', ndjson(list)],
        ['bom.json', jsonArray(list)],
        ['bom.csv', csv(list)],
      ] as const) {
        const ok = await load(file, `\ufeff${text}`);
        expect(ok.summary, file).toMatchObject({ inserted: 5, rejected: 0 });
      }
      const mid = await load('mid-bom.ndjson', `${line(user(1))}\n\ufeff${line(user(2))}\n`);
      expect(mid.rejects.map((r) => r.line)).toEqual([2]);
      const midJson = await load('mid-bom.json', `[${line(user(1))},\ufeff${line(user(2))}]`);
      expect(midJson.rejects.map((r) => r.index)).toEqual([1]);
    });

    it('NUL bytes are rejects on every format', async () => {
      const nul = line(user(2)).replace('Kraków', 'Kra\0ków');
      const nd = await load('nul.ndjson', `${line(user(1))}\n${nul}\n`);
      expect(nd.rejects.map((r) => [r.line, r.reason])).toEqual([[2, 'contains a NUL byte']]);
      const a = await load('nul.json', `[${line(user(1))},${nul}]`);
      expect(a.rejects.map((r) => [r.index, r.reason])).toEqual([[1, 'contains a NUL byte']]);
      const c = await load('nul.csv', csv([user(1), user(2, { city: 'Kra\0ków' })]));
      expect(c.rejects.map((r) => [r.line, r.reason])).toEqual([[3, 'contains a NUL byte']]);
      for (const r of [nd, a, c]) expect([...r.rows.keys()]).toEqual([1]);
    });

    it('a damaged .gz loads what it could read, then one reject for the rest', async () => {
      const gz = gzipSync(ndjson(users(1, 2000)));
      const a = await load('cut.ndjson.gz', gz.subarray(0, Math.floor(gz.length * 0.6)));
      expect(a.summary.rejected).toBe(1);
      expect(a.rejects[0]?.reason).toMatch(/^the compressed input is damaged here \(Z_BUF_ERROR/);
      expect(a.summary.inserted).toBe(a.rows.size);
      expect(a.rows.size).toBeGreaterThan(100);
    });

    it('a CSV header with __proto__, constructor, prototype or a repeated column is an InputError naming it', async () => {
      const good = csv([user(1)]);
      for (const [header, named] of [
        ['__proto__', /"__proto__", which is not allowed/],
        ['constructor', /"constructor", which is not allowed/],
        ['prototype', /"prototype", which is not allowed/],
        ['username', /the column "username" twice/],
        ['first_name', /the column "firstName" and "first_name" twice/],
      ] as const) {
        const text = good.replace('\n', `,${header}\n`).replace(/\n(.+)\n$/, '\n$1,x\n');
        await expect(load(`h-${header}.csv`, text), header).rejects.toMatchObject({
          code: 'INPUT_INVALID',
          message: named,
        });
      }
    });
  });
}

describe('hostile input through stampede-load (SQLite)', () => {
  async function cli(file: string, text: string | Buffer, extra: string[] = []) {
    const input = write(tmp.join(file), text);
    const db = `sqlite:${tmp.join(`${file}.sqlite`)}`;
    const { status, stdout, stderr } = await runLoad([input, '--db', db, ...extra]);
    // No summary: the load refused the input before it made the table.
    return { status, stdout, stderr, rows: stdout === '' ? new Map() : await rows(db, 'users') };
  }

  it('exit 2 with the summary printed for rejects; exit 2 naming the header for a bad CSV header; never 1', async () => {
    const deepJson = await cli('c-deep.json', `[${line(user(1))},${deep(100_000)},${line(user(2))}]`);
    expect(deepJson).toMatchObject({ status: 2, stderr: '' });
    expect(deepJson.stdout).toMatch(/read 3 {2}inserted 2 .* rejected 1/);
    const trailing = await cli('c-trailing.json', `${jsonArray(users(1, 3000))}]]garbage`);
    expect(trailing.status).toBe(2);
    expect(trailing.stdout).toMatch(/read 3001 {2}inserted 3000 .* rejected 1/);
    expect(trailing.rows.size).toBe(3000);
    const header = await cli(
      'c-proto.csv',
      csv([user(1)])
        .replace('\n', ',__proto__\n')
        .replace(/\n$/, ',x\n'),
    );
    expect(header.status).toBe(2);
    expect(header.stderr).toMatch(/c-proto\.csv:1: the CSV header names a column "__proto__", which is not allowed/);
  });

  it('a line longer than the bound is one reject, not an out-of-memory or a fatal error', async () => {
    // Past 64 MiB the old reader gave up on the whole file; now the bound is the batch size.
    const huge = `{"id":2,"username":"${'x'.repeat(65 * 1024 * 1024)}"}`;
    const r = await cli('c-huge.ndjson', `${line(user(1))}\n${huge}\n${line(user(3))}\n`);
    expect(r.status).toBe(2);
    expect([...r.rows.keys()].sort()).toEqual([1, 3]);
    const rejects = readFileSync(tmp.join('c-huge.rejects.ndjson'), 'utf8').trim().split('\n');
    expect(rejects).toHaveLength(1);
    expect(JSON.parse(rejects[0] as string)).toMatchObject({
      line: 2,
      reason: `longer than 4194304 bytes (${Buffer.byteLength(huge)} bytes): only its first 1024 bytes are kept here`,
    });
    expect(rejects[0]?.length).toBeLessThan(4096);
  });
});
