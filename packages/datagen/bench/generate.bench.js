// One million users three ways in one run: the plain way (one faker call per field, one
// thread), ours on one worker thread, ours on every core — each serialized to NDJSON and
// written to /dev/null. Each variant runs in its own child process so its peak RSS is its own.
// Then rounds at 3M users, where a run's fixed start weighs little, each case back to back:
// ours on one thread and on every core into /dev/null (the scaling target), ours on every core
// into a file with sync (the default: direct I/O past 64 MiB while the disk keeps up; and through
// the page cache only, `directIo: false`), and `cat` of
// that file's bytes (read into the page cache first) to another file with sync: into a file must
// keep up with the slower of rendering and the disk.
// Then ours on every core writes 5M users to a file (the memory bound), and 1M users on every
// core into a file as .ndjson, .ndjson.gz and .ndjson.zst, alternated, show what compression
// costs (target: .zst at >= 0.5x plain).
// Usage: node bench/generate.bench.js [count] [rounds at 3M]
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { peakRssMb } from '@stampede/cli';

const SELF = fileURLToPath(import.meta.url);
const REFERENCE = new Date('2025-01-01T00:00:00.000Z');

const SINK = '/dev/null';

async function plain(count, out) {
  const { faker } = await import('@faker-js/faker/locale/en');
  const { DEPARTMENTS } = await import('@stampede/schema');
  faker.seed(1);
  const stream = createWriteStream(out);
  const t0 = performance.now();
  for (let id = 1; id <= count; id++) {
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    const user = {
      id,
      username: faker.internet.username({ firstName, lastName }),
      email: faker.internet.email({ firstName, lastName }),
      firstName,
      lastName,
      department: faker.helpers.arrayElement(DEPARTMENTS),
      jobTitle: faker.person.jobTitle(),
      birthDate: faker.date.birthdate({ refDate: REFERENCE }).toISOString().slice(0, 10),
      city: faker.location.city(),
      country: faker.location.country(),
      createdAt: faker.date.past({ years: 10, refDate: REFERENCE }).toISOString(),
    };
    if (!stream.write(`${JSON.stringify(user)}\n`)) await new Promise((r) => stream.once('drain', r));
  }
  await new Promise((resolve, reject) => stream.end((e) => (e ? reject(e) : resolve())));
  return performance.now() - t0;
}

async function ours(count, out, threads, directIo = undefined) {
  const { generateUsers } = await import('../dist/index.js');
  // A path, as a user's would be: ours then writes with its own stream (and reuses a written
  // chunk's memory, which it never does with a caller's stream that might keep it).
  const summary = await generateUsers({ count, out, threads, ...(directIo !== undefined && { directIo }) });
  return summary.elapsedMs;
}

// Child mode: run one variant, print its figures as JSON.
if (process.argv[2] === '--variant') {
  const [, , , variant, countArg, out, threadsArg] = process.argv;
  const count = Number(countArg);
  const ms =
    variant === 'plain'
      ? await plain(count, out)
      : await ours(count, out, Number(threadsArg), variant === 'ours-cached' ? false : undefined);
  process.stdout.write(
    `${JSON.stringify({ ms, usersPerSec: Math.round(count / (ms / 1000)), maxRssMb: peakRssMb() })}\n`,
  );
  process.exit(0);
}

