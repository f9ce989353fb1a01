// One million users three ways in one run: the plain way (one faker call per field, one
// thread), ours on one worker thread, ours on every core — each serialized to NDJSON and
// written to /dev/null, so the shared disk's writeback does not blur the comparison.
// Each variant runs in its own child process so its peak RSS is its own. Then ours on every
// core writes 5M users to a real file, for the memory bound under disk backpressure, and two
// more pairs at 5M users show the scaling with less of a run's fixed start in it, and 1M users
// on every core into a file as .ndjson, .ndjson.gz and .ndjson.zst, alternated, show what
// compression costs (target: .zst at >= 0.5x plain).
// Usage: node bench/generate.bench.js [count]
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

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

async function ours(count, out, threads) {
  const { generateUsers } = await import('../dist/index.js');
  // A path, as a user's would be: ours then writes with its own stream (and reuses a written
  // chunk's memory, which it never does with a caller's stream that might keep it).
  const summary = await generateUsers({ count, out, threads });
  return summary.elapsedMs;
}

// Child mode: run one variant, print its figures as JSON.
if (process.argv[2] === '--variant') {
  const [, , , variant, countArg, out, threadsArg] = process.argv;
  const count = Number(countArg);
  const ms = variant === 'plain' ? await plain(count, out) : await ours(count, out, Number(threadsArg));
  process.stdout.write(
    `${JSON.stringify({ ms, usersPerSec: Math.round(count / (ms / 1000)), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
  );
  process.exit(0);
}

const count = Number(process.argv[2] ?? 1_000_000);
const cores = availableParallelism();
const dir = mkdtempSync(join(tmpdir(), 'stampede-datagen-bench-'));
function variant(name, variantCount, threads = 1, toFile = false, ext = 'ndjson') {
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
    return JSON.parse(stdout.trim().split('\n').pop());
  } finally {
    if (toFile) rmSync(out, { force: true });
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

// Other work on the machine shows here: on 2 shared cores it caps the all-cores ratio.
const loadBefore = loadavg()[0];
try {
  const reference = variant('plain', count);
  const PAIRS = 5;
  const { one, all, scale, scales } = pairs(PAIRS, count, cores);
  const machineScale = await calibrate(cores);
  const big = variant('ours', 5_000_000, cores, true);
  // The same pairs at 5M users, where a run's fixed start (workers starting, V8 warming up)
  // weighs a fifth as much: how the rendering itself scales. Not the target, which is at 1M.
  const steady = pairs(2, 5_000_000, cores);
  const ROUNDS = 3;
  const packed = compressed(ROUNDS, count, cores);
  const rows = [
    {
      what: `faker, one call per field, 1 thread (reference)`,
      users: count,
      'users/s': reference.usersPerSec,
      'vs reference': '1.00x',
      'peak RSS MB': reference.maxRssMb,
    },
    {
      what: `ours, 1 worker thread (median of ${PAIRS})`,
      users: count,
      'users/s': one.usersPerSec,
      'vs reference': `${(one.usersPerSec / reference.usersPerSec).toFixed(2)}x`,
      'peak RSS MB': one.maxRssMb,
    },
    {
      what: `ours, ${cores} worker threads (median of ${PAIRS})`,
      users: count,
      'users/s': all.usersPerSec,
      'vs reference': `${(all.usersPerSec / reference.usersPerSec).toFixed(2)}x`,
      'peak RSS MB': all.maxRssMb,
    },
    {
      what: `ours, ${cores} worker threads, 5M users to a file`,
      users: 5_000_000,
      'users/s': big.usersPerSec,
      'vs reference': `${(big.usersPerSec / reference.usersPerSec).toFixed(2)}x`,
      'peak RSS MB': big.maxRssMb,
    },
    ...[
      ['.ndjson', packed.plain],
      ['.ndjson.gz (level 1)', packed.gzip],
      ['.ndjson.zst (level 1)', packed.zstd],
    ].map(([ext, r]) => ({
      what: `ours, ${cores} worker threads, to a file ${ext} (median of ${ROUNDS})`,
      users: count,
      'users/s': r.usersPerSec,
      'vs reference': `${(r.usersPerSec / reference.usersPerSec).toFixed(2)}x (${r.vsPlain.toFixed(2)}x plain)`,
      'peak RSS MB': r.maxRssMb,
    })),
  ];
  console.table(rows);
  const oneRatio = one.usersPerSec / reference.usersPerSec;
  const verdict = (ok) => (ok ? 'met' : 'NOT met');
  console.log(`ours 1 thread / reference: ${oneRatio.toFixed(2)}x (target >= 4x: ${verdict(oneRatio >= 4)})`);
  console.log(
    `ours ${cores} threads / ours 1 thread: ${scale.toFixed(2)}x, the median of ${PAIRS} back-to-back pairs (${scales.map((x) => x.toFixed(2)).join(', ')}) (target >= 1.7x on 2 cores: ${verdict(scale >= 1.7)})`,
  );
  console.log(
    `this machine, allocation-heavy string work on 1 vs ${cores} worker threads: ${machineScale.toFixed(2)}x (the ceiling for the ratio above)`,
  );
  console.log(
    `at 5M users, ${cores} threads / 1 thread: ${steady.scales.map((x) => x.toFixed(2)).join(', ')} (2 pairs; where the start's fixed cost weighs less)`,
  );
  console.log(
    `${cores} threads into a file, .ndjson.zst / .ndjson: ${packed.zstd.vsPlain.toFixed(2)}x (target >= 0.5x: ${verdict(packed.zstd.vsPlain >= 0.5)}); .ndjson.gz / .ndjson: ${packed.gzip.vsPlain.toFixed(2)}x`,
  );
  console.log(`load average (1 min) before the run: ${loadBefore.toFixed(2)} on ${cores} cores`);
  console.log(`peak RSS for 5M users: ${big.maxRssMb} MB (target < 250 MB: ${verdict(big.maxRssMb < 250)})`);
  console.log(
    JSON.stringify({
      bench: 'datagen.generate',
      users: count,
      cores,
      loadAverageBefore: Number(loadBefore.toFixed(2)),
      referencePerSec: reference.usersPerSec,
      oursOneThreadPerSec: one.usersPerSec,
      oursAllCoresPerSec: all.usersPerSec,
      ratioOneThreadVsReference: Number(oneRatio.toFixed(2)),
      ratioAllCoresVsOneThread: Number(scale.toFixed(2)),
      ratioAllCoresVsOneThreadPairs: scales.map((x) => Number(x.toFixed(2))),
      ratioAllCoresVsOneThreadPairs5M: steady.scales.map((x) => Number(x.toFixed(2))),
      machineScaling: Number(machineScale.toFixed(2)),
      toFilePerSec: {
        ndjson: packed.plain.usersPerSec,
        ndjsonGz: packed.gzip.usersPerSec,
        ndjsonZst: packed.zstd.usersPerSec,
      },
      ratioGzipVsPlain: Number(packed.gzip.vsPlain.toFixed(2)),
      ratioZstdVsPlain: Number(packed.zstd.vsPlain.toFixed(2)),
      peakRssMb: {
        reference: reference.maxRssMb,
        oneThread: one.maxRssMb,
        allCores: all.maxRssMb,
        allCores5M: big.maxRssMb,
        zstd: packed.zstd.maxRssMb,
      },
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
