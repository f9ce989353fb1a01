import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { openStore } from '@stampede/store';
import { makeTempDir } from '@stampede/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { type LoadProgress, loadFile } from '../src/index.js';
import { csv, ndjson, users } from './fixtures.js';

const tmp = makeTempDir('loader-compressed');
afterAll(() => tmp.cleanup());

async function count(db: string): Promise<number> {
  const store = openStore(db);
  try {
    return await store.count();
  } finally {
    await store.close();
  }
}

describe('compressed input', () => {
  it.each([
    ['users.ndjson.zst', () => ndjson(users(1, 3000))],
    ['users.csv.zst', () => csv(users(1, 3000))],
    [
      'users.json.zst',
      () =>
        `[${users(1, 3000)
          .map((u) => JSON.stringify(u))
          .join(',\n')}]`,
    ],
  ])('%s: zstd loads every row', async (name, text) => {
    const path = tmp.join(name);
    writeFileSync(path, zstdCompressSync(Buffer.from(text())));
    const db = `sqlite:${tmp.join(`${name}.sqlite`)}`;
    const summary = await loadFile({ input: path, db });
    expect(summary).toMatchObject({ rowsRead: 3000, inserted: 3000, rejected: 0, complete: true });
    expect(await count(db)).toBe(3000);
  });

  it('a zstd file of many frames (as stampede generate writes on several threads) loads every row of every frame', async () => {
    const rows = users(1, 3000);
    const frames = [0, 1000, 2000].map((from) => zstdCompressSync(Buffer.from(ndjson(rows.slice(from, from + 1000)))));
    // A skippable frame (RFC 8878) between them carries no data and must be passed over.
    const skippable = Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0]), Buffer.from('abc')]);
    const path = tmp.join('frames.ndjson.zst');
    writeFileSync(path, Buffer.concat([frames[0]!, skippable, frames[1]!, frames[2]!]));
    const db = `sqlite:${tmp.join('frames.sqlite')}`;
    expect(await loadFile({ input: path, db })).toMatchObject({ rowsRead: 3000, inserted: 3000, rejected: 0 });
    expect(await count(db)).toBe(3000);
  });

  it('zstd without the extension is known by its magic bytes; a damaged frame is one reject, the rows before it load', async () => {
    const whole = zstdCompressSync(Buffer.from(ndjson(users(1, 2000))));
    const path = tmp.join('damaged.ndjson');
    writeFileSync(path, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const db = `sqlite:${tmp.join('damaged.sqlite')}`;
    const summary = await loadFile({ input: path, db, format: 'ndjson' });
    expect(summary.rejected).toBe(1);
    expect(summary.inserted).toBeGreaterThan(0);
    expect(summary.inserted).toBeLessThan(2000);
  });

  it.each([
    ['gz', (b: Buffer) => gzipSync(b, { level: 1 })],
    ['zst', (b: Buffer) => zstdCompressSync(b)],
  ])('.%s: progress follows the compressed bytes read, up to the file size', async (ext, compress) => {
    const path = tmp.join(`progress.ndjson.${ext}`);
    // Hard to compress, so the file is far larger than what the reader may buffer ahead of the load.
    const rows = users(1, 40_000).map((u) => ({ ...u, jobTitle: randomBytes(40).toString('hex') }));
    const body = compress(Buffer.from(ndjson(rows)));
    expect(body.length).toBeGreaterThan(2 * 1024 * 1024);
    writeFileSync(path, body);
    const seen: LoadProgress[] = [];
    await loadFile({
      input: path,
      db: `sqlite:${tmp.join(`progress-${ext}.sqlite`)}`,
      batchRows: 500,
      onProgress: (p) => seen.push(p),
      progressIntervalMs: 5,
    });
    expect(seen.length).toBeGreaterThan(1);
    for (const p of seen) expect(p.total).toBe(body.length);
    // Not 100% from the start: the first report is short of the whole file, the last is all of it.
    expect(seen[0]!.done).toBeLessThan(body.length);
    expect(seen.at(-1)!.done).toBe(body.length);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.done).toBeGreaterThanOrEqual(seen[i - 1]!.done);
  });
});