const count = Number(process.argv[2] ?? 1_000_000);
const ROUNDS_3M = Number(process.argv[3] ?? 5);
const cores = availableParallelism();
const dir = mkdtempSync(join(tmpdir(), 'stampede-datagen-bench-'));
function variant(name, variantCount, threads = 1, toFile = false, ext = 'ndjson', keep = false) {
  // The extension picks the compression, as a user's file name would.
  const out = toFile ? join(dir, `${name}.${ext}`) : SINK;
  try {
    const stdout = execFileSync(
      process.execPath,
      [SELF, '--variant', name, String(variantCount), out, String(threads)],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    return { ...JSON.parse(stdout.trim().split('\n').pop()), out };
  } finally {
    if (toFile && !keep) rmSync(out, { force: true });
  }
}

/** The median of numbers. */
const middle = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Ours on one thread and on `threads`, alternately, `pairs` times: each pair runs back to back
 * under the same machine conditions (on shared cores they drift by a quarter between minutes),
 * and the scaling ratio is the median of the pairs' ratios. Speeds are the medians of each
 * side; peak RSS the largest seen.
 */
function pairs(times, count, threads) {
  const one = [];
  const all = [];
  for (let k = 0; k < times; k++) {
    one.push(variant('ours', count, 1));
    all.push(variant('ours', count, threads));
  }
  const side = (runs) => ({
    usersPerSec: middle(runs.map((r) => r.usersPerSec)),
    maxRssMb: Math.max(...runs.map((r) => r.maxRssMb)),
  });
  return {
    one: side(one),
    all: side(all),
    scale: middle(one.map((r, k) => all[k].usersPerSec / r.usersPerSec)),
    scales: one.map((r, k) => all[k].usersPerSec / r.usersPerSec),
  };
}

/** Milliseconds `fn` takes. */
function timed(fn) {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

// `sync` with a file flushes that file (fsync), not other work's dirty pages on a shared disk.
const syncFile = (path) => execFileSync('sync', [path]);
// Before each case: what earlier cases (and deleted files) left dirty goes to disk untimed.
const syncAll = () => execFileSync('sync');

/**
 * At `count` users, `times` rounds of four cases back to back: ours on one thread and on `threads`
 * into /dev/null; ours on `threads` into a file, then `sync` of it; `cat` of that file (read into
 * the page cache first, untimed) to a second file, then `sync` of it. Each ratio is the median of
 * the rounds' ratios; times are medians of each case.
 */
function diskRounds(times, count, threads) {
  const runs = [];
  for (let k = 0; k < times; k++) {
    syncAll();
    const one = variant('ours', count, 1);
    syncAll();
    const all = variant('ours', count, threads);
    syncAll();
    const file = variant('ours', count, threads, true, 'ndjson', true);
    const fileMs = file.ms + timed(() => syncFile(file.out));
    syncAll();
    // The same through the page cache only (directIo: false), the default until 2026-11-29.
    const cached = variant('ours-cached', count, threads, true, 'ndjson', true);
    const cachedMs = cached.ms + timed(() => syncFile(cached.out));
    rmSync(cached.out, { force: true });
    const copy = join(dir, 'cat.ndjson');
    try {
      execFileSync('sh', ['-c', 'cat "$0" > /dev/null', file.out]);
      syncAll();
      const catMs = timed(() => {
        execFileSync('sh', ['-c', 'cat "$0" > "$1"', file.out, copy]);
        syncFile(copy);
      });
      runs.push({ one, all, file, fileMs, cachedMs, catMs, bytes: statSync(file.out).size });
    } finally {
      rmSync(file.out, { force: true });
      rmSync(copy, { force: true });
    }
  }
  const med = (pick) => middle(runs.map(pick));
  const speed = (ms) => Math.round(count / (ms / 1000));
  return {
    bytes: runs[0].bytes,
    oneMs: med((r) => r.one.ms),
    allMs: med((r) => r.all.ms),
    fileMs: med((r) => r.fileMs),
    cachedMs: med((r) => r.cachedMs),
    catMs: med((r) => r.catMs),
    oneRssMb: Math.max(...runs.map((r) => r.one.maxRssMb)),
    allRssMb: Math.max(...runs.map((r) => r.all.maxRssMb)),
    fileRssMb: Math.max(...runs.map((r) => r.file.maxRssMb)),
    speed,
    // Two threads against one: time of one over time of two, per round.
    scales: runs.map((r) => r.one.ms / r.all.ms),
    // Into a file against the slower of rendering (into /dev/null) and the disk (cat), per round.
    bounds: runs.map((r) => Math.max(r.all.ms, r.catMs) / r.fileMs),
    cachedBounds: runs.map((r) => Math.max(r.all.ms, r.catMs) / r.cachedMs),
    // cat against rendering: how far the disk is ahead.
    catVsRender: runs.map((r) => r.all.ms / r.catMs),
  };
}

/**
 * Ours on `threads` into a file as plain, gzip and zstd NDJSON, the three back to back
 * `times` times; each ratio to plain is the median of its rounds' ratios.
 */
function compressed(times, count, threads) {
  const runs = { ndjson: [], 'ndjson.gz': [], 'ndjson.zst': [] };
  for (let k = 0; k < times; k++) {
    for (const ext of Object.keys(runs)) runs[ext].push(variant('ours', count, threads, true, ext));
  }
  const side = (ext) => ({
    usersPerSec: middle(runs[ext].map((r) => r.usersPerSec)),
    maxRssMb: Math.max(...runs[ext].map((r) => r.maxRssMb)),
    vsPlain: middle(runs[ext].map((r, k) => r.usersPerSec / runs.ndjson[k].usersPerSec)),
  });
  return { plain: side('ndjson'), gzip: side('ndjson.gz'), zstd: side('ndjson.zst') };
}

// How far this machine itself scales work like ours (short-lived strings, JSON, buffer writes)
// from 1 to `cores` worker threads: the ceiling for our own all-cores ratio.
const CALIBRATION = `const { parentPort } = require('node:worker_threads');
const buf = Buffer.allocUnsafe(4e6); let at = 0, n = 0;
for (let i = 0; i < 2e6; i++) {
  const t = JSON.stringify({ id: i, username: 'user.' + i, email: 'u' + i + '@example.com', first: 'Zoë' + (i % 97), city: 'Kraków' }) + '\\n';
  if (at + t.length * 3 > buf.length) at = 0;
  at += buf.write(t, at); n += t.length;
}
parentPort.postMessage(n);`;
async function calibrate(threads) {
  const once = async (n) => {
    const t0 = performance.now();
    await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise((resolve, reject) => {
            const w = new Worker(CALIBRATION, { eval: true });
            w.once('message', () => w.terminate().then(resolve));
            w.once('error', reject);
          }),
      ),
    );
    return performance.now() - t0;
  };
  const med = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const one = [];
  const all = [];
  for (let k = 0; k < 3; k++) {
    one.push(await once(1));
    all.push(await once(threads));
  }
  // `threads` workers do `threads` times the work of one.
  return (threads * med(one)) / med(all);
}

