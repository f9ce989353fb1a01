// Lookups of 10k (username, department) pairs, half present, over 1M users in MariaDB/MySQL:
// the classroom way (one query per pair, one after another), one query per pair on a pool,
// and findMany — then HTTP GET /users under autocannon beside a raw mysql2 point-query loop
// at the same concurrency. Everything in one run, on the same table.
//
//   pnpm --filter @stampede/lookup bench [-- --users 1000000 --pairs 10000 --duration 10]
// MYSQL_URL picks the server (default mysql://root@127.0.0.1:3306/test). The filled table is
// kept in database `stampede_bench_lookup` and reused while it holds the expected rows.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openStore } from '@stampede/store';
import autocannon from 'autocannon';
import mysql from 'mysql2/promise';
import { createLookup } from '../dist/index.js';
import { benchUser, rng } from './generate-users.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '1000000' },
    pairs: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    pool: { type: 'string', default: '8' },
    'fill-only': { type: 'boolean', default: false },
  },
});
const USERS = Number(values.users);
const PAIRS = Number(values.pairs);
const DURATION = Number(values.duration);
const HTTP_CONNECTIONS = Number(values.connections);
const POOL = Number(values.pool);
const DB = USERS === 1_000_000 ? 'stampede_bench_lookup' : `stampede_bench_lookup_${USERS}`;
const serverUrl = process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306/test';
const dbUrl = Object.assign(new URL(serverUrl), { pathname: `/${DB}` }).toString();
const log = (s) => process.stderr.write(`${s}\n`);

