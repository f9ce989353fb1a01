// Loader benchmark: our CLI and the references it is compared with, in ONE run, on the same rows.
//   pnpm --filter @stampede/loader bench            (1,000,000 users; BENCH_ROWS=200000 for a quicker run)
// MySQL/MariaDB at MYSQL_URL (default mysql://root@127.0.0.1:3306/test); a scratch database is
// created and dropped. Needs the `mariadb` or `mysql` client for the LOAD DATA reference.
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createUsersTableSql, USER_COLUMN_NAMES, userToRow } from '@stampede/schema';
import { openStore } from '@stampede/store';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { writeBenchFiles } from './generate.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SAMPLE = Math.min(20_000, ROWS);
const serverUrl = process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306/test';
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'stampede-loader-bench-'));
const dbName = `stampede_bench_loader_${process.pid}`;
const u = new URL(serverUrl);
u.pathname = `/${dbName}`;
const dbUrl = u.toString();

const results = [];
const note = (s) => process.stderr.write(`${s}\n`);

function record(name, rows, seconds, extra = {}) {
  results.push({ name, rows, seconds, rowsPerSecond: Math.round(rows / seconds), ...extra });
  note(`  ${name}: ${rows} rows in ${seconds.toFixed(2)} s`);
}

// The node flags of the CLI's shebang, as its bin shim passes them.
const CLI_FLAGS = (readFileSync(CLI, 'utf8').split('\n')[0] ?? '').split(/\s+/).filter((a) => a.startsWith('--'));

/** Run our CLI as a user would (with its shebang's V8 flags); wall time. */
function runOurs(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...CLI_FLAGS, CLI, ...args, '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) reject(new Error(`stampede-load exited ${code}: ${out}`));
      else resolve({ seconds, summary: JSON.parse(out) });
    });
  });
}

/**
 * Before each MySQL measurement: drop what the previous one loaded and wait until InnoDB has
 * written its dirty pages, so no run pays for flushing its predecessor's rows (with the default
 * 128 MB buffer pool that alone moved a run by 50%).
 */
async function settle(dropTables = []) {
  const c = await mysql.createConnection(dbUrl);
  try {
    for (const t of dropTables) await c.query(`DROP TABLE IF EXISTS \`${t}\`, \`${t}_load_progress\``);
    for (let i = 0; i < 120; i++) {
      const [[row]] = await c.query("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'");
      if (Number(row?.Value ?? 0) < 100) return;
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await c.end();
  }
}

async function classroom(ndjsonSample) {
  // One INSERT per row, autocommit, one connection: the classroom program.
  const c = await mysql.createConnection({ uri: dbUrl, charset: 'utf8mb4_unicode_ci' });
  const sql = `INSERT INTO classroom (${USER_COLUMN_NAMES.join(',')}) VALUES (${USER_COLUMN_NAMES.map(() => '?').join(',')})`;
  const t0 = performance.now();
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(ndjsonSample) })) {
    await c.execute(sql, userToRow(JSON.parse(line), 'mysql'));
    n++;
  }
  const seconds = (performance.now() - t0) / 1000;
  await c.end();
  return { n, seconds };
}

