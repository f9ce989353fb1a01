// Deterministic bench data: the same seed and count give the same bytes. Kept here so the
// bench does not depend on @stampede/datagen.

import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { DEPARTMENTS as DEPTS, USER_FIELDS as FIELDS } from '@stampede/schema';

const FIRST = ['Ada', 'Zoë', 'José', 'Łucja', 'Omar', 'Mei', 'Kwame', 'Anaïs', 'Søren', 'Priya', 'Hiroshi', 'Olu'];
const LAST = ['Smith', 'García', 'Nowak', 'Müller', 'Okafor', 'Tanaka', 'Kowalski', 'Dubois', 'Rossi', 'Öztürk'];
const TITLES = [
  'Software Engineer',
  'Account Executive',
  'Analyst',
  'Designer',
  'Manager',
  'Recruiter',
  'Counsel',
  'Support Specialist',
];
const CITIES = [
  ['Kraków', 'Poland'],
  ['São Paulo', 'Brazil'],
  ['Lagos', 'Nigeria'],
  ['Osaka', 'Japan'],
  ['Berlin', 'Germany'],
  ['Austin', 'United States'],
];

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (r, list) => list[Math.floor(r() * list.length)];
const pad = (n) => String(n).padStart(2, '0');

/** User `id` (1-based), the same for the same id and seed. */
export function benchUser(id, seed = 42) {
  const r = mulberry32(seed * 1_000_003 + id);
  const tag = Math.floor(r() * 36 ** 6)
    .toString(36)
    .padStart(6, '0');
  const first = pick(r, FIRST);
  const last = pick(r, LAST);
  const [city, country] = pick(r, CITIES);
  return {
    id,
    // A random tag first, as in real data (and @stampede/datagen's first.last.id): the unique
    // keys' order has nothing to do with the load's order. `user.${id}` put every row at the end
    // of the username and email B-trees, which made a load into a keyed table twice as cheap as
    // it is with real names (client LOAD DATA of 1M rows on 2026-11-29: 7.5 s against 14.1-14.8 s).
    username: `user.${tag}.${id}`,
    email: `user.${tag}.${id}@example.com`,
    firstName: first,
    lastName: last,
    department: pick(r, DEPTS),
    jobTitle: pick(r, TITLES),
    birthDate: `${1950 + Math.floor(r() * 55)}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}`,
    city,
    country,
    createdAt: `20${10 + Math.floor(r() * 15)}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}T${pad(Math.floor(r() * 24))}:${pad(Math.floor(r() * 60))}:${pad(Math.floor(r() * 60))}.${String(Math.floor(r() * 1000)).padStart(3, '0')}Z`,
  };
}

/** Write `count` users as NDJSON and, for the mariadb client, as a tab-separated file in column order. */
export async function writeBenchFiles(count, ndjsonPath, tsvPath) {
  const nd = createWriteStream(ndjsonPath);
  const tsv = tsvPath ? createWriteStream(tsvPath) : undefined;
  let a = '';
  let b = '';
  for (let id = 1; id <= count; id++) {
    const u = benchUser(id);
    a += `${JSON.stringify(u)}\n`;
    if (tsv) b += `${FIELDS.map((f) => (f === 'createdAt' ? u[f].slice(0, -1).replace('T', ' ') : u[f])).join('\t')}\n`;
    if (a.length > 1 << 20 || id === count) {
      if (!nd.write(a)) await once(nd, 'drain');
      if (tsv && !tsv.write(b)) await once(tsv, 'drain');
      a = '';
      b = '';
    }
  }
  await new Promise((resolve) => nd.end(resolve));
  if (tsv) await new Promise((resolve) => tsv.end(resolve));
}

/** Whether this Node.js can write zstd (node:zlib has it from 22.15 and 23.8). */
export const canZstd = typeof zlib.createZstdCompress === 'function';

/** A zstd-compressed copy of `srcPath` at `destPath` (node:zlib's zstd, default level; one frame). */
export async function writeZstdCopy(srcPath, destPath) {
  await pipeline(createReadStream(srcPath), zlib.createZstdCompress(), createWriteStream(destPath));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeBenchFiles(Number(process.argv[2] ?? 1000), process.argv[3] ?? 'users.ndjson', process.argv[4]);
}
