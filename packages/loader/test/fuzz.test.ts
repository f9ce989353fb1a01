import { existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { User } from '@stampede/schema';
import { openStore } from '@stampede/store';
import { makeTempDir, useTestDatabase } from '@stampede/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { csv, runLoad, users, write } from './fixtures.js';

// Issue 15's "Done when": many generated hostile inputs per format, from a fixed seed, each
// loaded through stampede-load, each checked against the invariant: every good record loaded
// exactly once (ids and content), every other one in the reject file (same count, same lines
// or indexes), exit 2 when anything was rejected and 0 when nothing was, never a crash.
//
// Every mutation below is one that no record survives (a NUL, bytes that are never UTF-8, a
// cut, a duplicate key...), so the expected outcome of a case follows from its mutations alone.

const SEED = 0x5eed_2026;
const CASES_PER_FORMAT = 40;
const MARIADB_CASES_PER_FORMAT = 2;
/** The reader's default bound on one record (its default batch bytes). */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;

const db = await useTestDatabase({ importMetaUrl: import.meta.url });
const tmp = makeTempDir('loader-fuzz');
afterAll(() => tmp.cleanup());

type Format = 'ndjson' | 'json' | 'csv';

/** mulberry32: small, fast, and the same sequence everywhere. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = ReturnType<typeof rng>;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;

const NEVER_UTF8 = [[0xff], [0xc3, 0x28], [0x80], [0xe2, 0x82, 0x28], [0xf0, 0x28, 0x8c, 0xbc], [0xed, 0xa0, 0x80]];
/** Bytes that cannot appear in any valid record, whatever their place: NUL and never-UTF-8 bytes. */
const BAD_BYTES = [0x00, 0x80, 0xbf, 0xc0, 0xc1, 0xf5, 0xfe, 0xff];

/** A position in `b` holding a letter or digit: never structure, in JSON or CSV. */
function innerPos(r: Rand, b: Buffer): number {
  for (;;) {
    const i = int(r, 1, b.length - 2);
    const c = b[i] as number;
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return i;
  }
}

const insert = (b: Buffer, at: number, bytes: Buffer) => Buffer.concat([b.subarray(0, at), bytes, b.subarray(at)]);
const nest = (r: Rand) => {
  const n = int(r, 33, 5000);
  return `${'['.repeat(n)}${']'.repeat(n)}`;
};

type Mutation = (r: Rand, rec: Buffer, u: User) => Buffer;

const MUTATIONS: Record<string, { formats: Format[]; apply: Mutation }> = {
  nul: { formats: ['ndjson', 'json', 'csv'], apply: (r, b) => insert(b, innerPos(r, b), Buffer.from([0])) },
  utf8: {
    formats: ['ndjson', 'json', 'csv'],
    apply: (r, b) => insert(b, innerPos(r, b), Buffer.from(pick(r, NEVER_UTF8))),
  },
  flip: {
    formats: ['ndjson', 'json', 'csv'],
    apply: (r, b) => {
      const out = Buffer.from(b);
      out[innerPos(r, b)] = pick(r, BAD_BYTES);
      return out;
    },
  },
  bom: { formats: ['ndjson', 'json', 'csv'], apply: (_r, b) => insert(b, 0, Buffer.from('\ufeff')) },
  huge: {
    formats: ['ndjson', 'json', 'csv'],
    apply: (r, b, u) => {
      const pad = 'x'.repeat(MAX_RECORD_BYTES + int(r, 1, 100));
      return Buffer.from(b.includes(0x7b) ? JSON.stringify({ ...u, city: pad }) : `${u.id},${pad}`);
    },
  },
  nest: {
    formats: ['ndjson', 'json', 'csv'],
    apply: (r, b, u) =>
      Buffer.from(b.includes(0x7b) && r() < 0.5 ? `${JSON.stringify(u).slice(0, -1)},"x":${nest(r)}}` : nest(r)),
  },
  // A cut inside a JSON array element would leave an open string running into its neighbours:
  // that is the whole array's damage, which the file cut below covers.
  cut: { formats: ['ndjson', 'csv'], apply: (r, b) => b.subarray(0, int(r, 1, b.length - 1)) },
  dupkey: {
    formats: ['ndjson', 'json'],
    apply: (r, b, u) => insert(b, 1, Buffer.from(r() < 0.5 ? `"id":${u.id + 1000},` : `"email":"x@y.z",`)),
  },
  proto: { formats: ['ndjson', 'json'], apply: (_r, b) => insert(b, 1, Buffer.from('"__proto__":{"id":1},')) },
};

interface Case {
  name: string;
  format: Format;
  bytes: Buffer;
  good: User[];
  /** Line numbers (NDJSON, CSV) or element indexes (JSON) of the expected rejects, ascending. */
  rejects: number[];
}

/** One generated input and what must come of it. */
function makeCase(r: Rand, format: Format, no: number): Case {
  const n = int(r, 5, 40);
  const list = users(1, n);
  const kinds = Object.entries(MUTATIONS).filter(([, m]) => m.formats.includes(format));
  const mutated = new Map<number, string>();
  const count = r() < 0.15 ? 0 : int(r, 1, Math.min(4, n));
  while (mutated.size < count) {
    const [kind] = pick(r, kinds);
    // A huge record costs 4 MiB of disk and time: one case in ten gets one.
    if (kind === 'huge' && r() > 0.1) continue;
    mutated.set(int(r, 0, n - 1), kind);
  }
  const csvLines = format === 'csv' ? csv(list).split('\n') : [];
  const recs = list.map((u, i) => {
    const base = Buffer.from(format === 'csv' ? (csvLines[i + 1] as string) : JSON.stringify(u));
    const kind = mutated.get(i);
    return kind ? (MUTATIONS[kind] as { apply: Mutation }).apply(r, base, u) : base;
  });
  const bom = r() < 0.3 ? '\ufeff' : '';
  const head = format === 'csv' ? `${bom}${csvLines[0]}\n` : format === 'json' ? `${bom}[\n` : bom;
  const sep = format === 'json' ? ',\n' : '\n';
  const parts: Buffer[] = [Buffer.from(head)];
  const spans: { start: number; end: number }[] = [];
  let pos = Buffer.byteLength(head);
  for (const [i, rec] of recs.entries()) {
    spans.push({ start: pos, end: pos + rec.length });
    parts.push(rec);
    pos += rec.length;
    const s = i < n - 1 ? sep : format === 'json' ? '\n' : r() < 0.8 ? '\n' : '';
    parts.push(Buffer.from(s));
    pos += s.length;
  }
  const closeAt = pos;
  let garbage = 0;
  if (format === 'json') {
    parts.push(Buffer.from(']\n'));
    if (r() < 0.2) {
      const g = pick(r, ['garbage', ',{"id":1}', ']', '[]', '\u0000', 'x'.repeat(5000)]);
      parts.push(Buffer.from(g));
      garbage = closeAt + 2;
    }
  }
  let bytes = Buffer.concat(parts);
  // Lines a loader must reject, and where they are: line numbers count the CSV header.
  const where = (i: number) => (format === 'json' ? i : format === 'csv' ? i + 2 : i + 1);
  const good: User[] = [];
  const rejects: number[] = [];
  let cut = bytes.length;
  if (r() < 0.25) cut = int(r, (spans[0]?.start ?? 0) + (format === 'json' ? 0 : 1), bytes.length);
  bytes = bytes.subarray(0, cut);
  for (const [i, span] of spans.entries()) {
    // A JSON element ends at its comma (the last one at the closing ]); a line at its last byte.
    const whole = format === 'json' ? (i < n - 1 ? span.end : closeAt) < cut : span.end <= cut;
    if (whole) {
      if (mutated.has(i)) rejects.push(where(i));
      else good.push(list[i] as User);
      continue;
    }
    // The record the cut goes through; in a JSON array, also the place of a missing element
    // when the cut left the array open between two elements.
    if (span.start < cut || format === 'json') rejects.push(where(i));
    break;
  }
  if (format === 'json' && garbage > 0 && cut > garbage) rejects.push(n);
  const what = [...mutated].map(([i, k]) => `${where(i)}:${k}`).join(' ');
  return { name: `#${no} ${format} n=${n} ${what}${cut < pos ? ` cut@${cut}` : ''}`, format, bytes, good, rejects };
}

async function tableRows(url: string, table: string): Promise<User[]> {
  const s = openStore(url, { table });
  try {
    const out: User[] = [];
    for (const d of ['Engineering', 'Sales', 'Marketing', 'Finance']) {
      const page = await s.listDepartment(d, { limit: 1000 });
      out.push(...page);
    }
    return out.sort((a, b) => a.id - b.id);
  } catch {
    // A load that found no good record before it stopped may not have made the table.
    return [];
  } finally {
    await s.close();
  }
}

/** Load one case through the CLI (from a file, or from stdin in random pieces) and check the invariant. */
async function check(c: Case, r: Rand, url: string, table: string, extra: string[] = []): Promise<void> {
  const rejectFile = tmp.join(`${table}.rejects.ndjson`);
  const viaStdin = r() < 0.35;
  const input = viaStdin ? '-' : write(tmp.join(`${table}.${c.format}`), c.bytes);
  let stdin: Readable | undefined;
  if (viaStdin) {
    const pieces: Buffer[] = [];
    for (let i = 0; i < c.bytes.length; ) {
      const len = int(r, 1, r() < 0.5 ? 16 : 65_536);
      pieces.push(c.bytes.subarray(i, i + len));
      i += len;
    }
    stdin = Readable.from(pieces);
  }
  const argv = [input, '--db', url, '--table', table, '--reject-file', rejectFile, '--json', '--format', c.format];
  const { status, stdout, stderr } = await runLoad([...argv, ...extra], stdin);
  const label = `${c.name}${viaStdin ? ' (stdin)' : ''}: ${stderr}`;
  expect(status, label).toBe(c.rejects.length > 0 ? 2 : 0);
  const summary = JSON.parse(stdout) as { inserted: number; rejected: number; complete: boolean };
  expect(summary, label).toMatchObject({ inserted: c.good.length, rejected: c.rejects.length, complete: true });
  expect(await tableRows(url, table), label).toEqual(c.good);
  const rejects = existsSync(rejectFile)
    ? readFileSync(rejectFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { line?: number; index?: number })
    : [];
  expect(
    rejects.map((x) => x.line ?? x.index).sort((a, b) => (a as number) - (b as number)),
    label,
  ).toEqual(c.rejects);
}

// The three formats run side by side: each case waits mostly on its SQLite writer thread starting.
describe.concurrent('fuzz: generated hostile inputs through stampede-load into SQLite', () => {
  for (const format of ['ndjson', 'json', 'csv'] as const) {
    it(`${CASES_PER_FORMAT} ${format} cases keep the invariant`, { timeout: 300_000 }, async () => {
      const r = rng(SEED + format.length);
      for (let no = 0; no < CASES_PER_FORMAT; no++) {
        const c = makeCase(r, format, no);
        const table = `fz_${format}_${no}`;
        await check(c, r, `sqlite:${tmp.join(`${table}.sqlite`)}`, table);
      }
    });
  }
});

db.describe('fuzz: a few generated hostile inputs into MariaDB/MySQL, several connections', () => {
  it('keeps the invariant', { timeout: 300_000 }, async () => {
    const r = rng(SEED ^ 0xdb);
    for (const format of ['ndjson', 'json', 'csv'] as const) {
      for (let no = 0; no < MARIADB_CASES_PER_FORMAT; no++) {
        const c = makeCase(r, format, no);
        await check(c, r, db.url, `fz_${format}_${no}`, ['--concurrency', '3', '--batch-rows', '7']);
      }
    }
  });
});

describe('fuzz: the generator', () => {
  it('is deterministic from its seed, and covers every mutation, cuts and clean inputs', () => {
    const a = makeCase(rng(SEED), 'json', 0);
    const b = makeCase(rng(SEED), 'json', 0);
    expect(a.name).toBe(b.name);
    expect(a.bytes.equals(b.bytes)).toBe(true);
    const r = rng(SEED);
    const names = (['ndjson', 'json', 'csv'] as const).flatMap((f) =>
      Array.from({ length: CASES_PER_FORMAT }, (_, i) => makeCase(r, f, i)),
    );
    for (const kind of Object.keys(MUTATIONS))
      expect(
        names.some((c) => c.name.includes(`:${kind}`)),
        kind,
      ).toBe(true);
    expect(names.filter((c) => c.name.includes(' cut@')).length).toBeGreaterThan(20);
    expect(names.filter((c) => c.rejects.length === 0).length).toBeGreaterThan(10);
  });
});