// Other work on the machine shows here: on 2 shared cores it caps every ratio with threads.
const loadBefore = loadavg()[0];
const BIG = 3_000_000;
const x = (ratio) => `${ratio.toFixed(2)}x`;
const verdict = (ok) => (ok ? 'met' : 'NOT met');
try {
  const reference = variant('plain', count);
  const PAIRS = 5;
  const { one, all, scale, scales } = pairs(PAIRS, count, cores);
  const machineScale = await calibrate(cores);
  const disk = diskRounds(ROUNDS_3M, BIG, cores);
  const big = variant('ours', 5_000_000, cores, true);
  const ROUNDS = 3;
  const packed = compressed(ROUNDS, count, cores);
  const scale3M = middle(disk.scales);
  const bound = middle(disk.bounds);
  const oneRatio = one.usersPerSec / reference.usersPerSec;
  const row = (what, users, usersPerSec, versus, ratio, target, rss, ms) => ({
    what,
    users,
    's (median)': ms === undefined ? '' : (ms / 1000).toFixed(2),
    'users/s': usersPerSec,
    reference: versus,
    ratio,
    target,
    'peak RSS MB': rss,
  });
  const m = (n) => `${n / 1e6}M`;
  const rows = [
    row(
      'faker, one call per field, 1 thread',
      m(count),
      reference.usersPerSec,
      '(reference)',
      '',
      '',
      reference.maxRssMb,
    ),
    row(
      `ours, 1 thread, /dev/null (${PAIRS} pairs)`,
      m(count),
      one.usersPerSec,
      'faker',
      x(oneRatio),
      '>= 4x',
      one.maxRssMb,
    ),
    row(
      `ours, ${cores} threads, /dev/null (${PAIRS} pairs)`,
      m(count),
      all.usersPerSec,
      `ours, 1 thread, ${m(count)}`,
      x(scale),
      '(start-up bound)',
      all.maxRssMb,
    ),
    row(
      `ours, 1 thread, /dev/null (${ROUNDS_3M} rounds)`,
      m(BIG),
      disk.speed(disk.oneMs),
      'faker',
      x(disk.speed(disk.oneMs) / reference.usersPerSec),
      '',
      disk.oneRssMb,
      disk.oneMs,
    ),
    row(
      `ours, ${cores} threads, /dev/null`,
      m(BIG),
      disk.speed(disk.allMs),
      `ours, 1 thread, ${m(BIG)}`,
      x(scale3M),
      '>= 1.7x',
      disk.allRssMb,
      disk.allMs,
    ),
    row(
      'cat of the same bytes to a file, with sync',
      m(BIG),
      disk.speed(disk.catMs),
      `ours, ${cores} threads, /dev/null`,
      x(middle(disk.catVsRender)),
      '(the disk)',
      '',
      disk.catMs,
    ),
    row(
      `ours, ${cores} threads, into a file, with sync`,
      m(BIG),
      disk.speed(disk.fileMs),
      'max(/dev/null, cat) time',
      x(bound),
      '>= 0.8x',
      disk.fileRssMb,
      disk.fileMs,
    ),
    row(
      `ours, ${cores} threads, into a file, page cache only, with sync`,
      m(BIG),
      disk.speed(disk.cachedMs),
      'max(/dev/null, cat) time',
      x(middle(disk.cachedBounds)),
      '(a choice)',
      '',
      disk.cachedMs,
    ),
    row(
      `ours, ${cores} threads, to a file`,
      '5M',
      big.usersPerSec,
      'faker',
      x(big.usersPerSec / reference.usersPerSec),
      '< 250 MB RSS',
      big.maxRssMb,
    ),
    ...[
      ['.ndjson', packed.plain, 'faker', packed.plain.usersPerSec / reference.usersPerSec, ''],
      ['.ndjson.gz (level 1)', packed.gzip, '.ndjson to a file', packed.gzip.vsPlain, ''],
      ['.ndjson.zst (level 1)', packed.zstd, '.ndjson to a file', packed.zstd.vsPlain, '>= 0.5x'],
    ].map(([ext, r, versus, ratio, target]) =>
      row(
        `ours, ${cores} threads, to a file ${ext} (${ROUNDS} rounds)`,
        m(count),
        r.usersPerSec,
        versus,
        x(ratio),
        target,
        r.maxRssMb,
      ),
    ),
  ];
  console.table(rows);
  const list = (values) => values.map((v) => v.toFixed(2)).join(', ');
  console.log(`ours 1 thread / faker at ${m(count)}: ${x(oneRatio)} (target >= 4x: ${verdict(oneRatio >= 4)})`);
  console.log(
    `ours ${cores} threads / 1 thread at ${m(BIG)} into /dev/null: ${x(scale3M)}, the median of ${ROUNDS_3M} back-to-back pairs (${list(disk.scales)}) (target >= 1.7x on 2 cores: ${verdict(scale3M >= 1.7)})`,
  );
  console.log(
    `  at ${m(count)}, where the start weighs more: ${x(scale)} (${list(scales)}); this machine's own scaling of string work, 1 vs ${cores} threads: ${x(machineScale)}`,
  );
  console.log(
    `ours ${cores} threads into a file with sync / max(into /dev/null, cat with sync) at ${m(BIG)} (${(disk.bytes / 1e6).toFixed(0)} MB): ${x(bound)}, the median of ${ROUNDS_3M} rounds (${list(disk.bounds)}) (target >= 0.8x: ${verdict(bound >= 0.8)})`,
  );
  console.log(
    `  the same through the page cache only (directIo: false): ${x(middle(disk.cachedBounds))} (${list(disk.cachedBounds)})`,
  );
  console.log(
    `${cores} threads into a file, .ndjson.zst / .ndjson: ${x(packed.zstd.vsPlain)} (target >= 0.5x: ${verdict(packed.zstd.vsPlain >= 0.5)}); .ndjson.gz / .ndjson: ${x(packed.gzip.vsPlain)}`,
  );
  console.log(`peak RSS for 5M users: ${big.maxRssMb} MB (target < 250 MB: ${verdict(big.maxRssMb < 250)})`);
  const loadAfter = loadavg()[0];
  console.log(
    `load average (1 min): ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after, on ${cores} cores`,
  );
  const r2 = (v) => Number(v.toFixed(2));
  console.log(
    JSON.stringify({
      bench: 'datagen.generate',
      users: count,
      cores,
      loadAverageBefore: r2(loadBefore),
      loadAverageAfter: r2(loadAfter),
      referencePerSec: reference.usersPerSec,
      oursOneThreadPerSec: one.usersPerSec,
      oursAllCoresPerSec: all.usersPerSec,
      ratioOneThreadVsReference: r2(oneRatio),
      ratioAllCoresVsOneThread: r2(scale),
      ratioAllCoresVsOneThreadPairs: scales.map(r2),
      machineScaling: r2(machineScale),
      at3M: {
        users: BIG,
        bytes: disk.bytes,
        rounds: ROUNDS_3M,
        oneThreadDevNullMs: Math.round(disk.oneMs),
        allCoresDevNullMs: Math.round(disk.allMs),
        allCoresFileSyncMs: Math.round(disk.fileMs),
        allCoresCachedFileSyncMs: Math.round(disk.cachedMs),
        ratioCachedFileVsBoundRounds: disk.cachedBounds.map(r2),
        catFileSyncMs: Math.round(disk.catMs),
        ratioAllCoresVsOneThread: r2(scale3M),
        ratioAllCoresVsOneThreadRounds: disk.scales.map(r2),
        ratioFileVsBound: r2(bound),
        ratioFileVsBoundRounds: disk.bounds.map(r2),
      },
      toFilePerSec: {
        ndjson: packed.plain.usersPerSec,
        ndjsonGz: packed.gzip.usersPerSec,
        ndjsonZst: packed.zstd.usersPerSec,
      },
      ratioGzipVsPlain: r2(packed.gzip.vsPlain),
      ratioZstdVsPlain: r2(packed.zstd.vsPlain),
      peakRssMb: {
        reference: reference.maxRssMb,
        oneThread: one.maxRssMb,
        allCores: all.maxRssMb,
        allCoresFile3M: disk.fileRssMb,
        allCores5M: big.maxRssMb,
        zstd: packed.zstd.maxRssMb,
      },
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