async function prepareTable() {
  const admin = await mysql.createConnection({ uri: serverUrl });
  await admin.query(`CREATE DATABASE IF NOT EXISTS \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const store = openStore(dbUrl, { connections: 4 });
  await store.ensureSchema({ secondaryIndexes: false });
  const have = await store.count();
  if (have === USERS && (await store.findByUsernames([benchUser(USERS).username])).length === 1) {
    log(`reusing ${have} users in ${DB}`);
    await store.addSecondaryIndexes();
    return store;
  }
  log(`filling ${DB}.users with ${USERS} users (kept for later runs)...`);
  await store.dropTable();
  await store.ensureSchema({ secondaryIndexes: false });
  const batch = 2000;
  let next = 1;
  const t0 = performance.now();
  // Four writers, each taking the next batch of ids: contiguous key ranges per statement.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next <= USERS) {
        const start = next;
        next += batch;
        const users = [];
        for (let id = start; id < Math.min(start + batch, USERS + 1); id++) users.push(benchUser(id));
        await store.upsert(users);
        if ((start - 1) % 100_000 === 0) log(`  ${start - 1} rows, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
    }),
  );
  await store.addSecondaryIndexes();
  log(`filled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return store;
}

function makePairs() {
  const random = rng(42);
  const pairs = [];
  for (let i = 0; i < PAIRS; i++) {
    if (i % 2 === 0) {
      const u = benchUser(1 + Math.floor(random() * USERS));
      pairs.push({ username: u.username, department: u.department });
    } else {
      pairs.push({ username: `missing.${i.toString(36)}`, department: 'Sales' });
    }
  }
  return pairs;
}

const POINT_SQL =
  'SELECT id, username, email, first_name, last_name, department, job_title, birth_date, city, country, created_at FROM users WHERE username = ? AND department = ?';

// Each way runs three times; the median counts (the first run also warms the JIT).
async function timed(name, fn) {
  const runs = [];
  let found = 0;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    found = await fn();
    runs.push((performance.now() - t0) / 1000);
  }
  const s = [...runs].sort((a, b) => a - b)[1];
  log(`  ${name}: ${found} found; ${runs.map((r) => r.toFixed(3)).join(' / ')} s`);
  return { name, seconds: s, perSecond: PAIRS / s, found };
}

async function libraryRound(store, pairs) {
  // One untimed pass first: every way then reads the same warm buffer pool, and the pool's
  // connections are open, whichever runs first.
  await Promise.all(Array.from({ length: POOL }, () => store.findByUsernames(['warm.up'])));
  await createLookup(store).findMany(pairs);
  log(`${PAIRS} pairs, half present, over ${USERS} users:`);
  const rows = [];
  // The classroom way, minus a new connection per pair: one point query after another.
  const conn = await mysql.createConnection({ uri: dbUrl, dateStrings: true });
  rows.push(
    await timed('sequential per-pair queries, 1 connection', async () => {
      let found = 0;
      for (const p of pairs) {
        const [r] = await conn.execute(POINT_SQL, [p.username, p.department]);
        found += r.length;
      }
      return found;
    }),
  );
  await conn.end();
  const pool = mysql.createPool({ uri: dbUrl, connectionLimit: POOL, dateStrings: true });
  await Promise.all(Array.from({ length: POOL }, () => pool.query('SELECT 1')));
  rows.push(
    await timed(`concurrent per-pair queries, pool of ${POOL}`, async () => {
      const results = await Promise.all(pairs.map((p) => pool.execute(POINT_SQL, [p.username, p.department])));
      return results.reduce((n, [r]) => n + r.length, 0);
    }),
  );
  await pool.end();
  const lookup = createLookup(store);
  rows.push(
    await timed(`findMany, batches of 500, pool of ${POOL}`, async () => {
      const results = await lookup.findMany(pairs);
      return results.filter((r) => r.found).length;
    }),
  );
  const founds = new Set(rows.map((r) => r.found));
  if (founds.size !== 1) throw new Error(`the three ways disagree: ${rows.map((r) => r.found).join(' / ')}`);
  return rows;
}

async function startService() {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [cli, 'serve', '--db', dbUrl, '--port', '0', '--json', '--log-level', 'silent', '--connections', String(POOL)],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, STAMPEDE_API_KEY: '' } },
  );
  const listening = await new Promise((resolve, reject) => {
    child.stdout.once('data', (c) => resolve(JSON.parse(c.toString()).listening));
    child.once('exit', (code) => reject(new Error(`service exited ${code}`)));
  });
  return { child, url: listening };
}

async function httpRound(pairs) {
  const present = pairs.filter((_, i) => i % 2 === 0);
  const paths = present.map((p) => `/users?${new URLSearchParams(p)}`);
  log(`HTTP GET /users, ${HTTP_CONNECTIONS} connections, ${DURATION} s (present users only):`);
  const { child, url } = await startService();
  let i = 0;
  const result = await autocannon({
    url,
    connections: HTTP_CONNECTIONS,
    duration: DURATION,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  const http = {
    name: `HTTP GET /users (fastify, pool of ${POOL}, coalesced)`,
    perSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
  };
  log(`  ${http.name}: ${Math.round(http.perSecond)} req/s, p99 ${http.p99} ms, ${http.errors} errors`);

  // The reference: the driver alone, the same number of loops each doing one point query at a time.
  const pool = mysql.createPool({ uri: dbUrl, connectionLimit: HTTP_CONNECTIONS, dateStrings: true });
  await Promise.all(Array.from({ length: HTTP_CONNECTIONS }, () => pool.query('SELECT 1')));
  const latencies = [];
  let done = 0;
  let j = 0;
  const end = performance.now() + DURATION * 1000;
  await Promise.all(
    Array.from({ length: HTTP_CONNECTIONS }, async () => {
      while (performance.now() < end) {
        const p = present[j++ % present.length];
        const t0 = performance.now();
        const [r] = await pool.execute(POINT_SQL, [p.username, p.department]);
        latencies.push(performance.now() - t0);
        if (r.length === 1) done++;
      }
    }),
  );
  await pool.end();
  latencies.sort((a, b) => a - b);
  const raw = {
    name: `raw mysql2 point-query loop, ${HTTP_CONNECTIONS} at once`,
    perSecond: done / DURATION,
    p50: latencies[Math.floor(latencies.length * 0.5)],
    p99: latencies[Math.floor(latencies.length * 0.99)],
    errors: latencies.length - done,
  };
  log(`  ${raw.name}: ${Math.round(raw.perSecond)} q/s, p99 ${raw.p99.toFixed(1)} ms`);
  return { http, raw };
}

await (await prepareTable()).close();
if (values['fill-only']) process.exit(0);
const store = openStore(dbUrl, { connections: POOL });
const pairs = makePairs();
const lib = await libraryRound(store, pairs);
await store.close();
const { http, raw } = await httpRound(pairs);

const seq = lib[0].perSecond;
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const lines = [
  '',
  `| what | pairs/s | × sequential |`,
  '|---|---:|---:|',
  ...lib.map((r) => `| ${r.name} | ${fmt(r.perSecond)} | ${(r.perSecond / seq).toFixed(1)}× |`),
  '',
  `| what | req/s | p50 ms | p99 ms | × raw driver |`,
  '|---|---:|---:|---:|---:|',
  `| ${raw.name} | ${fmt(raw.perSecond)} | ${raw.p50.toFixed(1)} | ${raw.p99.toFixed(1)} | 1.00× |`,
  `| ${http.name} | ${fmt(http.perSecond)} | ${http.p50} | ${http.p99} | ${(http.perSecond / raw.perSecond).toFixed(2)}× |`,
  '',
  `targets: findMany ≥ 20× sequential (got ${(lib[2].perSecond / seq).toFixed(1)}×); HTTP ≥ 0.5× raw (got ${(http.perSecond / raw.perSecond).toFixed(2)}×), p99 ≤ 10 ms (got ${http.p99} ms)`,
];
process.stdout.write(`${lines.join('\n')}\n`);
process.stdout.write(
  `${JSON.stringify({
    bench: 'lookup',
    users: USERS,
    pairs: PAIRS,
    sequentialPerSec: seq,
    concurrentPerSec: lib[1].perSecond,
    findManyPerSec: lib[2].perSecond,
    findManyRatio: lib[2].perSecond / seq,
    httpReqPerSec: http.perSecond,
    httpP99Ms: http.p99,
    httpErrors: http.errors,
    rawReqPerSec: raw.perSecond,
    rawP99Ms: raw.p99,
    httpRatio: http.perSecond / raw.perSecond,
  })}\n`,
);
