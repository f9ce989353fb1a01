import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { openStore } from '@stampede/store';
import { makeTempDir, useTestDatabase } from '@stampede/test-utils';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { type LoadOptions, loadFile } from '../src/index.js';
import { jsonArray, ndjson, runLoad, users, write } from './fixtures.js';

// Issue 15 items 1 and 7: what a resume of a stream identifies, and what it redoes.
const db = await useTestDatabase({ importMetaUrl: import.meta.url });
const tmp = makeTempDir('loader-stream-resume');
afterAll(() => tmp.cleanup());

const run = runLoad;

async function count(url: string, table: string): Promise<number> {
  const s = openStore(url, { table });
  try {
    return await s.count();
  } finally {
    await s.close();
  }
}

const targets: [string, (t: string) => string, (name: string, fn: () => void) => void][] = [
  ['SQLite', (t) => `sqlite:${tmp.join(`${t}.sqlite`)}`, describe],
  ['MariaDB/MySQL', () => db.url, db.describe],
];

for (const [name, urlFor, describeOn] of targets) {
  describeOn(`standard input and --resume (${name})`, () => {
    const a = write(tmp.join('a.ndjson'), ndjson(users(1, 100)));
    const b = write(tmp.join('b.ndjson'), ndjson(users(1001, 100)));

    it('an unnamed stream cannot be resumed: exit 2 naming --load-id, nothing skipped, nothing loaded', async () => {
      const table = 'unnamed';
      const url = urlFor(table);
      const first = await run(['--db', url, '--table', table, '--json', '-'], createReadStream(a));
      expect(first.status).toBe(0);
      const again = await run(['--db', url, '--table', table, '--json', '--resume', '-'], createReadStream(b));
      expect(again.status).toBe(2);
      expect(again.stderr.split('\n')[0]).toMatch(/--resume.*standard input.*--load-id/);
      expect(again.stderr).toMatch(/^hint: .*--load-id/m);
      expect(await count(url, table)).toBe(100);
    });

    it('a finished named stream leaves nothing to skip: --resume with its name loads every row of the next one', async () => {
      const table = 'named';
      const url = urlFor(table);
      const args = ['--db', url, '--table', table, '--json', '--load-id', 'feed', '-'];
      const first = await run(args, createReadStream(a));
      expect(first.status).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ inserted: 100, complete: true });
      const again = await run([...args, '--resume'], createReadStream(b));
      expect(again.status).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ rowsRead: 100, inserted: 100, resumed: false, complete: true });
      expect(await count(url, table)).toBe(200);
    });

    it('--load-id names standard input only: with a FILE it is refused (exit 2)', async () => {
      const r = await run(['--db', urlFor('file-id'), '--load-id', 'x', a], createReadStream(a));
      expect(r.status).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(/--load-id/);
    });
  });
}

/**
 * A transaction of the test's own holds the gap below id 50, so the loader's first batch
 * (ids 1-20) waits while the other connections commit batch after batch past it: the
 * low-water mark stays at the start. Stopped there, the rest of the load is above the mark.
 */
async function stopWithFirstBatchHeld(options: LoadOptions, stdin: () => Readable | undefined) {
  const table = options.table as string;
  const seed = openStore(db.url, { table });
  await seed.ensureSchema();
  await seed.upsert(users(50, 1));
  await seed.close();
  const locker = await mysql.createConnection(db.url);
  try {
    await locker.query('START TRANSACTION');
    await locker.query(`SELECT id FROM \`${table}\` WHERE id < 50 FOR UPDATE`);
    const ac = new AbortController();
    const s = stdin();
    const loading = loadFile({
      ...options,
      ...(s && { stdin: s }),
      concurrency: 4,
      signal: ac.signal,
      progressIntervalMs: 1,
      onProgress: (p) => {
        if (p.rowsCommitted >= 300) ac.abort();
      },
    });
    await new Promise((resolve) => ac.signal.addEventListener('abort', resolve, { once: true }));
    await locker.query('ROLLBACK');
    return await loading;
  } finally {
    await locker.end();
  }
}

db.describe('a stopped stream shared by several connections, then --resume (MariaDB/MySQL)', () => {
  // Ids 1-20 (the first batch), then 101-1580: none is the seeded 50.
  const list = [...users(1, 20), ...users(101, 1480)];
  const inputs: [string, () => Partial<LoadOptions> & { input: string }, () => Readable | undefined][] = [
    ['JSON array', () => ({ input: write(tmp.join('dup.json'), jsonArray(list)) }), () => undefined],
    ['.gz', () => ({ input: write(tmp.join('dup.ndjson.gz'), gzipSync(ndjson(list))) }), () => undefined],
    [
      'standard input',
      () => ({ input: '-', loadId: 'dup-feed' }),
      () => createReadStream(write(tmp.join('dup-stdin.ndjson'), ndjson(list))),
    ],
  ];
  for (const [kind, input, stdin] of inputs) {
    for (const onDuplicate of ['error', 'update'] as const) {
      it(`${kind}, --on-duplicate ${onDuplicate}: no row it committed itself comes back as a reject or an update`, {
        timeout: 60_000,
      }, async () => {
        const table = `dup_${kind.replace(/\W/g, '')}_${onDuplicate}`.toLowerCase();
        const options: LoadOptions = {
          ...input(),
          db: db.url,
          table,
          batchRows: 20,
          method: 'insert',
          onDuplicate,
          rejectFile: tmp.join(`${table}.rejects.ndjson`),
        };
        const first = await stopWithFirstBatchHeld(options, stdin);
        expect(first).toMatchObject({ complete: false, stopped: 'signal', rejected: 0 });
        const loadedFirst = (await count(db.url, table)) - 1;
        expect(loadedFirst).toBe(first.inserted);
        const s = stdin();
        const second = await loadFile({ ...options, ...(s && { stdin: s }), resume: true, concurrency: 2 });
        expect(second).toMatchObject({
          resumed: true,
          complete: true,
          rejected: 0,
          updated: 0,
          inserted: list.length - loadedFirst,
        });
        expect(second.rowsRead).toBe(list.length - loadedFirst);
        expect(await count(db.url, table)).toBe(list.length + 1);
      });
    }
  }
});