function clientBinary() {
  for (const b of ['mariadb', 'mysql']) {
    for (const d of ['/usr/bin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':')]) {
      if (existsSync(join(d, b))) return join(d, b);
    }
  }
  return undefined;
}

function clientLoadData(tsv) {
  const bin = clientBinary();
  if (!bin) return undefined;
  const args = [
    '--local-infile=1',
    `-h${u.hostname}`,
    `-P${u.port || 3306}`,
    `-u${decodeURIComponent(u.username || 'root')}`,
  ];
  if (u.password) args.push(`-p${decodeURIComponent(u.password)}`);
  args.push(
    dbName,
    '-e',
    `LOAD DATA LOCAL INFILE '${tsv}' INTO TABLE client CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' (${USER_COLUMN_NAMES.join(',')})`,
  );
  const t0 = performance.now();
  execFileSync(bin, args, { stdio: 'inherit' });
  return (performance.now() - t0) / 1000;
}

async function bareSqlite(ndjsonPath, dbPath) {
  // The reference: better-sqlite3, WAL, one prepared INSERT in one transaction, same table.
  const db = new Database(dbPath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  for (const s of createUsersTableSql('sqlite', { table: 'users' })) db.exec(s);
  const insert = db.prepare(
    `INSERT INTO users (${USER_COLUMN_NAMES.join(',')}) VALUES (${USER_COLUMN_NAMES.map(() => '?').join(',')})`,
  );
  const t0 = performance.now();
  db.exec('BEGIN');
  for await (const line of createInterface({ input: createReadStream(ndjsonPath) })) {
    insert.run(userToRow(JSON.parse(line), 'sqlite'));
  }
  db.exec('COMMIT');
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  return seconds;
}

try {
  note(
    `loader bench: ${ROWS} users (classroom way on ${SAMPLE}); machine: ${process.env.BENCH_MACHINE ?? 'shared 2-core box'}`,
  );
  const nd = join(dir, 'users.ndjson');
  const tsv = join(dir, 'users.tsv');
  const sample = join(dir, 'sample.ndjson');
  await writeBenchFiles(ROWS, nd, tsv);
  await writeBenchFiles(SAMPLE, sample);

  const admin = await mysql.createConnection(serverUrl);
  await admin.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  for (const table of ['classroom', 'client']) {
    const s = openStore(dbUrl, { table });
    await s.ensureSchema();
    await s.close();
  }

  await settle();
  const cls = await classroom(sample);
  record('classroom: one INSERT per row, autocommit', cls.n, cls.seconds);

  await settle(['classroom']);
  const clientSeconds = clientLoadData(tsv);
  if (clientSeconds !== undefined) record('mariadb client LOAD DATA LOCAL INFILE', ROWS, clientSeconds);
  else note('  (no mariadb/mysql client binary: LOAD DATA reference skipped)');
  let previous = 'client';

  for (const [name, table, extra] of [
    ['ours, default', 'ours_default', []],
    ['ours, --method insert', 'ours_insert', ['--method', 'insert']],
    ['ours, --method load-data', 'ours_load_data', ['--method', 'load-data']],
  ]) {
    await settle([previous]);
    previous = table;
    const r = await runOurs([nd, '--db', dbUrl, '--table', table, ...extra]);
    record(`${name} (${r.summary.method}, ${r.summary.concurrency} conns)`, r.summary.inserted, r.seconds, {
      peakRssMb: r.summary.peakRssMb,
      method: r.summary.method,
    });
  }

  // The server's background flushing would otherwise compete with the SQLite runs for the disk and CPU.
  await settle([previous]);
  const bareS = await bareSqlite(nd, join(dir, 'bare.sqlite'));
  record('SQLite: bare better-sqlite3 loop, one transaction', ROWS, bareS);
  const sq = await runOurs([nd, '--db', `sqlite:${join(dir, 'ours.sqlite')}`]);
  record('SQLite: ours, default', sq.summary.inserted, sq.seconds, { peakRssMb: sq.summary.peakRssMb });

  const by = (prefix) => results.find((r) => r.name.startsWith(prefix));
  const ours = by('ours, default');
  const client = by('mariadb client');
  const cl = by('classroom');
  const sqlOurs = by('SQLite: ours');
  const sqlBare = by('SQLite: bare');
  const ratio = (a, b) => (a && b ? a.rowsPerSecond / b.rowsPerSecond : undefined);
  const ratios = {
    oursVsClientLoadData: ratio(ours, client),
    oursVsClassroom: ratio(ours, cl),
    sqliteOursVsBare: ratio(sqlOurs, sqlBare),
  };
  const peakRssMb = Math.max(...results.filter((r) => r.peakRssMb).map((r) => r.peakRssMb));

  const fmt = (x) => (x === undefined ? '-' : `${x.toFixed(2)}x`);
  const lines = [
    '',
    '| what | rows | s | rows/s | peak RSS MB |',
    '|---|---:|---:|---:|---:|',
    ...results.map(
      (r) => `| ${r.name} | ${r.rows} | ${r.seconds.toFixed(2)} | ${r.rowsPerSecond} | ${r.peakRssMb ?? ''} |`,
    ),
    '',
    `ours default vs client LOAD DATA: ${fmt(ratios.oursVsClientLoadData)} (target >= 1.3x)`,
    `ours default vs classroom:        ${fmt(ratios.oursVsClassroom)} (target >= 25x)`,
    `SQLite ours vs bare loop:         ${fmt(ratios.sqliteOursVsBare)} (target >= 0.8x)`,
    `our peak RSS:                     ${peakRssMb} MB (target <= 200 MB)`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  process.stdout.write(`${JSON.stringify({ bench: 'loader', rows: ROWS, results, ratios, peakRssMb })}\n`);
} finally {
  try {
    const admin = await mysql.createConnection(serverUrl);
    await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.end();
  } catch {}
  rmSync(dir, { recursive: true, force: true });
}
