import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
// Frame by frame: Node's own zstd decoder before 24.22 stops after a file's first frame.
import { decodeZstdFrames as zstdDecompressSync } from '@stampede/loader';
import { type User, validateUser } from '@stampede/schema';
import { makeTempDir } from '@stampede/test-utils';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { openDirect } from '../src/direct-file.js';
import { AUTO_DIRECT, type DatagenError, generateRecords, generateUsers, isDatagenError } from '../src/index.js';
import { isDirect, tempFileFlags } from './open-flags.js';

const dir = makeTempDir('datagen');
afterAll(() => dir.cleanup());

// Spans three chunks, the first and last partial, so chunk seams are exercised.
const COUNT = 21_000;
const START = 9_500;

function readText(path: string): string {
  const bytes = readFileSync(path);
  if (path.endsWith('.gz')) return gunzipSync(bytes).toString('utf8');
  if (path.endsWith('.zst')) return zstdDecompressSync(bytes).toString('utf8');
  return bytes.toString('utf8');
}

function ndjsonRecords(text: string): unknown[] {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
}

async function rejection(promise: Promise<unknown>): Promise<DatagenError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDatagenError(error)) throw new Error(`expected a DatagenError, got ${String(error)}`);
  return error;
}

// Each test here makes a file three times or more (1, 2 and 4 threads, or every format), workers
// started from TypeScript source: 4-6 s alone, 26-30 s in CI with every package's tests at once
// on two cores (the 30 s default timed out there). A hang guard, not a speed target.
describe('determinism', { timeout: 120_000 }, () => {
  it.each(['ndjson', 'json', 'csv.gz'])('%s is byte-identical with 1, 2 and 4 threads', async (ext) => {
    const files = [];
    for (const threads of [1, 2, 4]) {
      const out = dir.join(`same-${threads}.${ext}`);
      const summary = await generateUsers({ count: COUNT, startId: START, seed: 11, threads, out, locale: 'de' });
      expect(summary.rows).toBe(COUNT);
      expect(summary.threads).toBe(threads);
      files.push(readFileSync(out));
      expect(readText(out).split('\n').length).toBeGreaterThan(COUNT);
    }
    expect(files[1]?.equals(files[0] as Buffer)).toBe(true);
    expect(files[2]?.equals(files[0] as Buffer)).toBe(true);
  });

  it.each(['ndjson', 'ndjson.gz', 'json'])(
    '%s: a run of one chunk, rendered on the calling thread, gives the bytes a bigger run has for those ids',
    async (ext) => {
      const one = dir.join(`one-chunk.${ext}`);
      const summary = await generateUsers({ count: 9_000, startId: 1_001, seed: 5, threads: 4, out: one });
      expect(summary).toMatchObject({ rows: 9_000, chunks: 1, threads: 1 });
      const big = dir.join(`around-one-chunk.${ext}`);
      await generateUsers({ count: 30_000, seed: 5, threads: 2, out: big });
      const records = (text: string) => (ext === 'json' ? (JSON.parse(text) as unknown[]) : ndjsonRecords(text));
      const ours = records(readText(one));
      expect(ours).toEqual(records(readText(big)).slice(1_000, 10_000));
      if (ext === 'ndjson')
        expect(readText(one)).toBe(`${readText(big).split('\n').slice(1_000, 10_000).join('\n')}\n`);
    },
  );

  it('a whole run writes the same bytes as before: pinned hashes of every format and compression', async () => {
    // The renderer's own bytes are pinned in records.test.ts; these pin what generateUsers
    // makes of them (framing, chunk order, compression), across the chunk seams.
    const made: Record<string, string> = {};
    for (const ext of ['ndjson', 'json', 'csv', 'ndjson.gz', 'ndjson.zst']) {
      const out = dir.join(`pinned.${ext}`);
      await generateUsers({ count: COUNT, startId: START, seed: 7, threads: 2, out, locale: 'fr' });
      made[ext] = createHash('sha256').update(readFileSync(out)).digest('hex').slice(0, 16);
    }
    expect(made).toEqual({
      ndjson: '48596b14884b3793',
      json: 'a24d35bc2530ea79',
      csv: '672ef745f4fd2617',
      // gzip level 1 since the levels were chosen for speed (level 6 gave b84e96f7f2812b35).
      'ndjson.gz': 'f9b7c44a05d65aad',
      'ndjson.zst': '7fe3d267815a1fb6',
    });
  });

  it.each(['ndjson.zst', 'csv.zst', 'json.zst'])(
    '%s is byte-identical with 1, 2 and 4 threads, one zstd frame per chunk, and reads back to the plain file',
    async (ext) => {
      const files = [];
      for (const threads of [1, 2, 4]) {
        const out = dir.join(`zstd-${threads}.${ext}`);
        const summary = await generateUsers({ count: COUNT, startId: START, seed: 11, threads, out, locale: 'ja' });
        expect(summary).toMatchObject({ rows: COUNT, compression: 'zstd', gzip: false, chunks: 4 });
        files.push(readFileSync(out));
        expect(summary.bytes).toBe(files.at(-1)?.length);
      }
      expect(files[1]?.equals(files[0] as Buffer)).toBe(true);
      expect(files[2]?.equals(files[0] as Buffer)).toBe(true);
      const plainPath = dir.join(`zstd-plain.${ext.replace('.zst', '')}`);
      const plain = await generateUsers({
        count: COUNT,
        startId: START,
        seed: 11,
        threads: 2,
        out: plainPath,
        locale: 'ja',
      });
      expect(readText(dir.join(`zstd-1.${ext}`))).toBe(readText(plainPath));
      // Every chunk (9,500-9,999, two whole, 30,000-30,499) is its own frame, the first at the start.
      const magic = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
      const frames = [];
      for (let at = (files[0] as Buffer).indexOf(magic); at >= 0; at = (files[0] as Buffer).indexOf(magic, at + 1))
        frames.push(at);
      expect(frames[0]).toBe(0);
      expect(frames.length).toBeGreaterThanOrEqual(4);
      // The summary's raw size, read from the frames' headers, is the plain file's size.
      const summary = await generateUsers({
        count: COUNT,
        startId: START,
        seed: 11,
        threads: 2,
        out: dir.join(`zstd-again.${ext}`),
        locale: 'ja',
      });
      expect(summary.rawBytes).toBe(plain.bytes);
    },
  );

  const zstdCli = spawnSync('zstd', ['--version']).status === 0;
  it.skipIf(!zstdCli)(
    `a zstd file is read whole by the zstd command${zstdCli ? '' : ' [skipped: no zstd command on this machine]'}`,
    async () => {
      const out = dir.join('for-zstd-cli.ndjson.zst');
      await generateUsers({ count: 25_000, seed: 3, threads: 2, out });
      const text = execFileSync('zstd', ['-dc', out], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      expect(ndjsonRecords(text)).toEqual(await generateRecords({ count: 25_000, seed: 3 }));
    },
  );

  it('compression is chosen by name or option, and a run of one chunk compresses too', async () => {
    const zst = await generateUsers({ count: 500, seed: 4, out: dir.join('small.csv.zst') });
    expect(zst).toMatchObject({ format: 'csv', compression: 'zstd', chunks: 1 });
    const csv = parse(readText(dir.join('small.csv.zst')), { columns: true }) as Record<string, string>[];
    expect(csv.length).toBe(500);
    const byOption = await generateUsers({ count: 500, seed: 4, compression: 'zstd', out: dir.join('small.ndjson') });
    expect(byOption.compression).toBe('zstd');
    expect(zstdDecompressSync(readFileSync(dir.join('small.ndjson'))).length).toBe(byOption.rawBytes);
    const parts: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        parts.push(chunk);
        callback();
      },
    });
    const toStream = await generateUsers({ count: 15_000, seed: 4, compression: 'gzip', out: sink });
    expect(toStream).toMatchObject({ compression: 'gzip', gzip: true, rows: 15_000 });
    expect(ndjsonRecords(gunzipSync(Buffer.concat(parts)).toString('utf8'))).toEqual(
      await generateRecords({ count: 15_000, seed: 4 }),
    );
  });

  it('a different seed gives different users', async () => {
    const a = await generateRecords({ count: 50, seed: 1 });
    const b = await generateRecords({ count: 50, seed: 2 });
    expect(a.filter((u, i) => u.username === b[i]?.username).length).toBeLessThan(5);
  });
});

