// Loader benchmark: our CLI and the references it is compared with, in ONE run, on the same rows.
//   pnpm --filter @stampede/loader bench            (1,000,000 users; BENCH_ROWS=200000 for a quicker run)
// The default `stampede-load` and the client's single LOAD DATA LOCAL INFILE are measured
// BENCH_ROUNDS times (default 3), alternating which goes first; medians are reported. For each:
// wall time, the client's CPU-seconds (its /proc stat) and the server's (mariadbd's /proc stat,
// when the server runs on this machine), per 1M rows. Peak RSS per entry point: the bin, the
// `stampede` runner's in-process `load`, and the library's loadFile.
// Each round also runs the same client with the rows as two statements at once (half the file
// each): what concurrency alone gets from this server, the ceiling of any loader that splits.
// The same rounds also run `stampede-load` on a zstd-compressed copy of the same NDJSON
// (users.ndjson.zst, node:zlib's zstd at its default level), alternating order with the plain run,
// for issue 17 item 5: the loader reads `.zst` at >= 0.9x the speed of plain (each round's zst
// rows/s over plain rows/s, then their median). Skipped on a Node.js without zlib zstd.
// MySQL/MariaDB at MYSQL_URL (default mysql://root@127.0.0.1:3306/test); a scratch database is
// created and dropped. Needs the `mariadb` or `mysql` client for the LOAD DATA reference.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createUsersTableSql, USER_COLUMN_NAMES, userToRow } from '@stampede/schema';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { canZstd, writeBenchFiles, writeZstdCopy } from './generate.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const SAMPLE = Math.min(20_000, ROWS);
const serverUrl = process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306/test';
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const LOAD_FILE = fileURLToPath(new URL('./load-file.js', import.meta.url));
const RUNNER = fileURLToPath(new URL('../../../apps/runner/dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'stampede-loader-bench-'));
const dbName = `stampede_bench_loader_${process.pid}`;
const u = new URL(serverUrl);
u.pathname = `/${dbName}`;
const dbUrl = u.toString();
const note = (s) => process.stderr.write(`${s}\n`);
const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

// The node flags of the CLI's shebang, as its bin shim passes them.
const CLI_FLAGS = (readFileSync(CLI, 'utf8').split('\n')[0] ?? '').split(/\s+/).filter((a) => a.startsWith('--'));

/** utime + stime of a process (all its threads), in seconds, from /proc; undefined off Linux. */
function procCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of proc(5), counted after the command name; USER_HZ is 100 on Linux.
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

/** The server's process, when it runs on this machine (its pid file is readable). */
async function serverPid() {
  const c = await mysql.createConnection(serverUrl);
  try {
    const [[row]] = await c.query('SELECT @@pid_file AS f');
    const pid = Number(readFileSync(String(row.f), 'utf8').trim());
    return procCpuSeconds(pid) === undefined ? undefined : pid;
  } catch {
    return undefined;
  } finally {
    await c.end();
  }
}
const SERVER_PID = await serverPid();
const serverCpu = () => (SERVER_PID === undefined ? undefined : procCpuSeconds(SERVER_PID));

/**
 * Run a command; wall time, its CPU-seconds (its /proc stat, read every 20 ms until it exits) and
 * the server's CPU-seconds over the run, with its stdout.
 */
function measure(cmd, args) {
  return new Promise((resolve, reject) => {
    const s0 = serverCpu();
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let cpu;
    const poll = setInterval(() => {
      cpu = procCpuSeconds(child.pid) ?? cpu;
    }, 20);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      const seconds = (performance.now() - t0) / 1000;
      const s1 = serverCpu();
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out}`));
      else resolve({ seconds, clientCpu: cpu, serverCpu: s0 === undefined ? undefined : s1 - s0, out });
    });
  });
}

/**
 * Before each MySQL measurement: drop what the previous one loaded and wait until InnoDB has
 * written its dirty pages, so no run pays for flushing its predecessor's rows (with the default
 * 128 MB buffer pool that alone moved a run by 50%).
 */
async function settle(dropTables = [], create = []) {
  const c = await mysql.createConnection(dbUrl);
  try {
    for (const t of dropTables) await c.query(`DROP TABLE IF EXISTS \`${t}\`, \`${t}_load_progress\``);
    for (const t of create) for (const sql of createUsersTableSql('mysql', { table: t })) await c.query(sql);
    // Until under 100 dirty pages, or no fewer than 5 s before (some servers idle at a few hundred).
    const seen = [];
    for (let i = 0; i < 120; i++) {
      const [[row]] = await c.query("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'");
      const dirty = Number(row?.Value ?? 0);
      if (dirty < 100 || (seen.length >= 5 && dirty >= (seen.at(-5) ?? 0))) return;
      seen.push(dirty);
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
  const s0 = serverCpu();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(ndjsonSample) })) {
    await c.execute(sql, userToRow(JSON.parse(line), 'mysql'));
    n++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const c1 = process.cpuUsage(c0);
  const s1 = serverCpu();
  await c.end();
  return { n, seconds, clientCpu: (c1.user + c1.system) / 1e6, serverCpu: s0 === undefined ? undefined : s1 - s0 };
}

function clientBinary() {
  for (const b of ['mariadb', 'mysql']) {
    for (const d of ['/usr/bin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':')]) {
      if (existsSync(join(d, b))) return join(d, b);
    }
  }
  return undefined;
}

/** `tsv` cut in two at the line end nearest its middle: the halves' paths. */
function splitInTwo(tsv) {
  const bytes = readFileSync(tsv);
  const cut = bytes.indexOf(0x0a, bytes.length >> 1) + 1;
  const halves = [`${tsv}.1`, `${tsv}.2`];
  writeFileSync(halves[0], bytes.subarray(0, cut));
  writeFileSync(halves[1], bytes.subarray(cut));
  return halves;
}

/** A shell line that runs one client LOAD DATA per file at the same time, and waits for all. */
function concurrentClients(bin, files, table) {
  const quote = (a) => `'${a.replaceAll("'", "'\\''")}'`;
  const each = files.map((file) => `${quote(bin)} ${clientArgs(file, table).map(quote).join(' ')} &`);
  return `${each.join(' ')} wait`;
}

function clientArgs(tsv, table) {
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
    `LOAD DATA LOCAL INFILE '${tsv}' INTO TABLE ${table} CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' (${USER_COLUMN_NAMES.join(',')})`,
  );
  return args;
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

/** Per 1M rows, two decimals. */
const perM = (x, rows) => (x === undefined ? undefined : Math.round((x / rows) * 1e6 * 100) / 100);

try {
  const load0 = loadavg()[0];
  note(
    `loader bench: ${ROWS} users, ${ROUNDS} alternated rounds (classroom way on ${SAMPLE}); load average ${load0.toFixed(2)}; ` +
      `server CPU ${SERVER_PID === undefined ? 'not measurable (server not on this machine)' : `from /proc/${SERVER_PID}/stat`}`,
  );
  const nd = join(dir, 'users.ndjson');
  const tsv = join(dir, 'users.tsv');
  const sample = join(dir, 'sample.ndjson');
  await writeBenchFiles(ROWS, nd, tsv);
  await writeBenchFiles(SAMPLE, sample);
  const ndZst = join(dir, 'users.ndjson.zst');
  if (canZstd) await writeZstdCopy(nd, ndZst);
  else note(`  (node:zlib has no zstd in ${process.version}: the .zst run is skipped)`);

  const admin = await mysql.createConnection(serverUrl);
  await admin.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();

  const bin = clientBinary();
  if (!bin) note('  (no mariadb/mysql client binary: LOAD DATA reference skipped)');
  const runs = { client: [], split: [], ours: [], zst: [] };
  const halves = bin ? splitInTwo(tsv) : [];
  const runClient = async () => {
    await settle(['client'], ['client']);
    const r = await measure(bin, clientArgs(tsv, 'client'));
    runs.client.push({ ...r, rows: ROWS, rowsPerSecond: ROWS / r.seconds });
    note(
      `  client LOAD DATA: ${r.seconds.toFixed(2)} s, client ${r.clientCpu} CPU-s, server ${r.serverCpu?.toFixed(2)} CPU-s`,
    );
  };
  // The ceiling of concurrency on this server: the same client, the same rows as two statements
  // at once (half the file each), no client work to speak of. A loader that splits its input
  // cannot expect more from the server than this.
  const runSplit = async () => {
    await settle(['client'], ['client']);
    const r = await measure('/bin/sh', ['-c', concurrentClients(bin, halves, 'client')]);
    runs.split.push({ ...r, rows: ROWS, rowsPerSecond: ROWS / r.seconds });
    note(`  client LOAD DATA x2 at once: ${r.seconds.toFixed(2)} s, server ${r.serverCpu?.toFixed(2)} CPU-s`);
  };
  const runBin = async () => {
    await settle(['ours']);
    const r = await measure(process.execPath, [...CLI_FLAGS, CLI, nd, '--db', dbUrl, '--table', 'ours', '--json']);
    const s = JSON.parse(r.out);
    runs.ours.push({ ...r, rows: s.inserted, rowsPerSecond: s.inserted / r.seconds, peakRssMb: s.peakRssMb });
    note(
      `  stampede-load:    ${r.seconds.toFixed(2)} s, client ${r.clientCpu} CPU-s, server ${r.serverCpu?.toFixed(2)} CPU-s, ${s.peakRssMb} MB`,
    );
  };
  const runZst = async () => {
    await settle(['ours_zst']);
    const r = await measure(process.execPath, [
      ...CLI_FLAGS,
      CLI,
      ndZst,
      '--db',
      dbUrl,
      '--table',
      'ours_zst',
      '--json',
    ]);
    const s = JSON.parse(r.out);
    runs.zst.push({ ...r, rows: s.inserted, rowsPerSecond: s.inserted / r.seconds, peakRssMb: s.peakRssMb });
    note(
      `  stampede-load .zst: ${r.seconds.toFixed(2)} s, client ${r.clientCpu} CPU-s, server ${r.serverCpu?.toFixed(2)} CPU-s, ${s.peakRssMb} MB`,
    );
  };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternated, so that none always runs on a server that has just been busy.
    const order = round % 2 === 0 ? [runClient, runSplit, runBin, runZst] : [runZst, runBin, runSplit, runClient];
    for (const run of order) {
      if ((bin || (run !== runClient && run !== runSplit)) && (canZstd || run !== runZst)) await run();
    }
  }
  await settle(['ours_zst']);

  // Peak RSS (and speed) through the other entry points, once each.
  const entry = {};
  for (const [name, args] of [
    ['runner', existsSync(RUNNER) ? [RUNNER, 'load', nd, '--db', dbUrl, '--table', 'ours', '--json'] : undefined],
    ['loadFile', [LOAD_FILE, nd, dbUrl, 'ours']],
  ]) {
    if (!args) continue;
    await settle(['ours']);
    const r = await measure(process.execPath, args);
    const s = JSON.parse(r.out.trim().split('\n').at(-1));
    entry[name] = { seconds: r.seconds, rowsPerSecond: Math.round(s.inserted / r.seconds), peakRssMb: s.peakRssMb };
    note(`  ${name}: ${r.seconds.toFixed(2)} s, ${s.peakRssMb} MB`);
  }

  await settle(['ours'], ['classroom']);
  const cls = await classroom(sample);
  note(`  classroom way: ${cls.n} rows in ${cls.seconds.toFixed(2)} s`);

  // The server's background flushing would otherwise compete with the SQLite runs for the disk and CPU.
  await settle(['classroom']);
  const bareS = await bareSqlite(nd, join(dir, 'bare.sqlite'));
  const sq = await measure(process.execPath, [
    ...CLI_FLAGS,
    CLI,
    nd,
    '--db',
    `sqlite:${join(dir, 'ours.sqlite')}`,
    '--json',
  ]);
  const sqS = JSON.parse(sq.out);

  const summarize = (list) => ({
    rowsPerSecond: Math.round(median(list.map((r) => r.rowsPerSecond)) ?? 0),
    seconds: median(list.map((r) => r.seconds)),
    clientCpuPerM: perM(median(list.map((r) => r.clientCpu)), ROWS),
    serverCpuPerM: perM(median(list.map((r) => r.serverCpu)), ROWS),
    peakRssMb: median(list.map((r) => r.peakRssMb)),
  });
  const client = bin ? summarize(runs.client) : undefined;
  const split = bin ? summarize(runs.split) : undefined;
  const ours = summarize(runs.ours);
  const zst = canZstd ? summarize(runs.zst) : undefined;
  const classroomFig = {
    rowsPerSecond: Math.round(cls.n / cls.seconds),
    seconds: cls.seconds,
    clientCpuPerM: perM(cls.clientCpu, cls.n),
    serverCpuPerM: perM(cls.serverCpu, cls.n),
  };
  // Each round's own ratio (same server state, minutes apart), then their median.
  const roundRatios = runs.client.map((c, i) =>
    runs.ours[i] ? runs.ours[i].rowsPerSecond / c.rowsPerSecond : undefined,
  );
  // The same for .zst against plain: each round's zst rows/s over that round's plain rows/s.
  const zstRoundRatios = runs.zst.map((z, i) =>
    runs.ours[i] ? z.rowsPerSecond / runs.ours[i].rowsPerSecond : undefined,
  );
  const splitRoundRatios = runs.client.map((c, i) =>
    runs.split[i] ? runs.split[i].rowsPerSecond / c.rowsPerSecond : undefined,
  );
  const ratios = {
    oursVsClientLoadData: median(roundRatios),
    clientTwoAtOnceVsOne: median(splitRoundRatios),
    zstVsPlain: median(zstRoundRatios),
    oursVsClassroom: ours.rowsPerSecond / classroomFig.rowsPerSecond,
    sqliteOursVsBare: sqS.inserted / sq.seconds / (ROWS / bareS),
  };
  const peakRssMb = {
    bin: Math.max(...runs.ours.map((r) => r.peakRssMb)),
    runner: entry.runner?.peakRssMb,
    loadFile: entry.loadFile?.peakRssMb,
  };

  const f = (x, d = 2) => (x === undefined ? '-' : typeof x === 'number' ? x.toFixed(d) : String(x));
  const row = (name, r) =>
    `| ${name} | ${r.rowsPerSecond} | ${f(r.seconds)} | ${f(r.clientCpuPerM)} | ${f(r.serverCpuPerM)} | ${r.peakRssMb ?? ''} |`;
  const lines = [
    '',
    `${ROWS} rows, medians of ${ROUNDS} alternated rounds, load average ${load0.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end`,
    '',
    '| what | rows/s | s | client CPU-s per 1M | server CPU-s per 1M | peak RSS MB |',
    '|---|---:|---:|---:|---:|---:|',
    row('stampede-load, default', ours),
    ...(zst ? [row('stampede-load, .ndjson.zst input', zst)] : []),
    ...(client ? [row('mariadb client LOAD DATA LOCAL INFILE, one statement', client)] : []),
    ...(split ? [row('the same client, two statements at once (half each)', split)] : []),
    row(`classroom: one INSERT per row, autocommit (${cls.n} rows)`, classroomFig),
    ...(entry.runner ? [row('stampede load (runner, in-process)', { ...entry.runner })] : []),
    ...(entry.loadFile ? [row('loadFile (library, no node flags)', { ...entry.loadFile })] : []),
    `| SQLite: bare better-sqlite3 loop, one transaction | ${Math.round(ROWS / bareS)} | ${f(bareS)} | | | |`,
    `| SQLite: stampede-load | ${Math.round(sqS.inserted / sq.seconds)} | ${f(sq.seconds)} | | | ${sqS.peakRssMb} |`,
    '',
    `ours vs client LOAD DATA: ${f(ratios.oursVsClientLoadData)}x (median of rounds ${roundRatios.map((x) => f(x)).join(', ')}; target >= 1.3x)`,
    ...(split
      ? [
          `client x2 vs client x1:   ${f(ratios.clientTwoAtOnceVsOne)}x (median of rounds ${splitRoundRatios.map((x) => f(x)).join(', ')}; what concurrency alone gets from this server)`,
        ]
      : []),
    ...(zst
      ? [
          `zst vs plain:             ${f(ratios.zstVsPlain)}x (median of rounds ${zstRoundRatios.map((x) => f(x)).join(', ')}; target >= 0.9x)`,
        ]
      : []),
    `ours vs classroom:        ${f(ratios.oursVsClassroom, 1)}x (target >= 25x)`,
    `SQLite ours vs bare loop: ${f(ratios.sqliteOursVsBare)}x (target >= 0.8x)`,
    `peak RSS:                 bin ${peakRssMb.bin} MB, runner ${peakRssMb.runner ?? '-'} MB, loadFile ${peakRssMb.loadFile ?? '-'} MB (target <= 200 MB each)`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  process.stdout.write(
    `${JSON.stringify({
      bench: 'loader',
      rows: ROWS,
      rounds: ROUNDS,
      loadAverage: [load0, loadavg()[0]],
      ours,
      zst,
      client,
      clientTwoAtOnce: split,
      classroom: classroomFig,
      entryPoints: entry,
      sqlite: { bareRowsPerSecond: Math.round(ROWS / bareS), oursRowsPerSecond: Math.round(sqS.inserted / sq.seconds) },
      ratios,
      roundRatios,
      splitRoundRatios,
      zstRoundRatios,
      peakRssMb,
    })}\n`,
  );
} finally {
  try {
    const admin = await mysql.createConnection(serverUrl);
    await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.end();
  } catch {}
  rmSync(dir, { recursive: true, force: true });
}