describe('chunk memory', () => {
  it('renders chunks into the memory of chunks already written: a slowly read pipe gets exactly the records', async () => {
    // 15 chunks on 2 threads: from the sixth on, each is rendered into a written chunk's memory,
    // while a reader drains the FIFO slowly.
    const fifo = dir.join('slow.fifo');
    execFileSync('mkfifo', [fifo]);
    const received: Buffer[] = [];
    const reading = (async () => {
      for await (const part of createReadStream(fifo, { highWaterMark: 64 * 1024 })) {
        received.push(part as Buffer);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    await generateUsers({ count: 150_000, threads: 2, out: fifo, seed: 21, locale: 'ja' });
    await reading;
    const expected = (await generateRecords({ count: 150_000, seed: 21, locale: 'ja' }))
      .map((u) => `${JSON.stringify(u)}\n`)
      .join('');
    expect(Buffer.concat(received).toString('utf8') === expected).toBe(true);
  });
});

describe('compressed chunk memory', () => {
  it('frees written compressed chunks only once flushed: a slowly read pipe gets a whole zstd file', async () => {
    const fifo = dir.join('slow-zstd.fifo');
    execFileSync('mkfifo', [fifo]);
    const received: Buffer[] = [];
    const reading = (async () => {
      for await (const part of createReadStream(fifo, { highWaterMark: 16 * 1024 })) {
        received.push(part as Buffer);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    const summary = await generateUsers({ count: 150_000, threads: 2, out: fifo, seed: 22, compression: 'zstd' });
    await reading;
    expect(Buffer.concat(received).length).toBe(summary.bytes);
    const expected = (await generateRecords({ count: 150_000, seed: 22 }))
      .map((u) => `${JSON.stringify(u)}\n`)
      .join('');
    expect(zstdDecompressSync(Buffer.concat(received)).toString('utf8') === expected).toBe(true);
  });
});

describe('uniqueness', () => {
  it('usernames and emails are unique across threads and across two disjoint shards', async () => {
    const first = dir.join('shard-1.ndjson');
    const second = dir.join('shard-2.ndjson');
    await generateUsers({ count: 30_000, startId: 1, threads: 2, out: first, seed: 3 });
    await generateUsers({ count: 30_000, startId: 30_001, threads: 2, out: second, seed: 3 });
    const users = [...ndjsonRecords(readText(first)), ...ndjsonRecords(readText(second))] as User[];
    expect(users.length).toBe(60_000);
    expect(new Set(users.map((u) => u.id)).size).toBe(60_000);
    expect(new Set(users.map((u) => u.username)).size).toBe(60_000);
    expect(new Set(users.map((u) => u.email.toLowerCase())).size).toBe(60_000);
  });

  it('shards concatenated equal one run over the whole range', async () => {
    const whole = dir.join('whole.ndjson');
    await generateUsers({ count: 60_000, threads: 2, out: whole, seed: 3 });
    const shards = readText(dir.join('shard-1.ndjson')) + readText(dir.join('shard-2.ndjson'));
    expect(readText(whole)).toBe(shards);
  });
});

describe('formats', () => {
  it('JSON and CSV read back to the NDJSON records, which pass the validator', async () => {
    const base = { count: 12_000, startId: 5, seed: 9, threads: 2, locale: 'fr' } as const;
    await generateUsers({ ...base, out: dir.join('fmt.ndjson') });
    await generateUsers({ ...base, out: dir.join('fmt.json') });
    await generateUsers({ ...base, out: dir.join('fmt.csv') });
    const ndjson = ndjsonRecords(readText(dir.join('fmt.ndjson'))) as User[];
    for (const record of ndjson) {
      const result = validateUser(record);
      expect(result.ok ? [] : result.issues).toEqual([]);
    }
    expect(JSON.parse(readText(dir.join('fmt.json')))).toEqual(ndjson);
    const rows = parse(readText(dir.join('fmt.csv')), { columns: true, record_delimiter: '\r\n' }) as Record<
      string,
      string
    >[];
    const fromCsv = rows.map((row) => {
      const result = validateUser(row);
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      return result.user;
    });
    expect(fromCsv).toEqual(ndjson);
    expect(ndjson).toEqual(await generateRecords(base));
  });

  it.each(['de', 'fr', 'ja'] as const)(
    '%s non-ASCII names and places round-trip through every format',
    async (locale) => {
      const base = { count: 500, seed: 2, threads: 1, locale };
      const expected = await generateRecords(base);
      expect(expected.some((u) => /[^\x00-\x7f]/.test(u.firstName + u.lastName + u.city + u.jobTitle))).toBe(true);
      await generateUsers({ ...base, out: dir.join(`${locale}.ndjson.gz`) });
      await generateUsers({ ...base, out: dir.join(`${locale}.json`) });
      await generateUsers({ ...base, out: dir.join(`${locale}.csv`) });
      expect(ndjsonRecords(readText(dir.join(`${locale}.ndjson.gz`)))).toEqual(expected);
      expect(JSON.parse(readText(dir.join(`${locale}.json`)))).toEqual(expected);
      const rows = parse(readText(dir.join(`${locale}.csv`)), { columns: true }) as Record<string, string>[];
      expect(rows.map((r) => ({ ...r, id: Number(r.id) }))).toEqual(expected);
    },
  );

  it('writes to a stream and reports progress in id order', async () => {
    const parts: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        parts.push(chunk);
        callback();
      },
    });
    const seen: number[] = [];
    const summary = await generateUsers({ count: 25_000, threads: 2, out: sink, onProgress: (p) => seen.push(p.rows) });
    expect(seen).toEqual([10_000, 20_000, 25_000]);
    expect(summary.out).toBe('(stream)');
    expect(Buffer.concat(parts).length).toBe(summary.bytes);
    expect(ndjsonRecords(Buffer.concat(parts).toString('utf8'))).toEqual(await generateRecords({ count: 25_000 }));
  });
});

describe('interruption and bad input', () => {
  it('an interrupted run leaves neither the final file nor its temporary', async () => {
    const sub = makeTempDir('datagen-abort');
    try {
      const controller = new AbortController();
      const out = sub.join('users.ndjson');
      const error = await rejection(
        generateUsers({
          count: 2_000_000,
          threads: 2,
          out,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.rows >= 30_000) controller.abort();
          },
        }),
      );
      expect(error.code).toBe('ABORTED');
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(sub.path)).toEqual([]);
    } finally {
      sub.cleanup();
    }
  });

  it.each([
    [{ count: 0 }, 'count'],
    [{ count: -5 }, 'count'],
    [{ count: 1.5 }, 'count'],
    [{ count: 10, format: 'xml' }, 'format'],
    [{ count: 10, locale: 'xx' }, 'locale'],
    [{ count: 10, threads: 0 }, 'threads'],
    [{ count: 10, startId: 0 }, 'start-id'],
    [{ count: 10, seed: -1 }, 'seed'],
    [{ count: 10, compression: 'lz4' }, 'compression'],
    [{ count: 10, gzip: true, compression: 'zstd' }, 'gzip'],
    [{ count: 10, directIo: 'yes' }, 'direct-io'],
  ])('%j is refused naming %s, and no file is made', async (options, option) => {
    const out = dir.join(`bad-${option}.ndjson`);
    const error = await rejection(generateUsers({ ...(options as { count: number }), out }));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.option).toBe(option);
    expect(existsSync(out)).toBe(false);
  });

  /** Skips the test where the file system under the test directory refuses O_DIRECT (asked apart from the run). */
  async function skipWithoutDirectIo(name: string, skip: (why: string) => void): Promise<void> {
    const probe = dir.join(name);
    writeFileSync(probe, '');
    const direct = await openDirect(probe);
    if (!direct) skip(`the file system under ${dir.path} refuses O_DIRECT`);
    await direct?.closeFile();
  }

  /** A caller's stream that keeps every chunk: what a run writes, through no file at all. */
  function memorySink(): [Writable, Buffer[]] {
    const sink: Buffer[] = [];
    const stream = new Writable({
      write(chunk, _encoding, callback) {
        sink.push(chunk);
        callback();
      },
    });
    return [stream, sink];
  }

  it.runIf(process.platform === 'linux')(
    'writes a new file with direct I/O, the same bytes as through the page cache',
    async ({ skip }) => {
      await skipWithoutDirectIo('direct-probe.bin', skip);
      const out = dir.join('direct.ndjson');
      const flags: number[] = [];
      const summary = await generateUsers({
        count: COUNT,
        startId: START,
        seed: 7,
        threads: 2,
        out,
        directIo: true,
        onProgress: () => flags.push(...tempFileFlags(out)),
      });
      expect(flags.length).toBeGreaterThan(0);
      expect(flags.some(isDirect)).toBe(true);
      expect(summary.io).toMatchObject({ directBytes: summary.bytes, cachedBytes: 0 });
      const [cached, sink] = memorySink();
      await generateUsers({ count: COUNT, startId: START, seed: 7, threads: 2, out: cached });
      expect(readFileSync(out).equals(Buffer.concat(sink))).toBe(true);
      expect(summary.bytes).toBe(statSync(out).size);
    },
  );

  it.runIf(process.platform === 'linux')(
    'writes a small file through the page cache by default, and any file with directIo: false',
    async () => {
      for (const directIo of [undefined, false]) {
        const out = dir.join(`cached-${directIo}.ndjson`);
        const flags: number[] = [];
        const summary = await generateUsers({
          count: COUNT,
          seed: 7,
          threads: 2,
          out,
          ...(directIo !== undefined && { directIo }),
          onProgress: () => flags.push(...tempFileFlags(out)),
        });
        expect(flags.length).toBeGreaterThan(0);
        expect(flags.some(isDirect)).toBe(false);
        if (directIo === false) expect(summary.io).toBeUndefined();
        else expect(summary.io).toEqual({ directBytes: 0, cachedBytes: summary.bytes, waitedMs: 0 });
      }
    },
  );

  it.runIf(process.platform === 'linux')(
    'by default writes a file past 64 MiB direct from there on, the same bytes as through the page cache',
    async ({ skip }) => {
      await skipWithoutDirectIo('auto-probe.bin', skip);
      // About 80 MB: 64 MiB through the page cache, then fewer than four direct writes, so the
      // run never waits for the device and the patience cannot run out.
      const count = 265_000;
      const out = dir.join('auto.ndjson');
      const summary = await generateUsers({ count, seed: 3, threads: 2, out });
      expect(summary.io).toMatchObject({
        cachedBytes: AUTO_DIRECT.after,
        directBytes: summary.bytes - AUTO_DIRECT.after,
      });
      expect(summary.io?.ended).toBeUndefined();
      const [cached, sink] = memorySink();
      await generateUsers({ count, seed: 3, threads: 2, out: cached });
      expect(readFileSync(out).equals(Buffer.concat(sink))).toBe(true);
    },
  );

  it('writes a device such as /dev/null in place, never renaming over it', async () => {
    const summary = await generateUsers({ count: 100, threads: 1, out: '/dev/null' });
    expect(summary.rows).toBe(100);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(readdirSync('/dev').filter((f) => f.startsWith('.null.'))).toEqual([]);
  });

  it('replaces an existing file only once the new one is complete', async () => {
    const out = dir.join('replace.ndjson');
    await generateUsers({ count: 10, threads: 1, out, seed: 1 });
    await generateUsers({ count: 20, threads: 1, out, seed: 2 });
    expect(ndjsonRecords(readText(out))).toEqual(await generateRecords({ count: 20, seed: 2 }));
  });

  it('a path that cannot be written is refused as OUTPUT_UNWRITABLE', async () => {
    const missing = await rejection(generateUsers({ count: 10, out: dir.join('no', 'such', 'dir', 'u.ndjson') }));
    expect(missing.code).toBe('OUTPUT_UNWRITABLE');
    expect(missing.option).toBe('out');
    const directory = await rejection(generateUsers({ count: 10, out: dir.path }));
    expect(directory.code).toBe('OUTPUT_UNWRITABLE');
  });
});
